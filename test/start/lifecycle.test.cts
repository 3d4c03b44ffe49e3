/**
 * Starting and stopping `npm start`: `--data` keeps the workspace across a restart, SIGTERM / SIGINT end the Deno
 * process and free the port, `--port` / `--seed` / `--help` and bad options behave.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { descendants, freePort, isAlive, launch, portIsFree, started } from './child.cjs';
import type { StartedWorkspace } from './child.cjs';

let dir: string;
const running: StartedWorkspace[] = [];

async function start(args: string[]): Promise<StartedWorkspace> {
    const ws = await started(args);
    running.push(ws);
    return ws;
}

/** Polls `probe` until it returns a value (2 s at most). */
async function eventually<T>(probe: () => T | undefined, timeoutMs = 2000): Promise<T> {
    const started = Date.now();
    for (;;) {
        const value = probe();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() - started > timeoutMs) {
            throw new Error('the condition did not become true in time');
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'group-admin-start-'));
});

afterAll(async () => {
    for (const ws of running) {
        await ws.kill();
    }
    rmSync(dir, { recursive: true, force: true });
});

describe('--data keeps the workspace', () => {
    test('a restart loses nothing: encryption, a new team, a login token', async () => {
        const file = path.join(dir, 'workspace.json');
        const first = await start(['--no-chat', '--data', file]);
        expect(existsSync(file)).toBe(true);
        const alice = await first.login('alice');
        expect((await first.app('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, alice)).status).toBe(200);
        expect((await first.app('groups.convertToTeam', { roomName: 'project-x' }, alice)).status).toBe(200);
        expect((await first.app('groups.setType', { roomName: 'project-x', type: 'c' }, alice)).status).toBe(200);
        // Saved shortly after the change (debounced), without stopping.
        const saved = await eventually(() => {
            const content = JSON.parse(readFileSync(file, 'utf8')) as { format: string; workspace: { rooms: Array<{ name: string; t: string }> } };
            return content.workspace.rooms.find((r) => r.name === 'project-x')?.t === 'c' ? content : undefined;
        });
        expect(saved.format).toBe('group-admin-workspace');

        const exit = await first.stop('SIGTERM');
        expect(exit.code).toBe(0);
        expect(first.stdout).toContain(`Workspace saved to ${file}`);
        // Atomic writes leave no temporary file behind.
        expect(readdirSync(dir).filter((f) => f !== 'workspace.json')).toEqual([]);

        const second = await start(['--no-chat', '--data', file]);
        expect(second.stdout).toContain(`Workspace: loaded from ${file}`);
        // The token from the first run still works: users and their tokens were kept.
        const channel = await second.get('/api/v1/channels.info?roomName=project-x', alice);
        expect(channel.status).toBe(200);
        expect(channel.body.channel).toMatchObject({ name: 'project-x', t: 'c', encrypted: true, teamMain: true });
        const team = await second.get('/api/v1/teams.info?teamName=project-x', alice);
        expect(team.status).toBe(200);
        expect(team.body.teamInfo).toMatchObject({ name: 'project-x', type: 0 });
        const messages = JSON.parse(readFileSync(file, 'utf8')) as { workspace: { messages: Array<{ t?: string }> } };
        expect(messages.workspace.messages.map((m) => m.t)).toEqual(expect.arrayContaining(['room_e2e_enabled', 'user-converted-to-team', 'room_changed_privacy']));

        // The app works on the restored workspace, and writes keep going to the same file.
        expect((await second.app('groups.setType', { roomName: 'project-x', type: 'p' }, alice)).status).toBe(200);
        expect((await second.stop('SIGTERM')).code).toBe(0);
        const final = JSON.parse(readFileSync(file, 'utf8')) as { workspace: { rooms: Array<{ name: string; t: string }> } };
        expect(final.workspace.rooms.find((r) => r.name === 'project-x')?.t).toBe('p');
    }, 120000);

    test('a file that is not a workspace file is refused with a clear message, and left alone', async () => {
        const file = path.join(dir, 'not-a-workspace.json');
        writeFileSync(file, '{"hello": 1}');
        const ws = launch(['--no-chat', '--data', file]);
        running.push(ws);
        const exit = await ws.stop('SIGCONT', 60000);
        expect(exit.code).toBe(1);
        expect(ws.stderr).toContain('not a Group Admin workspace file');
        expect(readFileSync(file, 'utf8')).toBe('{"hello": 1}');
    });
});

describe('stopping', () => {
    test('SIGTERM ends the Deno process, frees the port and exits 0', async () => {
        const ws = await start(['--no-chat']);
        const children = descendants(ws.pid);
        if (process.platform === 'linux') {
            expect(children.some((c) => /deno/.test(c.cmd))).toBe(true);
        }
        const exit = await ws.stop('SIGTERM');
        expect(exit).toEqual({ code: 0, signal: null });
        expect(ws.stdout).toContain('Stopped.');
        expect(await portIsFree(ws.port)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(children.filter((c) => isAlive(c.pid))).toEqual([]);
    });

    test('SIGINT (Ctrl-C) does the same while the chat reads stdin', async () => {
        const ws = await start([]);
        const children = descendants(ws.pid);
        const exit = await ws.stop('SIGINT');
        expect(exit.code).toBe(0);
        expect(await portIsFree(ws.port)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(children.filter((c) => isAlive(c.pid))).toEqual([]);
    });
});

describe('options', () => {
    test('--port <n> serves on that port; a second workspace on it fails fast with a clear message', async () => {
        const port = await freePort();
        const ws = await start(['--no-chat', '--port', String(port)]);
        expect(ws.port).toBe(port);
        expect(ws.stdout).toContain(`curl -s http://127.0.0.1:${port}/api/v1/login`);

        const clash = launch(['--no-chat', '--port', String(port)]);
        running.push(clash);
        const exit = await clash.stop('SIGCONT', 60000);
        expect(exit.code).toBe(1);
        expect(clash.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
        // The first one is unaffected.
        expect((await ws.request('POST', '/api/v1/login', { body: { user: 'alice', password: 'demo' } })).status).toBe(200);
    });

    test('--seed loads another workspace', async () => {
        const seed = path.join(dir, 'seed.json');
        writeFileSync(
            seed,
            JSON.stringify({
                settings: { E2E_Enable: true },
                users: [{ username: 'zoe', password: 'pw' }, { username: 'yann' }],
                rooms: [{ name: 'lab', type: 'private', owner: 'zoe', members: ['yann'] }],
            }),
        );
        const ws = await start(['--no-chat', '--seed', seed]);
        expect(ws.stdout).toContain(`from ${seed}`);
        expect(ws.stdout).toMatch(/#lab\s+private group/);
        // Each user's real login: zoe with "pw"; yann has none, and the guide says so instead of promising "pw".
        expect(ws.stdout).not.toMatch(/Users \(password "pw"\)/);
        expect(ws.stdout).toMatch(/^ {2}password "pw": zoe$/m);
        expect(ws.stdout).toMatch(/^ {2}no password, so no HTTP login .*: yann$/m);
        for (const password of ['pw', '', 'demo']) {
            expect((await ws.request('POST', '/api/v1/login', { body: { user: 'yann', password } })).status).toBe(401);
        }
        const zoe = await ws.login('zoe', 'pw');
        const answer = await ws.app('groups.setEncrypted', { roomName: 'lab', encrypted: true }, zoe);
        expect(answer.status).toBe(200);
        const info = await ws.get('/api/v1/groups.info?roomName=lab', zoe);
        expect(info.body.group).toMatchObject({ encrypted: true });
        expect((await ws.request('POST', '/api/v1/login', { body: { user: 'alice', password: 'demo' } })).status).toBe(401);
    });

    test('an invalid seed is refused with the seed loader\'s message', async () => {
        const seed = path.join(dir, 'bad-seed.json');
        writeFileSync(seed, JSON.stringify({ users: [{ username: 'zoe' }], rooms: [{ name: 'lab', type: 'private', owner: 'zed' }] }));
        const ws = launch(['--no-chat', '--seed', seed]);
        running.push(ws);
        const exit = await ws.stop('SIGCONT', 60000);
        expect(exit.code).toBe(1);
        expect(ws.stderr).toContain('unknown user "zed"');
    });

    test('--help prints the options; an unknown option is a usage error (exit 2)', async () => {
        const help = launch(['--help']);
        running.push(help);
        expect((await help.stop('SIGCONT', 60000)).code).toBe(0);
        for (const option of ['--port', '--no-chat', '--seed', '--data', '--confirm', '--no-package', '--quiet', '--no-proto-guard']) {
            expect(help.stdout).toContain(option);
        }
        const bad = launch(['--frobnicate']);
        running.push(bad);
        expect((await bad.stop('SIGCONT', 60000)).code).toBe(2);
        expect(bad.stderr).toContain('unknown option "--frobnicate"');
    });

    test('--quiet prints only the ready line; --confirm keeps confirm_changes on', async () => {
        const ws = await start(['--no-chat', '--quiet', '--confirm']);
        expect(ws.stdout.trim()).toMatch(/^Group Admin workspace ready on http:\/\/127\.0\.0\.1:\d+$/);
    });
});
