/**
 * The pieces of `npm start` on their own (no engine, no child process): option parsing, the atomic data file, the
 * HTTP front door with stub backends, the chat session with a stub engine over the demo workspace, and rendering.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { PassThrough, Writable } from 'stream';

import { ChatSession } from '../../host/chat/ChatSession.cjs';
import { TerminalChat } from '../../host/chat/terminal.cjs';
import type { ChatEngine } from '../../host/chat/ChatSession.cjs';
import { systemMessageText, table } from '../../host/chat/render.cjs';
import type { CommandRun } from '../../host/engine/EngineHost.cjs';
import { DataFile, readDataFile, writeFileAtomic } from '../../host/server/dataFile.cjs';
import type { DataFileContent } from '../../host/server/dataFile.cjs';
import { hasProtoKey, parseBody, PROTO_GUARD_BODY, WorkspaceHttpServer } from '../../host/server/http.cjs';
import type { AppBackend } from '../../host/server/http.cjs';
import { parseOptions, UsageError } from '../../host/server/options.cjs';
import { addGeneratedGroups, demoWorkspace, workspaceFromSeed } from '../../host/workspace/demo.cjs';
import { guideText, shellLines } from '../../host/server/guide.cjs';
import type { RestRequest, RestResponse } from '../../host/workspace/model.cjs';
import { hasStackTrace, httpRequest } from './child.cjs';

describe('options', () => {
    test('defaults: port 3000, chat on, confirm off, package on', () => {
        expect(parseOptions([])).toEqual({ port: 3000, chat: true, confirm: false, quiet: false, package: true, protoGuard: true, help: false });
    });

    test('--seed-groups <n>: a whole number of groups, at most MAX_SEED_GROUPS', () => {
        expect(parseOptions(['--seed-groups', '1500']).seedGroups).toBe(1500);
        expect(parseOptions(['--seed-groups=0']).seedGroups).toBe(0);
        for (const bad of ['-1', '1.5', 'many', '100001']) expect(() => parseOptions(['--seed-groups', bad])).toThrow(UsageError);
        expect(() => parseOptions(['--seed-groups'])).toThrow(UsageError);
    });

    test('addGeneratedGroups: deterministic private groups owned in turn by the plain users but dave, some encrypted, archived, discussions', () => {
        const { workspace } = demoWorkspace();
        const ids = addGeneratedGroups(workspace, 100);
        const rooms = ids.map((id) => workspace.getRoom(id)!);
        expect(rooms.map((r) => r.name).slice(0, 2)).toEqual(['group-00001', 'group-00002']);
        expect(rooms.every((r) => r.t === 'p')).toBe(true);
        expect(new Set(rooms.map((r) => r.u.username))).toEqual(new Set(['alice', 'bob', 'carol']));
        expect(rooms.filter((r) => r.encrypted).length).toBe(14);
        expect(rooms.filter((r) => r.e2eKeyId).length).toBe(7);
        expect(rooms.filter((r) => r.archived).length).toBe(1);
        expect(rooms[49].prid).toBe(ids[48]);
        expect(workspace.getUserRoomIds(workspace.getUserByUsername('dave')!._id).some((id) => ids.includes(id))).toBe(false);
    });

    test('--no-proto-guard turns the front proxy\'s __proto__ rule off; --proto-guard back on', () => {
        expect(parseOptions(['--no-proto-guard']).protoGuard).toBe(false);
        expect(parseOptions(['--no-proto-guard', '--proto-guard']).protoGuard).toBe(true);
        expect(() => parseOptions(['--no-proto-guard=1'])).toThrow(UsageError);
    });

    test('every option, both spellings', () => {
        expect(
            parseOptions(['--port', '3210', '--no-chat', '--seed', 's.json', '--data=d.json', '--confirm', '--quiet', '--no-package', '--user', 'bob', '--room', '#general']),
        ).toEqual({
            port: 3210,
            chat: false,
            seed: 's.json',
            data: 'd.json',
            confirm: true,
            quiet: true,
            package: false,
            user: 'bob',
            room: 'general',
            protoGuard: true,
            help: false,
        });
        expect(parseOptions(['--port=0']).port).toBe(0);
        expect(parseOptions(['-h']).help).toBe(true);
    });

    test.each([[['--port']], [['--port', 'abc']], [['--port', '70000']], [['--seed']], [['--data', '--no-chat']], [['--bogus']], [['--no-chat=1']], [['extra']]])(
        '%j is a usage error',
        (argv) => {
            expect(() => parseOptions(argv)).toThrow(UsageError);
        },
    );
});

describe('the data file', () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), 'group-admin-data-'));
    });
    afterEach(() => {
        rmSync(dir, { recursive: true, force: true });
    });

    const content = (n: number): DataFileContent => ({
        format: 'group-admin-workspace',
        version: 1,
        savedAt: new Date(0).toISOString(),
        serviceAccount: { userId: 'u', token: 't' },
        workspace: { n } as unknown as DataFileContent['workspace'],
    });

    test('writes atomically: no temporary file remains, the content is complete', () => {
        const file = path.join(dir, 'sub', 'ws.json');
        writeFileAtomic(file, '{"a":1}');
        expect(readFileSync(file, 'utf8')).toBe('{"a":1}');
        expect(readdirSync(path.dirname(file))).toEqual(['ws.json']);
    });

    test('debounces changes into one write and flush() writes what is pending', async () => {
        const file = path.join(dir, 'ws.json');
        let n = 0;
        const data = new DataFile(file, () => content(++n), 30);
        data.schedule();
        data.schedule();
        data.schedule();
        expect(existsSync(file)).toBe(false);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(data.writeCount).toBe(1);
        expect(readDataFile(file).workspace).toEqual({ n: 1 });
        data.schedule();
        expect(data.flush()).toBe(true);
        expect(data.writeCount).toBe(2);
        expect(data.flush()).toBe(true);
        expect(data.writeCount).toBe(2);
    });

    test('a failed write is reported and retried on the next flush', () => {
        const blocker = path.join(dir, 'not-a-dir');
        writeFileSync(blocker, 'x');
        const errors: string[] = [];
        const data = new DataFile(path.join(blocker, 'ws.json'), () => content(1), 10, (m) => errors.push(m));
        expect(data.writeNow()).toBe(false);
        expect(errors).toHaveLength(1);
    });

    test('readDataFile refuses other JSON', () => {
        const file = path.join(dir, 'x.json');
        writeFileSync(file, '[]');
        expect(() => readDataFile(file)).toThrow('expected a JSON object');
        writeFileSync(file, '{"format":"other"}');
        expect(() => readDataFile(file)).toThrow('not a Group Admin workspace file');
        writeFileSync(file, '{');
        expect(() => readDataFile(file)).toThrow('not a readable JSON file');
    });
});

describe('the HTTP front door (stub backends)', () => {
    const calls: Array<{ kind: string; method: string; path: string; body: unknown; headers: Record<string, string | undefined> }> = [];
    let server: WorkspaceHttpServer;
    let base = '';
    let appReady = true;
    const errors: string[] = [];
    const app: AppBackend = {
        id: 'app-1',
        callApi: async (call) => {
            calls.push({ kind: 'app', method: call.method ?? '', path: call.path, body: call.body, headers: call.headers ?? {} });
            if (call.path.endsWith('/boom')) {
                throw new Error('secret internal detail');
            }
            return { status: 200, body: { success: true } };
        },
    };

    beforeAll(async () => {
        server = new WorkspaceHttpServer({
            workspace: () => ({
                handleHttp: async (req: RestRequest): Promise<RestResponse> => {
                    calls.push({ kind: 'ws', method: req.method, path: req.path, body: req.body, headers: req.headers ?? {} });
                    return { status: 200, body: { success: true, query: req.query } };
                },
            }),
            app: () => (appReady ? app : undefined),
            logError: (m) => errors.push(m),
        });
        base = `http://127.0.0.1:${await server.listen(0)}`;
    });

    afterAll(async () => {
        await server.close();
    });

    beforeEach(() => {
        calls.length = 0;
        errors.length = 0;
        appReady = true;
    });

    test('/api/apps/public/<id>/<path> goes to the app with lower-case headers, the JSON body and the query', async () => {
        const answer = await httpRequest(`${base}/api/apps/public/app-1/groups.setEncrypted?x=1`, 'POST', { 'X-User-Id': 'u', 'Content-Type': 'application/json' }, '{"a":1}');
        expect(answer.status).toBe(200);
        expect(calls).toEqual([{ kind: 'app', method: 'POST', path: '/api/apps/public/app-1/groups.setEncrypted', body: { a: 1 }, headers: expect.objectContaining({ 'x-user-id': 'u' }) }]);
    });

    test('/api/v1/... goes to the workspace, with the query', async () => {
        const answer = await httpRequest(`${base}/api/v1/groups.info?roomName=project-x`, 'GET', {});
        expect(JSON.parse(answer.text)).toEqual({ success: true, query: { roomName: 'project-x' } });
        expect(calls[0]).toMatchObject({ kind: 'ws', method: 'GET', path: '/api/v1/groups.info', body: {} });
    });

    test("a body is read as its Content-Type says, as Rocket.Chat's routers read it (curl -d's JSON without the JSON type is a form)", async () => {
        await httpRequest(`${base}/api/v1/login`, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' }, '{"user":"alice"}');
        await httpRequest(`${base}/api/v1/login`, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'user=alice&password=demo');
        await httpRequest(`${base}/api/v1/login`, 'POST', { 'Content-Type': 'application/json' }, '{"user":"alice"}');
        expect(calls.map((c) => c.body)).toEqual([{ '{"user":"alice"}': '' }, { user: 'alice', password: 'demo' }, { user: 'alice' }]);
    });

    test('a handler that throws gives a 500 without its message or stack; the details go to the log', async () => {
        const answer = await httpRequest(`${base}/api/apps/public/app-1/boom`, 'POST', {}, '{}');
        expect(answer.status).toBe(500);
        expect(JSON.parse(answer.text)).toEqual({ success: false, error: 'Internal server error' });
        expect(answer.text).not.toContain('secret');
        expect(hasStackTrace(answer.text)).toBe(false);
        expect(errors.join('\n')).toContain('secret internal detail');
    });

    test('while the app is starting its endpoints answer 503', async () => {
        appReady = false;
        const answer = await httpRequest(`${base}/api/apps/public/app-1/groups.setEncrypted`, 'POST', {}, '{}');
        expect(answer.status).toBe(503);
        expect(JSON.parse(answer.text)).toMatchObject({ success: false, errorType: 'error-app-starting' });
    });

    test('a malformed request line gets a 400 JSON answer', async () => {
        const net = await import('net');
        const text = await new Promise<string>((resolve) => {
            const socket = net.connect(Number(base.split(':')[2]), '127.0.0.1', () => socket.write('NOT HTTP\r\n\r\n'));
            let data = '';
            socket.on('data', (chunk) => {
                data += chunk.toString();
            });
            socket.on('close', () => resolve(data));
        });
        expect(text).toMatch(/^HTTP\/1\.1 400/);
        expect(text).toContain('"success":false');
    });

    test("parseBody, the apps router (express.urlencoded + express.json): JSON only when labelled so, strict; forms; else the parsers' {}", () => {
        expect(parseBody(Buffer.from('  '), 'application/json')).toEqual({});
        expect(parseBody(Buffer.from('[1]'), 'application/json; charset=utf-8')).toEqual([1]);
        expect(() => parseBody(Buffer.from('{'), 'application/json')).toThrow('not valid JSON');
        expect(() => parseBody(Buffer.from('"x"'), 'application/json')).toThrow('not a JSON object or array');
        expect(parseBody(Buffer.from('a=1&b=2'), 'application/x-www-form-urlencoded')).toEqual({ a: '1', b: '2' });
        // Unlabelled or otherwise labelled JSON is never parsed (`curl -d` labels it a form: then it is one odd key).
        expect(parseBody(Buffer.from('{"roomName":"x"}'), undefined)).toEqual({});
        expect(parseBody(Buffer.from('{"roomName":"x"}'), 'text/plain')).toEqual({});
        expect(parseBody(Buffer.from('{"roomName":"x"}'), 'application/x-www-form-urlencoded')).toEqual({ '{"roomName":"x"}': '' });
    });

    test('parseBody, the REST API (http-router parseBodyParams): JSON when the type includes application/json, junk {}; forms; else the text', () => {
        expect(parseBody(Buffer.from('{"user":"a"}'), 'application/json', 'v1')).toEqual({ user: 'a' });
        expect(parseBody(Buffer.from('{'), 'application/json', 'v1')).toEqual({});
        expect(parseBody(Buffer.from('user=a'), 'application/x-www-form-urlencoded', 'v1')).toEqual({ user: 'a' });
        expect(parseBody(Buffer.from('{"user":"a"}'), 'text/plain', 'v1')).toBe('{"user":"a"}');
        expect(parseBody(Buffer.from(''), undefined, 'v1')).toEqual({});
    });
});

describe('the chat session (stub engine, demo workspace)', () => {
    function session(runs: Array<(userId: string) => Partial<CommandRun>> = []): {
        chat: ChatSession;
        out: string[];
        lines: string[];
        posted: string[];
        ws: ReturnType<typeof demoWorkspace>;
    } {
        const fixture = demoWorkspace();
        const out: string[] = [];
        const lines: string[] = [];
        const posted: string[] = [];
        const engine: ChatEngine = {
            commands: () => ['encrypt', 'settype', 'toteam'],
            runCommand: async (line, userId, roomId) => {
                lines.push(`${line}|${fixture.workspace.getUser(userId)?.username}|${fixture.workspace.getRoom(roomId)?.name}`);
                return { deliveries: [], ...(runs.shift()?.(userId) ?? {}) };
            },
        };
        const chat = new ChatSession({
            engine,
            workspace: () => fixture.workspace,
            postMessage: (rid, userId, text) => posted.push(`${fixture.workspace.getRoom(rid)?.name}|${fixture.workspace.getUser(userId)?.username}|${text}`),
            print: (text) => out.push(text),
            serviceUserId: fixture.serviceAccount.userId,
        });
        return { chat, out, lines, posted, ws: fixture };
    }

    test('starts as alice in project-x', () => {
        expect(session().chat.prompt).toBe('alice@project-x> ');
    });

    test('a slash command runs as the current user in the current room and prints the reply for that user only', async () => {
        const { chat, out, lines } = session([
            (userId) => ({
                deliveries: [
                    { kind: 'ephemeral', toUserId: userId, text: 'Done.\nSecond line', at: new Date() },
                    { kind: 'ephemeral', toUserId: 'someone-else', text: 'not for alice', at: new Date() },
                ],
            }),
        ]);
        await chat.handleLine('/encrypt on');
        expect(lines).toEqual(['/encrypt on|alice|project-x']);
        expect(out.join('\n')).toBe('(only you) Done.\n           Second line');
    });

    test('other lines are posted as the current user in the current room; not where they are no member, nor archived', async () => {
        const { chat, out, posted } = session();
        await chat.handleLine('hello team');
        expect(posted).toEqual(['project-x|alice|hello team']);
        expect(out).toEqual([]);
        await chat.handleLine(':user dave');
        await chat.handleLine(':user alice');
        await chat.handleLine(':room old-stuff');
        await chat.handleLine('anyone?');
        expect(out.pop()).toContain('#old-stuff is archived');
        expect(posted).toHaveLength(1);
    });

    test('an engine error and an empty run are reported', async () => {
        const { chat, out } = session([() => ({ error: 'boom' })]);
        await chat.handleLine('/encrypt on');
        expect(out.join('\n')).toContain('! The command failed: boom');
        await chat.handleLine('/encrypt on');
        expect(out.join('\n')).toContain('(no reply)');
    });

    test(':user / :room switch identity and room, refusing private rooms of others', async () => {
        const { chat, out } = session();
        await chat.handleLine(':user carol');
        expect(chat.prompt).toBe('carol@project-x> ');
        await chat.handleLine(':room eng-secrets');
        expect(out.pop()).toContain('carol is not a member of #eng-secrets');
        await chat.handleLine(':room #general');
        expect(chat.prompt).toBe('carol@general> ');
        await chat.handleLine(':user nobody');
        expect(out.pop()).toContain('There is no user "nobody"');
    });

    test('completion: commands, their words, rooms, users, meta commands', () => {
        const { chat } = session();
        expect(chat.complete('/en')).toEqual([['/encrypt '], '/en']);
        expect(chat.complete('/encrypt o')).toEqual([['on', 'off', 'old-stuff'], 'o']);
        expect(chat.complete('/settype p')[0]).toEqual(expect.arrayContaining(['public', 'private', 'project-x']));
        expect(chat.complete('/toteam #pro')).toEqual([['#project-x '], '#pro']);
        expect(chat.complete('/encrypt on project-x --d')).toEqual([['--dry-run '], '--d']);
        expect(chat.complete(':us')).toEqual([[':user', ':users'], ':us']);
        expect(chat.complete(':user d')).toEqual([['dave '], 'd']);
        expect(chat.complete(':room eng')).toEqual([['eng', 'eng-secrets'], 'eng']);
        expect(chat.complete('hello wor')).toEqual([[], 'wor']);
    });

    test('new messages are shown once, as they arrive, with time and room: the current room and your other rooms', async () => {
        const { chat, out, ws } = session();
        const room = ws.workspace.getRoomByName('project-x')!;
        const alice = ws.workspace.getUserByUsername('alice')!;
        const bob = ws.workspace.getUserByUsername('bob')!;
        await ws.workspace.handle({
            method: 'POST',
            path: '/api/v1/groups.setEncrypted',
            body: { roomId: room._id, encrypted: true },
            headers: { 'X-User-Id': alice._id, 'X-Auth-Token': ws.workspace.createAuthToken(alice._id) },
        });
        expect(chat.liveUpdate()).toMatch(/^\d\d:\d\d:\d\d #project-x \* This room's encryption has been enabled by alice$/);
        expect(chat.liveUpdate()).toBeUndefined();
        // Another of alice's rooms: shown at once, named.
        ws.workspace.postMessage(ws.workspace.getRoomByName('general')!._id, bob._id, 'lunch?');
        expect(chat.liveUpdate()).toMatch(/^\d\d:\d\d:\d\d #general bob: lunch\?$/);
        await chat.handleLine('/encrypt status');
        expect(out.join('\n')).not.toContain('has been enabled');
        expect(out.join('\n')).not.toContain('lunch');
    });

    test('messages of rooms the current user cannot see are not shown, then or later in a burst', async () => {
        const { chat, out, ws } = session();
        const alice = ws.workspace.getUserByUsername('alice')!;
        await chat.handleLine(':user dave');
        ws.workspace.postMessage(ws.workspace.getRoomByName('project-x')!._id, alice._id, 'secret plan');
        expect(chat.liveUpdate()).toBeUndefined();
        await chat.handleLine(':user alice');
        await chat.handleLine(':room project-x');
        expect(chat.liveUpdate()).toBeUndefined();
        expect(out.join('\n')).not.toContain('secret plan');
        await chat.handleLine(':log');
        expect(out.pop()).toContain('alice: secret plan');
    });

    test('ephemeral messages the app sends outside a command are shown live, once, only to their user', async () => {
        const { chat, ws } = session();
        const room = ws.workspace.getRoomByName('project-x')!;
        const alice = ws.workspace.getUserByUsername('alice')!;
        const bob = ws.workspace.getUserByUsername('bob')!;
        chat.noteDelivery({ kind: 'ephemeral', toUserId: bob._id, roomId: room._id, text: 'for bob', at: new Date() });
        chat.noteDelivery({ kind: 'ephemeral', toUserId: alice._id, roomId: room._id, text: 'Done.', at: new Date() });
        expect(chat.liveUpdate()).toMatch(/^\d\d:\d\d:\d\d #project-x \(only you\) Done\.$/);
        expect(chat.liveUpdate()).toBeUndefined();
    });

    test('a delivery reported live during a command is shown once, in the command\'s output', async () => {
        const out: string[] = [];
        const fixture = demoWorkspace();
        const alice = fixture.workspace.getUserByUsername('alice')!;
        const live: { chat?: ChatSession } = {};
        const engine: ChatEngine = {
            commands: () => ['encrypt'],
            runCommand: async () => {
                const delivery = { kind: 'ephemeral' as const, toUserId: alice._id, text: 'It is on.', at: new Date() };
                live.chat!.noteDelivery(delivery);
                expect(live.chat!.liveUpdate()).toBeUndefined();
                return { deliveries: [delivery] };
            },
        };
        const chat = new ChatSession({ engine, workspace: () => fixture.workspace, postMessage: () => undefined, print: (t) => out.push(t), serviceUserId: fixture.serviceAccount.userId });
        live.chat = chat;
        await chat.handleLine('/encrypt on');
        expect(chat.liveUpdate()).toBeUndefined();
        expect(out).toEqual(['(only you) It is on.']);
    });

    test(':confirm presses the submit button of the dialog the app opened for this user, :close closes it; none open: said so', async () => {
        const fixture = demoWorkspace();
        const alice = fixture.workspace.getUserByUsername('alice')!;
        const out: string[] = [];
        const view = { id: 'plan-1', appId: 'app', type: 'modal', title: { type: 'plain_text', text: 'Encryption on in 3 groups?' }, blocks: [], submit: { actionId: 'go' } };
        const answered: string[] = [];
        const engine: ChatEngine = {
            commands: () => ['encrypt'],
            runCommand: async () => ({ deliveries: [{ kind: 'uiInteraction', toUserId: alice._id, interaction: { type: 'modal.open', triggerId: 't', appId: 'app', view } as never, at: new Date() }] }),
            submitView: async (v, userId) => {
                answered.push(`submit ${(v as { id: string }).id} ${userId === alice._id}`);
                return { deliveries: [{ kind: 'ephemeral', toUserId: alice._id, text: 'Job J started.', at: new Date() }] };
            },
            closeView: async (v) => {
                answered.push(`close ${(v as { id: string }).id}`);
                return { deliveries: [] };
            },
        };
        const chat = new ChatSession({ engine, workspace: () => fixture.workspace, postMessage: () => undefined, print: (t) => out.push(t), serviceUserId: fixture.serviceAccount.userId });
        await chat.handleLine(':confirm');
        expect(out.pop()).toBe('! The app has no dialog open for alice');
        await chat.handleLine('/encrypt on --all');
        expect(out.pop()).toBe('(only you) The app opened "Encryption on in 3 groups?" to confirm; nothing is changed yet. :confirm presses its submit button, :close closes it.');
        await chat.handleLine(':confirm');
        expect(out.pop()).toBe('(only you) Job J started.');
        await chat.handleLine(':confirm');
        expect(out.pop()).toBe('! The app has no dialog open for alice');
        await chat.handleLine('/encrypt on --all');
        await chat.handleLine(':close');
        expect(out.pop()).toBe('(closed)');
        expect(answered).toEqual(['submit plan-1 true', 'close plan-1']);
    });

    test("a direct message's news is labelled with the other member, as Rocket.Chat's client names a DM", () => {
        const { chat, out, ws } = session();
        const { workspace } = ws;
        const alice = workspace.getUserByUsername('alice')!;
        const bob = workspace.getUserByUsername('bob')!;
        const dm = workspace.createDirectRoom([bob._id, alice._id]);
        workspace.postMessage(dm._id, bob._id, 'hello');
        expect(chat.liveUpdate()).toMatch(/^\d\d:\d\d:\d\d @bob bob: hello$/);
        expect(out).toEqual([]);
    });

    test.each([
        [':log project-x 0', 'not "0"'],
        [':log project-x abc', 'not "abc"'],
        [':log 0', 'not "0"'],
        [':log -3', 'not "-3"'],
        [':log project-x 2.5', 'not "2.5"'],
        [':log project-x 99999999999999999999', 'not "99999999999999999999"'],
    ])('%s: the count must be a positive whole number', async (line, detail) => {
        const { chat, out } = session();
        await chat.handleLine(line);
        expect(out).toEqual([`! :log [room] [n]: the number of messages must be a positive whole number, ${detail}`]);
    });

    test(':log [room] [n] in either order; an unknown room is named; three arguments are a usage error', async () => {
        const { chat, out, ws } = session();
        const general = ws.workspace.getRoomByName('general')!;
        const bob = ws.workspace.getUserByUsername('bob')!;
        for (const text of ['one', 'two', 'three']) {
            ws.workspace.postMessage(general._id, bob._id, text);
        }
        await chat.handleLine(':log general 2');
        expect(out.pop()).toMatch(/^#general — .* — 2 of 3 message\(s\)\n {2}\d\d:\d\d:\d\d bob: two\n {2}\d\d:\d\d:\d\d bob: three$/);
        await chat.handleLine(':log 1 #general');
        expect(out.pop()).toMatch(/1 of 3 message\(s\)\n {2}\S+ bob: three$/);
        await chat.handleLine(':log abc');
        expect(out.pop()).toBe('! There is no room "abc" — :rooms lists them');
        await chat.handleLine(':log a b c');
        expect(out.pop()).toBe('! Usage: :log [room] [n]');
    });

    test(':who and :rooms agree on #general\'s members and name the app\'s service account', async () => {
        const { chat, out } = session();
        await chat.handleLine(':room general');
        await chat.handleLine(':who');
        const who = out.pop()!;
        const members = who.split('\n').find((l) => l.startsWith('Members: '))!.slice('Members: '.length).split(', ');
        expect(members).toContain("group-admin.service (the app's service account)");
        await chat.handleLine(':rooms');
        const rooms = out.pop()!;
        expect(rooms).toMatch(new RegExp(`#general\\s+public channel\\s+off\\s+-\\s+${members.length}\\s`));
        expect(rooms).toContain("(members include group-admin.service (the app's service account) in #general)");
    });

    test(':rooms marks the current room and shows type, encryption, team, members and role', async () => {
        const { chat, out } = session();
        await chat.handleLine(':rooms');
        const text = out.join('\n');
        expect(text).toMatch(/^\*\s+#project-x\s+private group\s+off\s+-\s+3\s+owner$/m);
        expect(text).toMatch(/^\s+#eng-secrets\s+private group\s+off\s+eng\s+2\s+owner$/m);
    });
});

describe('the terminal', () => {
    test('a message that arrives while you type is printed above the prompt, and your partial line is redrawn', async () => {
        const fixture = demoWorkspace();
        const engine: ChatEngine = { commands: () => ['encrypt'], runCommand: async () => ({ deliveries: [] }) };
        const input = new PassThrough();
        let written = '';
        const output = new Writable({
            write(chunk: Buffer, _encoding, done) {
                written += chunk.toString('utf8');
                done();
            },
        });
        const session = new ChatSession({ engine, workspace: () => fixture.workspace, postMessage: () => undefined, print: (t) => chat.print(t), serviceUserId: fixture.serviceAccount.userId });
        const chat = new TerminalChat(session, { input, output, terminal: true });
        const ended = chat.run();
        input.write('hel');
        await new Promise((resolve) => setImmediate(resolve));
        written = '';
        const bob = fixture.workspace.getUserByUsername('bob')!;
        fixture.workspace.postMessage(fixture.workspace.getRoomByName('project-x')!._id, bob._id, 'hi there');
        chat.notifyChange();
        await new Promise((resolve) => setTimeout(resolve, 20));
        // Clear the line, go to column 0, the message with time and room, then the prompt with the partial input.
        expect(written).toMatch(/^\x1b\[2K\x1b\[1G\d\d:\d\d:\d\d #project-x bob: hi there\n[^]*alice@project-x> hel/);
        chat.close();
        await ended;
    });
});

describe('the front proxy\'s __proto__ rule (engine issue 1)', () => {
    test('hasProtoKey finds a __proto__ own key anywhere: top level, nested objects, arrays, any JSON spelling', () => {
        const parse = (text: string): unknown => parseBody(Buffer.from(text), 'application/json');
        for (const text of [
            '{"__proto__":{}}',
            '{"roomName":"project-x","encrypted":true,"__proto__":{}}',
            '{"a":{"b":{"__proto__":1}}}',
            '[{"__proto__":null}]',
            '{"a":[1,[2,{"c":{"__proto__":"x"}}]]}',
            '{"\\u005f_proto__":{}}',
            '{"\\u005F\\u005Fproto\\u005F\\u005F":1}',
        ]) {
            expect({ text, found: hasProtoKey(parse(text)) }).toEqual({ text, found: true });
        }
        // A form body (`__proto__=x`, also URL-encoded) keeps it as an own key too.
        expect(hasProtoKey(parseBody(Buffer.from('%5F%5Fproto%5F%5F=x'), 'application/x-www-form-urlencoded'))).toBe(true);
        expect(hasProtoKey(parseBody(Buffer.from('a=1&__proto__=x'), 'application/x-www-form-urlencoded'))).toBe(true);
    });

    test('hasProtoKey leaves alone what has no such key: the word as a value, similar keys, scalars, a plain assignment', () => {
        const parse = (text: string): unknown => parseBody(Buffer.from(text), 'application/json');
        for (const text of ['{"roomName":"__proto__"}', '["__proto__"]', '{"_proto_":1,"__proto":2,"proto__":3,"constructor":{"prototype":{}}}', '[]', '{}']) {
            expect({ text, found: hasProtoKey(parse(text)) }).toEqual({ text, found: false });
        }
        expect(hasProtoKey(undefined)).toBe(false);
        const assigned: Record<string, unknown> = {};
        assigned['__proto__'] = { x: 1 }; // sets the prototype, no own key
        expect(hasProtoKey(assigned)).toBe(false);
    });

    test('hasProtoKey survives very deep nesting and cycles', () => {
        const deep = JSON.parse(`${'['.repeat(100000)}{"__proto__":1}${']'.repeat(100000)}`) as unknown;
        expect(hasProtoKey(deep)).toBe(true);
        const cyclic: Record<string, unknown> = { a: 1 };
        cyclic.self = cyclic;
        expect(hasProtoKey(cyclic)).toBe(false);
    });

    describe('in the HTTP front door (stub app)', () => {
        const seen: unknown[] = [];
        const app: AppBackend = {
            id: 'app-1',
            callApi: async (call) => {
                seen.push(call.body);
                return { status: 200, body: { success: true } };
            },
        };
        const servers: WorkspaceHttpServer[] = [];
        const serve = async (protoGuard: boolean | undefined): Promise<string> => {
            const server = new WorkspaceHttpServer({
                workspace: () => ({ handleHttp: async () => ({ status: 200, body: { success: true } }) }),
                app: () => app,
                ...(protoGuard === undefined ? {} : { protoGuard }),
            });
            servers.push(server);
            return `http://127.0.0.1:${await server.listen(0)}`;
        };

        afterAll(async () => {
            await Promise.all(servers.map((s) => s.close()));
        });

        beforeEach(() => {
            seen.length = 0;
        });

        test('on: 400 with the proxy\'s answer for /api/apps/public and /api/apps/private, the app never called; valid bodies pass', async () => {
            const base = await serve(true);
            for (const target of ['/api/apps/public/app-1/groups.setEncrypted', '/api/apps/private/app-1/x/groups.setEncrypted']) {
                const answer = await httpRequest(`${base}${target}`, 'POST', { 'Content-Type': 'application/json' }, '{"roomName":"p","x":[{"__proto__":{}}]}');
                expect(answer.status).toBe(400);
                expect(JSON.parse(answer.text)).toEqual(PROTO_GUARD_BODY);
            }
            const form = await httpRequest(`${base}/api/apps/public/app-1/groups.setEncrypted`, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' }, '__proto__=x');
            expect(form.status).toBe(400);
            expect(seen).toEqual([]);

            const ok = await httpRequest(`${base}/api/apps/public/app-1/groups.setEncrypted`, 'POST', { 'Content-Type': 'application/json' }, '{"roomName":"__proto__"}');
            expect(ok.status).toBe(200);
            expect(seen).toEqual([{ roomName: '__proto__' }]);
            // Outside /api/apps/ the rule does not apply; malformed JSON is still Rocket.Chat's own 400.
            expect((await httpRequest(`${base}/api/v1/login`, 'POST', { 'Content-Type': 'application/json' }, '{"__proto__":{}}')).status).toBe(200);
            const junk = await httpRequest(`${base}/api/apps/public/app-1/groups.setEncrypted`, 'POST', { 'Content-Type': 'application/json' }, '{"__proto__":');
            expect(JSON.parse(junk.text)).toMatchObject({ success: false, error: 'The request body is not valid JSON [error-invalid-body]' });
        });

        test('off (the default of WorkspaceHttpServer, --no-proto-guard in npm start): the body reaches the app as Rocket.Chat passes it', async () => {
            for (const base of [await serve(false), await serve(undefined)]) {
                const answer = await httpRequest(`${base}/api/apps/public/app-1/groups.setEncrypted`, 'POST', { 'Content-Type': 'application/json' }, '{"__proto__":{"a":1}}');
                expect(answer.status).toBe(200);
            }
            expect(seen).toHaveLength(2);
            expect(seen.every((body) => hasProtoKey(body))).toBe(true);
        });

        test('a body not labelled JSON or form reaches no parser: the proxy lets it pass and the app gets {}', async () => {
            const base = await serve(true);
            const answer = await httpRequest(`${base}/api/apps/public/app-1/groups.setEncrypted`, 'POST', { 'Content-Type': 'text/plain' }, '{"__proto__":{"a":1}}');
            expect(answer.status).toBe(200);
            expect(seen).toEqual([{}]);
        });
    });
});

describe('the guide', () => {
    const base = { baseUrl: 'http://127.0.0.1:65535', appId: '324ff4de-c7fb-4fd4-8bf8-b67d53ec99bb', commands: ['encrypt'], confirmChanges: false, loadedFromData: false };

    test('every user\'s real login: grouped by password; no password and inactive say so', () => {
        const seeded = workspaceFromSeed({
            users: [
                { username: 'zoe', password: 'pw' },
                { username: 'yann' },
                { username: 'xavier', password: 'x y', roles: ['admin', 'user'] },
                { username: 'wes', password: 'pw', active: false },
            ],
        });
        const text = guideText({ ...base, workspace: seeded.workspace, serviceUserId: seeded.serviceAccount.userId });
        expect(text).toContain('Users and how they log in (POST /api/v1/login):');
        expect(text).toMatch(/^ {2}password "pw": zoe$/m);
        expect(text).toMatch(/^ {2}password "x y": xavier \(admin\)$/m);
        expect(text).toMatch(/^ {2}no password, so no HTTP login .*: yann$/m);
        expect(text).toMatch(/^ {2}inactive: cannot log in: wes$/m);
        expect(text).not.toMatch(/Users \(password/);
    });

    test('one password for everyone stays one line; the service account is named for what it is', () => {
        const demo = demoWorkspace();
        const text = guideText({ ...base, workspace: demo.workspace, serviceUserId: demo.serviceAccount.userId });
        expect(text).toContain('Users (password "demo"): admin (admin), alice, bob, carol, dave');
        expect(text).toContain('Service account: group-admin.service (admin, user), the account the app makes its changes as');
        // #general: the same count as :rooms (everyone subscribed), the service account among them.
        const general = demo.workspace.getMembers(demo.workspace.getRoomByName('general')!._id).length;
        expect(text).toMatch(new RegExp(`#general\\s+public channel\\s+${general} members, among them group-admin\\.service \\(the app's service account\\)`));
    });

    test('curl lines: at most 100 columns, continued with " \\", a user without password gets no login line', () => {
        const seeded = workspaceFromSeed({ users: [{ username: 'zoe', password: 'pw' }, { username: 'yann' }], rooms: [{ name: 'lab', type: 'p', owner: 'yann' }] });
        const yann = seeded.workspace.getUserByUsername('yann')!;
        const text = guideText({
            ...base,
            workspace: seeded.workspace,
            serviceUserId: seeded.serviceAccount.userId,
            endpoints: ['groups.history'],
            exampleRoom: 'lab',
            curlUser: { username: 'yann', userId: yann._id, token: 'T'.repeat(43) },
        });
        expect(text).toContain('yann has no password, so no login line');
        expect(text).not.toContain('/api/v1/login -H');
        const curl = text.split('\n').filter((l) => /^curl |^ {2}\S/.test(l));
        expect(curl.length).toBeGreaterThan(4);
        expect(Math.max(...curl.map((l) => l.length))).toBeLessThanOrEqual(100);
        expect(text).toMatch(/^curl -s -G \\\n {2}http:\/\/127\.0\.0\.1:65535\/api\/apps\/public\/324ff4de-c7fb-4fd4-8bf8-b67d53ec99bb\/groups\.history \\\n {2}-d roomName=lab/m);
    });

    test('the front proxy\'s __proto__ rule: one line, on or off, next to the curl lines; not mentioned when not given', () => {
        const demo = demoWorkspace();
        const alice = demo.workspace.getUserByUsername('alice')!;
        const input = { ...base, workspace: demo.workspace, serviceUserId: demo.serviceAccount.userId, curlUser: { username: 'alice', userId: alice._id, token: 'T' } };
        const on = guideText({ ...input, protoGuard: true });
        expect(on).toContain('# The front proxy (not Rocket.Chat) is on: 400 to /api/apps/ bodies with a "__proto__" key\n');
        const off = guideText({ ...input, protoGuard: false });
        expect(off).toContain('# Front proxy off (--no-proto-guard): an app request body with a "__proto__" key stops the app ~50 s\n');
        expect(guideText(input)).not.toContain('__proto__');
        for (const text of [on, off]) {
            expect(Math.max(...text.split('\n').filter((l) => l.includes('__proto__')).map((l) => l.length))).toBeLessThanOrEqual(100);
        }
    });

    test('shellLines packs units and never splits one', () => {
        expect(shellLines(['curl -s', 'http://x', "-H 'A: b'"])).toEqual(["curl -s http://x -H 'A: b'"]);
        expect(shellLines(['curl', 'a'.repeat(120), 'b'], '  ', 100)).toEqual(['  curl \\', `    ${'a'.repeat(120)} \\`, '    b']);
    });
});

describe('rendering', () => {
    test("system messages read as Rocket.Chat's", () => {
        const u = { _id: '1', username: 'svc' };
        expect(systemMessageText({ t: 'room_e2e_enabled', msg: 'svc', u })).toBe("This room's encryption has been enabled by svc");
        expect(systemMessageText({ t: 'room_e2e_disabled', msg: 'svc', u })).toBe("This room's encryption has been disabled by svc");
        expect(systemMessageText({ t: 'room_changed_privacy', msg: 'Public', u })).toBe('svc changed the room type to Public');
        expect(systemMessageText({ t: 'user-converted-to-team', msg: 'project-x', u })).toBe('svc converted #project-x to a team');
        expect(systemMessageText({ t: 'something-new', msg: 'x', u })).toBe('svc [something-new] x');
    });

    test('table aligns columns', () => {
        expect(table([['a', 'bb'], ['ccc', 'd']], '')).toBe('a    bb\nccc  d');
    });
});
