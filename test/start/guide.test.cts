/**
 * The guide `npm start` prints: its curl lines are at most 100 columns, continued with ` \`, and work when pasted into
 * a shell (run here through `sh -c` exactly as printed), including the `groups.history` line (issue 10).
 */
import { execFile } from 'child_process';

import { started } from './child.cjs';
import type { StartedWorkspace } from './child.cjs';

let ws: StartedWorkspace;

beforeAll(async () => {
    ws = await started(['--no-chat']);
}, 90000);

afterAll(async () => {
    await ws?.kill();
});

/** The shell commands of the guide: a `curl` line and its ` \` continuations, as printed. */
function curlCommands(text: string): string[] {
    const commands: string[] = [];
    let current: string[] | undefined;
    for (const line of text.split('\n')) {
        if (!current && line.startsWith('curl ')) {
            current = [];
        }
        if (current) {
            current.push(line);
            if (!line.endsWith(' \\')) {
                commands.push(current.join('\n'));
                current = undefined;
            }
        }
    }
    return commands;
}

function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile('sh', ['-c', command], { timeout: 20000 }, (error, stdout, stderr) => {
            resolve({ code: error ? Number((error as NodeJS.ErrnoException).code ?? 1) || 1 : 0, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

describe('the curl lines of the guide', () => {
    test('each is broken with " \\" continuations, no line over 100 columns', () => {
        const commands = curlCommands(ws.stdout);
        expect(commands.map((c) => c.split(' ')[0])).toEqual(['curl', 'curl', 'curl', 'curl']);
        for (const line of commands.flatMap((c) => c.split('\n'))) {
            expect({ line, length: line.length }).toEqual({ line, length: Math.min(line.length, 100) });
        }
        expect(commands.filter((c) => c.includes(' \\\n'))).toHaveLength(commands.length);
    });

    test('pasted into sh as printed, they work: login, setEncrypted, groups.history, groups.info', async () => {
        const [login, setEncrypted, history, info] = curlCommands(ws.stdout);
        expect(login).toContain('/api/v1/login');
        const loggedIn = JSON.parse((await sh(login)).stdout) as { status: string; data: { userId: string; authToken: string } };
        expect(loggedIn.status).toBe('success');

        expect(setEncrypted).toContain('/groups.setEncrypted');
        const changed = JSON.parse((await sh(setEncrypted)).stdout) as { success: boolean; group: { name: string; encrypted: boolean } };
        expect(changed).toMatchObject({ success: true, group: { name: 'project-x', encrypted: true } });

        expect(history).toMatch(/^curl -s -G \\\n {2}http:\/\/127\.0\.0\.1:\d+\/api\/apps\/public\/[0-9a-f-]{36}\/groups\.history \\\n {2}-d roomName=project-x /);
        const recorded = JSON.parse((await sh(history)).stdout) as {
            success: boolean;
            history: Array<{ operation: string; door: string; actor: { username: string }; roomName: string }>;
            offset: number;
            count: number;
            total: number;
        };
        expect(recorded).toMatchObject({ success: true, offset: 0, total: 1 });
        expect(recorded.history).toEqual([expect.objectContaining({ operation: 'setEncrypted', door: 'endpoint', roomName: 'project-x', actor: expect.objectContaining({ username: 'alice' }) })]);

        expect(info).toContain('/api/v1/groups.info');
        const group = JSON.parse((await sh(info)).stdout) as { success: boolean; group: { name: string; encrypted: boolean } };
        expect(group).toMatchObject({ success: true, group: { name: 'project-x', encrypted: true } });
    });
});

describe('the demo over HTTP', () => {
    test('Rocket.Chat\'s REST rate limiter is on (the guide says so), and its X-RateLimit-* headers reach the client', async () => {
        expect(ws.stdout).toContain("# Rocket.Chat's rate limiter is on: 10 calls per 60 s per /api/v1 endpoint and address, then 429");
        const alice = await ws.login('alice');
        const answer = await ws.get('/api/v1/groups.info?roomName=project-x', alice);
        expect(answer.status).toBe(200);
        expect(answer.headers['x-ratelimit-limit']).toBe('10');
        expect(Number(answer.headers['x-ratelimit-remaining'])).toBeLessThan(10);
    });
});
