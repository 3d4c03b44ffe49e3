/**
 * `--data <file>`: the workspace kept in a JSON file. Every change schedules a save (debounced); a save writes a
 * temporary file beside the target, flushes it to disk and renames it over the target, so the file is always either
 * the previous or the next complete workspace, never half of one. `flush()` writes a pending save at once (on exit).
 *
 * Writes are synchronous on purpose: they are small, they keep the order of changes, and `flush()` can run inside a
 * signal handler right before the process exits.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'fs';
import path from 'path';

import type { WsStateJSON } from '../workspace/model.cjs';

/** What the data file holds: the workspace, plus the app's service account (it is not part of the workspace). */
export interface DataFileContent {
    format: 'group-admin-workspace';
    version: 1;
    savedAt: string;
    serviceAccount: { userId: string; token: string };
    workspace: WsStateJSON;
}

export const DATA_FORMAT = 'group-admin-workspace';

/** Reads and checks a data file; throws a readable error when it is not one. */
export function readDataFile(file: string): DataFileContent {
    let parsed: unknown;
    try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
        throw new Error(`--data ${file}: not a readable JSON file (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error(`--data ${file}: expected a JSON object`);
    }
    const content = parsed as Partial<DataFileContent>;
    if (content.format !== DATA_FORMAT || content.version !== 1) {
        throw new Error(`--data ${file}: not a Group Admin workspace file (expected "format": "${DATA_FORMAT}", "version": 1)`);
    }
    const account = content.serviceAccount;
    if (!account || typeof account.userId !== 'string' || typeof account.token !== 'string') {
        throw new Error(`--data ${file}: "serviceAccount" must be { "userId": string, "token": string }`);
    }
    if (!content.workspace || typeof content.workspace !== 'object') {
        throw new Error(`--data ${file}: "workspace" is missing`);
    }
    return content as DataFileContent;
}

/** Writes `text` to `file` atomically: temp file in the same folder, fsync, rename. */
export function writeFileAtomic(file: string, text: string): void {
    const dir = path.dirname(path.resolve(file));
    mkdirSync(dir, { recursive: true });
    const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
    const fd = openSync(temp, 'w', 0o600);
    try {
        writeSync(fd, text);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
    try {
        renameSync(temp, file);
    } catch (error) {
        rmSync(temp, { force: true });
        throw error;
    }
}

export class DataFile {
    private timer: NodeJS.Timeout | undefined;
    private dirty = false;
    private writes = 0;
    private lastError: string | undefined;

    /**
     * @param file target path
     * @param snapshot produces the content to save (called at write time, so the newest state is written)
     * @param delayMs debounce: changes within this window are written once
     * @param onError called when a write fails (the next change retries)
     */
    constructor(
        readonly file: string,
        private readonly snapshot: () => DataFileContent,
        private readonly delayMs = 50,
        private readonly onError: (message: string) => void = () => undefined,
    ) {}

    static exists(file: string): boolean {
        return existsSync(file);
    }

    /** Number of completed writes (for tests and the exit message). */
    get writeCount(): number {
        return this.writes;
    }

    /** A change happened: save soon. */
    schedule(): void {
        this.dirty = true;
        if (this.timer) {
            return;
        }
        this.timer = setTimeout(() => {
            this.timer = undefined;
            this.flush();
        }, this.delayMs);
        // A pending save must not keep the process alive on its own; exit paths call flush().
        this.timer.unref();
    }

    /** Writes now if anything changed since the last write. Returns false when the write failed. */
    flush(): boolean {
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = undefined;
        }
        if (!this.dirty) {
            return true;
        }
        this.dirty = false;
        try {
            writeFileAtomic(this.file, `${JSON.stringify(this.snapshot(), null, 1)}\n`);
            this.writes++;
            this.lastError = undefined;
            return true;
        } catch (error) {
            this.dirty = true;
            const message = `could not save ${this.file}: ${error instanceof Error ? error.message : String(error)}`;
            if (message !== this.lastError) {
                this.onError(message);
            }
            this.lastError = message;
            return false;
        }
    }

    /** Writes unconditionally now (first save of a new data file). */
    writeNow(): boolean {
        this.dirty = true;
        return this.flush();
    }
}
