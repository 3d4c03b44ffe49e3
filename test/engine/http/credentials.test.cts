/**
 * What the HTTP door sends on, without the engine: every credential form Rocket.Chat's apps router accepts (the
 * in-memory workspace authenticates only `X-User-Id` + `X-Auth-Token`, so OAuth is checked here), the client address
 * headers, the failures, and the scrubbing of the caller's secrets from what comes back.
 */
import type { IHttp, IHttpRequest, IHttpResponse, ILogger, ISettingRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiRequest } from '@rocket.chat/apps-engine/definition/api';

import { AppError } from '../../../src/errors/AppError';
import { forgetAccessMemory } from '../../../src/access/forget';
import { forgetAppSettings } from '../../../src/workspace/appSettings';
import { CallerGateway, callerCredentials, clientAddressHeaders, requestSecrets, scrubRequestLog } from '../../../src/workspace/forward';
import { ServerSettings } from '../../../src/workspace/serverSettings';

function request(headers: Record<string, unknown>, query: Record<string, unknown> = {}): IApiRequest {
    return { method: 'post', headers, query, params: {}, content: {} } as unknown as IApiRequest;
}

const settings = { getValueById: async (id: string) => (id === 'server_url' ? 'https://chat.example.org/' : '') } as unknown as ISettingRead;
const serverSettings = new ServerSettings({ getValueById: async () => 'https://ignored.example.org' } as never);

interface Sent {
    method: string;
    url: string;
    request: IHttpRequest;
}

function http(answer: (sent: Sent) => IHttpResponse | Promise<IHttpResponse>): { http: IHttp; sent: Sent[] } {
    const sent: Sent[] = [];
    const call = (method: string) => async (url: string, req?: IHttpRequest) => {
        const one = { method, url, request: req ?? {} };
        sent.push(one);
        return answer(one);
    };
    return { http: { get: call('get'), post: call('post') } as unknown as IHttp, sent };
}

beforeEach(() => {
    forgetAppSettings();
    forgetAccessMemory();
});

describe('callerCredentials: what Rocket.Chat authenticated the request with', () => {
    it('X-User-Id + X-Auth-Token, whatever the case of the names', () => {
        expect(callerCredentials(request({ 'x-user-id': 'u1', 'X-Auth-Token': 'tok-123456' }))).toEqual({
            headers: { 'X-User-Id': 'u1', 'X-Auth-Token': 'tok-123456' },
            query: {},
            secrets: ['tok-123456'],
        });
    });

    it('else an OAuth bearer header, else an access_token query parameter (oAuth2ServerAuth)', () => {
        expect(callerCredentials(request({ authorization: 'Bearer abc-oauth' }))).toEqual({
            headers: { Authorization: 'Bearer abc-oauth' },
            query: {},
            secrets: ['Bearer abc-oauth', 'abc-oauth'],
        });
        expect(callerCredentials(request({}, { access_token: 'qtok-1' }))).toEqual({ headers: {}, query: { access_token: 'qtok-1' }, secrets: ['qtok-1'] });
    });

    it('a user id alone, or nothing, is no credential', () => {
        expect(callerCredentials(request({ 'x-user-id': 'u1' }))).toBeUndefined();
        expect(callerCredentials(request({}))).toBeUndefined();
    });

    it('client address headers are taken as the request carried them (a repeated header joined)', () => {
        expect(clientAddressHeaders(request({ 'X-Real-IP': '203.0.113.7', 'x-forwarded-for': ['192.0.2.1', '10.0.0.2'], host: 'chat' }))).toEqual({
            'x-real-ip': '203.0.113.7',
            'x-forwarded-for': '192.0.2.1, 10.0.0.2',
        });
    });
});

describe('CallerGateway', () => {
    it('sends the credentials, the client address and JSON to server_url, with a timeout; answers as they came', async () => {
        const fake = http(() => ({
            url: '',
            method: 'post' as never,
            statusCode: 429,
            headers: { 'X-RateLimit-Limit': '10', 'x-ratelimit-remaining': '0', 'content-type': 'application/json' },
            data: { success: false, error: 'too many [error-too-many-requests]' },
        }));
        const gateway = CallerGateway.of(request({ 'x-user-id': 'u1', 'x-auth-token': 'tok-123456', 'x-real-ip': '203.0.113.7' }), fake.http, settings, serverSettings);
        const answer = await gateway?.post('/api/v1/groups.setType', { roomId: 'r1', type: 'c' });
        expect(fake.sent).toEqual([
            {
                method: 'post',
                url: 'https://chat.example.org/api/v1/groups.setType',
                request: {
                    headers: { 'x-real-ip': '203.0.113.7', 'X-User-Id': 'u1', 'X-Auth-Token': 'tok-123456', 'Content-Type': 'application/json' },
                    timeout: expect.any(Number),
                    content: JSON.stringify({ roomId: 'r1', type: 'c' }),
                },
            },
        ]);
        expect(answer).toEqual({
            status: 429,
            body: { success: false, error: 'too many [error-too-many-requests]' },
            headers: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0' },
        });
    });

    it('an access_token credential goes in the query; a secret echoed back is scrubbed', async () => {
        const fake = http(({ url }) => ({ url, method: 'get' as never, statusCode: 400, content: JSON.stringify({ success: false, error: `bad qtok-1 at ${url}` }) }));
        const gateway = CallerGateway.of(request({}, { access_token: 'qtok-1' }), fake.http, settings, serverSettings);
        const answer = await gateway?.get('/api/v1/groups.info', { roomName: 'a b' });
        expect(fake.sent[0].url).toBe('https://chat.example.org/api/v1/groups.info?roomName=a%20b&access_token=qtok-1');
        expect(JSON.stringify(answer)).not.toContain('qtok-1');
        expect(answer?.status).toBe(400);
    });

    it.each([
        ['a 5xx', () => ({ url: '', method: 'post' as never, statusCode: 503 })],
        ['a redirect', () => ({ url: '', method: 'post' as never, statusCode: 302 })],
        ['no status', () => ({}) as IHttpResponse],
        ['a transport error', () => Promise.reject(new Error('connect ECONNREFUSED https://chat.example.org/?access_token=x'))],
    ])('%s → workspace-request-failed', async (_label, answer) => {
        const fake = http(answer as () => IHttpResponse);
        const gateway = CallerGateway.of(request({ 'x-user-id': 'u1', 'x-auth-token': 'tok-123456' }), fake.http, settings, serverSettings);
        await expect(gateway?.post('/api/v1/groups.setEncrypted', {})).rejects.toEqual(new AppError('workspace-request-failed'));
    });

    it('no base URL (server_url and Site_Url empty) → workspace-request-failed, nothing sent', async () => {
        const fake = http(() => ({ url: '', method: 'post' as never, statusCode: 200 }));
        const empty = { getValueById: async () => '' } as unknown as ISettingRead;
        const gateway = CallerGateway.of(request({ 'x-user-id': 'u1', 'x-auth-token': 'tok-123456' }), fake.http, empty, new ServerSettings({ getValueById: async () => '' } as never));
        await expect(gateway?.post('/api/v1/groups.setEncrypted', {})).rejects.toEqual(new AppError('workspace-request-failed'));
        expect(fake.sent).toEqual([]);
    });
});

describe("scrubRequestLog: the runtime's debug entry of a request keeps no credential, whichever was used", () => {
    /** A request log as the Deno runtime keeps it (`deno-runtime/lib/logger.ts`: entries of JSON-parsed args). */
    function logWith(requestData: Record<string, unknown>): { logger: ILogger; entries: Array<{ args: unknown[] }> } {
        const entries = [{ args: ["groups.setType's api:groups.setType:post is being executed...", JSON.parse(JSON.stringify(requestData))] }];
        return { logger: { entries } as unknown as ILogger, entries };
    }

    it.each([
        [
            'X-User-Id/X-Auth-Token used, a Bearer header and a cookie beside them',
            { 'x-user-id': 'u1', 'x-auth-token': 'HeaderToken-0001', authorization: 'Bearer BearerSecret-0002', cookie: 'rc_uid=u1; rc_token=CookieSecret-0003' },
            {},
        ],
        ['Bearer used, a stray X-Auth-Token beside it', { authorization: 'Bearer BearerSecret-0002', 'X-Auth-Token': 'HeaderToken-0001' }, {}],
        ['a query access_token used, headers of another credential beside it', { 'X-AUTH-TOKEN': ['HeaderToken-0001'] }, { access_token: 'QuerySecret-0004' }],
    ])('%s: every credential-bearing header and query parameter is redacted by name', (_label, headers, query) => {
        const request = { method: 'post', headers, query, params: {}, content: { note: 'HeaderToken-0001 echoed in a body' } };
        const { logger, entries } = logWith(request);
        scrubRequestLog(logger, request as unknown as IApiRequest);
        const text = JSON.stringify(entries);
        for (const secret of ['HeaderToken-0001', 'BearerSecret-0002', 'CookieSecret-0003', 'QuerySecret-0004']) {
            expect(text).not.toContain(secret);
        }
        const logged = entries[0].args[1] as { headers: Record<string, unknown>; query: Record<string, unknown> };
        for (const name of Object.keys(headers)) {
            const lower = name.toLowerCase();
            expect(logged.headers[name]).toEqual(['x-auth-token', 'authorization', 'cookie'].includes(lower) ? '[redacted]' : (headers as Record<string, unknown>)[name]);
        }
        if ('access_token' in query) {
            expect(logged.query.access_token).toBe('[redacted]');
        }
        // Nothing else is touched.
        expect(entries[0].args[0]).toBe("groups.setType's api:groups.setType:post is being executed...");
    });

    it('a short cookie value is not replaced across the log (only by name)', () => {
        expect(requestSecrets({ headers: { cookie: 'a=1; rc_token=CookieSecret-0003' }, query: {} } as unknown as IApiRequest)).toEqual([
            'a=1; rc_token=CookieSecret-0003',
            'CookieSecret-0003',
        ]);
    });

    it('a value too short to be a credential is not searched for in every text (an "x" would garble the entry)', () => {
        expect(requestSecrets(request({ authorization: 'x', 'x-auth-token': 'short' }))).toEqual([]);
        expect(requestSecrets(request({ authorization: 'Bearer abcdefgh-123' }))).toEqual(['Bearer abcdefgh-123', 'abcdefgh-123']);
    });

    it('a logger without entries is left alone', () => {
        const logger = { debug: () => undefined } as unknown as ILogger;
        expect(() => scrubRequestLog(logger, { headers: { 'x-auth-token': 't' }, query: {} } as unknown as IApiRequest)).not.toThrow();
    });
});
