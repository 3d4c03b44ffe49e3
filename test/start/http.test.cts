/**
 * `npm start -- --no-chat`: the app's endpoints and the workspace's read endpoints over real HTTP, in a child process
 * running the real Apps-Engine with the packaged zip. Tests run in order on one workspace; each states what it changes.
 */
import { PROTO_GUARD_BODY } from '../../host/server/http.cjs';
import { APP_ID, hasStackTrace, startedWithoutRateLimits } from './child.cjs';
import type { StartedWorkspace } from './child.cjs';

const NOT_FOUND = 'The required "roomId" or "roomName" param provided does not match any group';
const UNAUTHORIZED = {
    success: false,
    error: 'You must be logged in to do this.',
    status: 'error',
    message: 'You must be logged in to do this.',
};

let ws: StartedWorkspace;
let alice: Record<string, string>;
let dave: Record<string, string>;

beforeAll(async () => {
    // The demo, with Rocket.Chat's REST rate limiter off: these tests call groups.info more than 10 times a minute from
    // one address (test/start/guide.test.cts checks the limiter's headers on the demo as it is).
    ws = await startedWithoutRateLimits();
    alice = await ws.login('alice');
    dave = await ws.login('dave');
}, 90000);

afterAll(async () => {
    await ws?.kill();
});

describe('issue 16\'s "done when": a change made with curl against Rocket.Chat\'s own endpoint is on record', () => {
    test('POST /api/v1/groups.setEncrypted as alice → GET groups.history has it with door rocket.chat and alice; through the app: once', async () => {
        const own = await ws.request('POST', '/api/v1/groups.setEncrypted', { body: { roomName: 'eng', encrypted: true }, headers: alice });
        expect(own.status).toBe(200);
        const viaApp = await ws.app('groups.setEncrypted', { roomName: 'eng', encrypted: false }, alice);
        expect(viaApp.status).toBe(200);
        let history: Array<{ door: string; actor: { username: string }; to: unknown }> = [];
        for (let i = 0; i < 50 && history.length < 2; i++) {
            history = (await ws.get(`/api/apps/public/${APP_ID}/groups.history?roomName=eng`, alice)).body.history as typeof history;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(history.map((r) => `${r.actor.username} ${String(r.to)} ${r.door}`)).toEqual(['alice false endpoint', 'alice true rocket.chat']);
    });
});

describe('the issue\'s "done when"', () => {
    test('alice turns encryption on for project-x through the app: 200, group.encrypted, and groups.info shows it', async () => {
        const before = await ws.get('/api/v1/groups.info?roomName=project-x', alice);
        expect(before.status).toBe(200);
        expect((before.body.group as { encrypted?: boolean }).encrypted).not.toBe(true);

        const answer = await ws.app('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, alice);
        expect(answer.status).toBe(200);
        expect(answer.body.success).toBe(true);
        expect(answer.body.group).toMatchObject({ name: 'project-x', t: 'p', encrypted: true });

        const info = await ws.get('/api/v1/groups.info?roomName=project-x', alice);
        expect(info.status).toBe(200);
        expect(info.body.group).toMatchObject({ name: 'project-x', encrypted: true });
    });

    test('the same as dave (not a member) gets Rocket.Chat\'s not-found error', async () => {
        const answer = await ws.app('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, dave);
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({
            success: false,
            error: `${NOT_FOUND} [error-room-not-found]`,
            errorType: 'error-room-not-found',
        });
    });
});

describe('login and the workspace read endpoints', () => {
    test('POST /api/v1/login answers as Rocket.Chat: status success, data.userId, data.authToken', async () => {
        const answer = await ws.request('POST', '/api/v1/login', { body: { user: 'alice', password: 'demo' } });
        expect(answer.status).toBe(200);
        expect(answer.body.status).toBe('success');
        const data = answer.body.data as { userId: string; authToken: string; me?: { username: string } };
        expect(typeof data.userId).toBe('string');
        expect(typeof data.authToken).toBe('string');
        expect(data.me?.username).toBe('alice');
    });

    test('a wrong password is refused with 401', async () => {
        const answer = await ws.request('POST', '/api/v1/login', { body: { user: 'alice', password: 'nope' } });
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual({ success: false, error: 'unauthorized' });
    });

    test('/api/v1/me is the logged-in user; 401 without or with wrong credentials', async () => {
        const me = await ws.get('/api/v1/me', alice);
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ username: 'alice', success: true });
        expect(JSON.stringify(me.body)).not.toContain('demo');

        const anonymous = await ws.get('/api/v1/me');
        expect(anonymous.status).toBe(401);
        expect(anonymous.body).toEqual(UNAUTHORIZED);

        const forged = await ws.get('/api/v1/me', { 'X-User-Id': alice['X-User-Id'], 'X-Auth-Token': 'not-a-token' });
        expect(forged.status).toBe(401);
    });

    test('channels.info, teams.info and permissions.listAll read the workspace', async () => {
        const channel = await ws.get('/api/v1/channels.info?roomName=general', alice);
        expect(channel.status).toBe(200);
        expect(channel.body.channel).toMatchObject({ name: 'general', t: 'c' });

        const team = await ws.get('/api/v1/teams.info?teamName=eng', alice);
        expect(team.status).toBe(200);
        expect(team.body.teamInfo).toMatchObject({ name: 'eng', type: 1 });

        const permissions = await ws.get('/api/v1/permissions.listAll', alice);
        expect(permissions.status).toBe(200);
        const update = permissions.body.update as Array<{ _id: string; roles: string[] }>;
        expect(update.find((p) => p._id === 'toggle-room-e2e-encryption')?.roles).toEqual(expect.arrayContaining(['owner', 'admin']));
    });

    test('E2E_Enable is on and old-stuff is archived (the demo workspace)', async () => {
        const answer = await ws.app('groups.setEncrypted', { roomName: 'old-stuff', encrypted: true }, alice);
        expect(answer.status).toBe(400);
        expect(answer.body.errorType).toBe('error-room-archived');
    });
});

describe('the app endpoints behind Rocket.Chat authentication', () => {
    // As the apps router's authenticationMiddleware: `res.status(401).send('Unauthorized')`, plain text (not REST v1's JSON).
    test.each(['groups.setEncrypted', 'groups.setType', 'groups.convertToTeam'])('%s answers 401 "Unauthorized" without credentials', async (endpoint) => {
        const answer = await ws.app(endpoint, { roomName: 'project-x' });
        expect(answer.status).toBe(401);
        expect(answer.text).toBe('Unauthorized');
        expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    });

    test('a wrong token is 401 too', async () => {
        const answer = await ws.app('groups.setEncrypted', { roomName: 'project-x', encrypted: false }, { ...alice, 'X-Auth-Token': 'x' });
        expect(answer.status).toBe(401);
    });

    test('dryRun changes nothing', async () => {
        const answer = await ws.app('groups.setType', { roomName: 'project-x', type: 'c', dryRun: true }, alice);
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ success: true, dryRun: true });
        const info = await ws.get('/api/v1/groups.info?roomName=project-x', alice);
        expect(info.body.group).toMatchObject({ t: 'p' });
    });

    test('a moderator may not toggle encryption (Rocket.Chat\'s permission rule)', async () => {
        const bob = await ws.login('bob');
        const answer = await ws.app('groups.setEncrypted', { roomName: 'project-x', encrypted: false }, bob);
        expect(answer.status).toBe(400);
        expect(answer.body.error).toContain('You do not have permission to toggle E2E encryption');
    });

    test('groups.setType makes project-x public (channels.info shows it) and back private', async () => {
        const toPublic = await ws.app('groups.setType', { roomName: 'project-x', type: 'c' }, alice);
        expect(toPublic.status).toBe(200);
        expect(toPublic.body.group).toMatchObject({ name: 'project-x', t: 'c' });
        const channel = await ws.get('/api/v1/channels.info?roomName=project-x', alice);
        expect(channel.status).toBe(200);
        expect(channel.body.channel).toMatchObject({ t: 'c' });

        const toPrivate = await ws.app('groups.setType', { roomName: 'project-x', type: 'p' }, alice);
        expect(toPrivate.status).toBe(200);
        const group = await ws.get('/api/v1/groups.info?roomName=project-x', alice);
        expect(group.body.group).toMatchObject({ t: 'p' });
    });

    test('groups.convertToTeam makes project-x a team (teams.info shows it); again → team-name-already-exists', async () => {
        const answer = await ws.app('groups.convertToTeam', { roomName: 'project-x' }, alice);
        expect(answer.status).toBe(200);
        expect(answer.body.team).toMatchObject({ name: 'project-x', type: 1 });
        const team = await ws.get('/api/v1/teams.info?teamName=project-x', alice);
        expect(team.status).toBe(200);
        expect(team.body.teamInfo).toMatchObject({ name: 'project-x' });
        const info = await ws.get('/api/v1/groups.info?roomName=project-x', alice);
        expect(info.body.group).toMatchObject({ teamMain: true });

        const again = await ws.app('groups.convertToTeam', { roomName: 'project-x' }, alice);
        expect(again.status).toBe(400);
        expect(again.body).toEqual({ success: false, error: 'team-name-already-exists' });
    });

    test('a body that is not a JSON object gets the app\'s 400 error-invalid-body', async () => {
        const answer = await ws.request('POST', `/api/apps/public/${APP_ID}/groups.setEncrypted`, { raw: '[1,2]', headers: alice });
        expect(answer.status).toBe(400);
        expect(answer.body).toMatchObject({ success: false, errorType: 'error-invalid-body' });
    });
});

describe('the front proxy\'s __proto__ rule (SECURITY.md, engine issue 1), on by default', () => {
    const target = `/api/apps/public/${APP_ID}/groups.setEncrypted`;

    test('the guide says the front proxy is on', () => {
        expect(ws.stdout).toContain('# The front proxy (not Rocket.Chat) is on: 400 to /api/apps/ bodies with a "__proto__" key');
    });

    test('a poisoned body gets the proxy\'s 400 at once, and a valid request right after it works at once', async () => {
        const poisoned = [
            '{"roomName":"project-x","encrypted":true,"__proto__":{}}',
            '{"roomName":"project-x","encrypted":true,"\\u005f_proto__":{}}',
            '{"roomName":"project-x","encrypted":true,"extra":[{"a":{"__proto__":1}}]}',
        ];
        for (const raw of poisoned) {
            const answer = await ws.request('POST', target, { raw, headers: alice });
            expect({ raw, status: answer.status, body: answer.body }).toEqual({ raw, status: 400, body: PROTO_GUARD_BODY });
        }
        const form = await ws.request('POST', target, { raw: 'roomName=project-x&%5F%5Fproto%5F%5F=x', headers: { ...alice, 'Content-Type': 'application/x-www-form-urlencoded' } });
        expect(form.status).toBe(400);

        // Had any of them reached the engine, its Deno runtime would have stopped: this call would time out after 30 s.
        const before = Date.now();
        const valid = await ws.app('groups.setEncrypted', { roomName: 'project-x', encrypted: true, dryRun: true }, alice);
        expect(valid.status).toBe(200);
        expect(valid.body).toMatchObject({ success: true });
        expect(Date.now() - before).toBeLessThan(5000);
    });

    test('the word as a value is no key: it reaches the app (not-found for that room name)', async () => {
        const answer = await ws.app('groups.setEncrypted', { roomName: '__proto__', encrypted: true }, alice);
        expect(answer.status).toBe(400);
        expect(answer.body.errorType).toBe('error-room-not-found');
    });
});

describe('bad requests get Rocket.Chat-shaped errors, never a stack trace', () => {
    test('malformed JSON → 400 { success: false, error } at an app endpoint; the REST API reads it as {} (http-router parseBodyParams)', async () => {
        const answer = await ws.request('POST', `/api/apps/public/${APP_ID}/groups.setEncrypted`, { raw: '{"roomName": ', headers: alice });
        expect(answer.status).toBe(400);
        expect(answer.body.success).toBe(false);
        expect(typeof answer.body.error).toBe('string');
        expect(hasStackTrace(answer.text)).toBe(false);
        const login = await ws.request('POST', '/api/v1/login', { raw: '{"user": ' });
        expect(login.status).toBe(401);
        expect(hasStackTrace(login.text)).toBe(false);
    });

    test("unknown app paths → the apps router's plain-text 404 (another app id, an unknown endpoint)", async () => {
        for (const target of ['/api/apps/public/not-the-app/groups.setEncrypted', `/api/apps/public/${APP_ID}/nope`]) {
            const answer = await ws.request('POST', target, { body: {}, headers: alice });
            expect({ target, status: answer.status, text: answer.text }).toEqual({ target, status: 404, text: 'Not Found' });
        }
    });

    test('unknown paths → 404 JSON (outside /api, under /api/v1)', async () => {
        for (const target of ['/', '/nope', '/api/v1/nope']) {
            const answer = await ws.request('POST', target, { body: {}, headers: alice });
            expect({ target, status: answer.status }).toEqual({ target, status: 404 });
            expect(answer.body.success).toBe(false);
            expect(answer.text).not.toContain('<html');
        }
    });

    test("a GET on a POST-only app endpoint: the runtime's refusal, 500 in plain text, as Rocket.Chat's apps router answers it", async () => {
        const answer = await ws.get(`/api/apps/public/${APP_ID}/groups.setEncrypted`, alice);
        expect({ status: answer.status, text: answer.text }).toEqual({ status: 500, text: "groups.setEncrypted's get not exists" });
    });

    test('a body over 1 MiB → 413', async () => {
        const answer = await ws.request('POST', '/api/v1/login', { raw: `{"user":"${'x'.repeat(1024 * 1024 + 10)}"}` });
        expect(answer.status).toBe(413);
        expect(answer.body.success).toBe(false);
    });

    test('the server listens on 127.0.0.1 only', async () => {
        expect(ws.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    test('the app logged no error and the server printed none', async () => {
        expect(ws.stderr).not.toMatch(/unexpected error|Internal server error|failed/i);
    });
});
