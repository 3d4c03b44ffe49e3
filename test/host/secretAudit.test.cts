/** The run-wide token audit finds a token in what it scans, counts everything, and writes no token to its tally. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { SecretAudit } from '../../host/engine/secretAudit.cjs';

describe('SecretAudit', () => {
    it('records where a known token appeared, and only tokens it was given', () => {
        const audit = new SecretAudit(tmpdir());
        audit.scan('reply', 'before any token is known: s3cr3t-token');
        audit.secret('s3cr3t-token');
        audit.secret('   ');
        audit.scan('reply', 'all good');
        audit.scan('log', '{"headers":{"X-Auth-Token":"s3cr3t-token"}}');
        expect(audit.result()).toEqual({ secrets: 1, outputs: 3, chars: expect.any(Number), leaks: ['log'] });
    });

    it('writes a tally without the token', () => {
        const folder = mkdtempSync(path.join(tmpdir(), 'audit-test-'));
        try {
            const audit = new SecretAudit(folder);
            audit.secret('s3cr3t-token');
            audit.scan('response', 'has s3cr3t-token inside');
            audit.write();
            const [file] = readdirSync(folder);
            const text = readFileSync(path.join(folder, file), 'utf8');
            expect(text).not.toContain('s3cr3t-token');
            expect(JSON.parse(text).leaks).toEqual(['response']);
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    });

    it('is off unless the environment names a folder', () => {
        expect(SecretAudit.fromEnvironment({})).toBeUndefined();
        expect(SecretAudit.fromEnvironment({ GROUP_ADMIN_SECRET_AUDIT: tmpdir() })).toBeInstanceOf(SecretAudit);
    });
});
