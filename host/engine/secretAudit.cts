/**
 * A whole-run check that the service account's token never reaches anything the app shows the outside world.
 *
 * When `GROUP_ADMIN_SECRET_AUDIT` names a folder (test/global-setup.js sets it for every `npm test` run), each
 * EngineHost — in a test worker or in an `npm start` child process — scans what it hands out (command replies and
 * UI interactions, API responses, errors, and at the end the whole app log) for every service token it was
 * configured with, and writes its tally to that folder when it stops. test/global-teardown.js adds the tallies up
 * and fails the run on any leak. The tally never holds a token, only where one was seen.
 */
import { randomUUID } from 'crypto';
import { writeFileSync } from 'fs';
import path from 'path';

export const SECRET_AUDIT_ENV = 'GROUP_ADMIN_SECRET_AUDIT';

export interface SecretAuditTally {
    secrets: number;
    outputs: number;
    chars: number;
    /** Kinds of output a token was found in (`reply`, `response`, `log`, …), one entry per finding. */
    leaks: string[];
}

export class SecretAudit {
    private readonly secrets = new Set<string>();
    private readonly tally: SecretAuditTally = { secrets: 0, outputs: 0, chars: 0, leaks: [] };

    constructor(private readonly folder: string) {}

    /** The audit of this process, when the environment asks for one. */
    static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SecretAudit | undefined {
        const folder = env[SECRET_AUDIT_ENV];
        return folder ? new SecretAudit(folder) : undefined;
    }

    /** A value that must never be shown (a service token the app was configured with). */
    secret(value: unknown): void {
        if (typeof value === 'string' && value.trim() !== '') {
            this.secrets.add(value.trim());
            this.tally.secrets = this.secrets.size;
        }
    }

    /** Something shown to the outside world: counted, and checked against every secret known so far. */
    scan(kind: string, text: string): void {
        this.tally.outputs++;
        this.tally.chars += text.length;
        for (const secret of this.secrets) {
            if (text.includes(secret)) {
                this.tally.leaks.push(kind);
            }
        }
    }

    result(): SecretAuditTally {
        return { ...this.tally, leaks: [...this.tally.leaks] };
    }

    /** Writes this process's tally into the audit folder. */
    write(): void {
        writeFileSync(path.join(this.folder, `${process.pid}-${randomUUID()}.json`), JSON.stringify(this.result()));
    }
}
