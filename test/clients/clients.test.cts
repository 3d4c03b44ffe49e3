/**
 * Rocket.Chat's own JavaScript clients against the local workspace (`npm start`), unchanged, through their public API
 * (contract §10): `@rocket.chat/api-client` (the REST client of Rocket.Chat's web app) and the REST part of
 * `@rocket.chat/sdk`. Login by password (plain and SHA-256 digest) and by resume token, `me`, logout (POST and GET: the
 * token stops working), `/api/info`, JSON 401 bodies — each as upstream `apps/meteor/app/api/server/ApiClass.ts`
 * answers — and the app's own endpoints reached through the same client.
 */
import { createHash } from 'crypto';

import { RestClient } from '@rocket.chat/api-client';
import SdkApi from '@rocket.chat/sdk/lib/api/api';

import { APP_ID, startedWithoutRateLimits } from '../start/child.cjs';
import type { StartedWorkspace } from '../start/child.cjs';

let ws: StartedWorkspace;

beforeAll(async () => {
    // The demo with Rocket.Chat's REST rate limiter off: these tests log in more than 10 times a minute from one address.
    ws = await startedWithoutRateLimits();
}, 90000);

afterAll(async () => {
    await ws?.kill();
});

interface LoginData {
    userId: string;
    authToken: string;
    me: { username: string };
}

/** The client's `post`/`get` for paths outside its typed table (the app's endpoints, `/api/info`). */
type Untyped = (endpoint: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;

function client(credentials?: { 'X-User-Id': string; 'X-Auth-Token': string }): RestClient {
    return new RestClient({ baseUrl: ws.baseUrl, ...(credentials ? { credentials } : {}) });
}

async function login(body: Record<string, unknown>): Promise<LoginData> {
    const answer = (await (client().post as unknown as Untyped)('/v1/login', body)) as { status: string; data: LoginData };
    expect(answer.status).toBe('success');
    return answer.data;
}

/** What a refused call of the api-client throws: the Response, whose JSON body the caller reads. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
    try {
        await call;
    } catch (error) {
        const response = error as { status: number; json(): Promise<unknown> };
        return { status: response.status, body: await response.json() };
    }
    throw new Error('the call was not refused');
}

describe('@rocket.chat/api-client', () => {
    test('login with a plain password, then /v1/me with the credentials it returned', async () => {
        const data = await login({ user: 'alice', password: 'demo' });
        expect(data.me.username).toBe('alice');
        const me = await client({ 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken }).get('/v1/me');
        expect(me).toMatchObject({ username: 'alice', success: true });
    });

    test('login with { digest, algorithm: "sha-256" } (what Meteor clients send instead of the password)', async () => {
        const digest = createHash('sha256').update('demo').digest('hex');
        const data = await login({ user: 'bob', password: { digest, algorithm: 'sha-256' } });
        expect(data.me.username).toBe('bob');
        const wrong = createHash('sha256').update('nope').digest('hex');
        expect(await refusal((client().post as unknown as Untyped)('/v1/login', { user: 'bob', password: { digest: wrong, algorithm: 'sha-256' } }))).toEqual({
            status: 401,
            body: { success: false, error: 'unauthorized' },
        });
    });

    test('login with { resume: token } gives a new token for the same user; an unknown token is a 401', async () => {
        const first = await login({ user: 'carol', password: 'demo' });
        const resumed = await login({ resume: first.authToken });
        expect(resumed.userId).toBe(first.userId);
        expect(resumed.authToken).not.toBe(first.authToken);
        expect((await refusal((client().post as unknown as Untyped)('/v1/login', { resume: 'not-a-token' }))).status).toBe(401);
    });

    test('POST /v1/logout: that token stops working (JSON 401), another login of the user keeps working', async () => {
        const kept = await login({ user: 'dave', password: 'demo' });
        const data = await login({ user: 'dave', password: 'demo' });
        const rest = client({ 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken });
        expect(await rest.post('/v1/logout')).toEqual({ status: 'success', data: { message: "You've been logged out!" } });
        expect(await refusal(rest.get('/v1/me'))).toEqual({
            status: 401,
            body: { success: false, status: 'error', message: 'You must be logged in to do this.', error: 'You must be logged in to do this.' },
        });
        expect(await client({ 'X-User-Id': kept.userId, 'X-Auth-Token': kept.authToken }).get('/v1/me')).toMatchObject({ username: 'dave' });
    });

    test('GET /api/info (outside /v1) answers the version', async () => {
        const info = await (client().get as unknown as Untyped)('/info');
        expect(info).toEqual({ version: '8.4', success: true });
    });

    test('the app\'s endpoints through the same client: groups.setEncrypted and groups.history', async () => {
        const data = await login({ user: 'alice', password: 'demo' });
        const rest = client({ 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken });
        const changed = await (rest.post as unknown as Untyped)(`/apps/public/${APP_ID}/groups.setEncrypted`, { roomName: 'project-x', encrypted: true });
        expect(changed).toMatchObject({ success: true, group: { name: 'project-x', encrypted: true } });
        const history = await (rest.get as unknown as Untyped)(`/apps/public/${APP_ID}/groups.history`, { roomName: 'project-x' });
        expect(history).toMatchObject({ success: true, total: 1, history: [expect.objectContaining({ operation: expect.any(String) })] });
    });
});

describe('@rocket.chat/sdk (REST part)', () => {
    test('login, a call with the token, logout (the token stops working)', async () => {
        const api = new SdkApi({ host: ws.baseUrl });
        const data = (await api.login({ username: 'alice', password: 'demo' })) as LoginData;
        expect(data.me.username).toBe('alice');
        expect(await api.get('me')).toMatchObject({ username: 'alice' });
        await api.logout();
        const me = await ws.get('/api/v1/me', { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken });
        expect(me.status).toBe(401);
    });

    test('GET /api/v1/logout (what older SDK releases send) logs out too', async () => {
        const data = await login({ user: 'bob', password: 'demo' });
        const headers = { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken };
        const out = await ws.get('/api/v1/logout', headers);
        expect(out).toMatchObject({ status: 200, body: { status: 'success', data: { message: "You've been logged out!" } } });
        expect((await ws.get('/api/v1/me', headers)).status).toBe(401);
    });
});
