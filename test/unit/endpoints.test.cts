import type { IModify, IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { ConvertToTeamEndpoint, SetEncryptedEndpoint, SetTypeEndpoint } from '../../src/endpoints/groupEndpoints';
import type { GroupAdminEndpoint } from '../../src/endpoints/GroupAdminEndpoint';
import { TOKEN } from './fakes.cjs';
import type { FakeWorkspace } from './fakes.cjs';
import { fakeApp, standardWorkspace } from './helpers.cjs';

type Endpoint = GroupAdminEndpoint;

/** The caller's own token (what Rocket.Chat authenticated the request with). */
const CALLER_TOKEN = 'caller-token-5b1e';

async function post(ws: FakeWorkspace, endpoint: Endpoint, userId: string | undefined, content: unknown): Promise<IApiResponse> {
    const headers = userId ? { 'x-user-id': userId, 'x-auth-token': CALLER_TOKEN } : {};
    const request = { method: 'post', headers, query: {}, params: {}, content, user: userId ? ws.user(userId) : undefined } as unknown as IApiRequest;
    return endpoint.post(request, {} as IApiEndpointInfo, ws.read(), {} as IModify, ws.http(), {} as IPersistence);
}

describe('endpoints', () => {
    let ws: FakeWorkspace;
    let setEncrypted: Endpoint;
    let setType: Endpoint;
    let convert: Endpoint;
    beforeEach(() => {
        ws = standardWorkspace();
        const app = fakeApp(ws);
        setEncrypted = new SetEncryptedEndpoint(app) as Endpoint;
        setType = new SetTypeEndpoint(app) as Endpoint;
        convert = new ConvertToTeamEndpoint(app) as Endpoint;
    });

    it('paths, authRequired and only post', () => {
        expect([setEncrypted.path, setType.path, convert.path]).toEqual(['groups.setEncrypted', 'groups.setType', 'groups.convertToTeam']);
        for (const e of [setEncrypted, setType, convert]) {
            expect(e.authRequired).toBe(true);
            for (const method of ['get', 'put', 'delete', 'patch', 'head', 'options']) {
                expect(typeof (e as unknown as Record<string, unknown>)[method]).toBe('undefined');
            }
        }
    });

    it.each([[null], [[]], ['{"roomId":"g1"}'], [5], [undefined]])('body %p → 400 error-invalid-body', async (content) => {
        const response = await post(ws, setEncrypted, 'olga', content);
        expect(response).toMatchObject({
            status: 400,
            content: { success: false, error: 'The request body must be a JSON object [error-invalid-body]', errorType: 'error-invalid-body' },
        });
    });

    it('no authenticated user → 401 as Rocket.Chat answers it', async () => {
        expect(await post(ws, setEncrypted, undefined, { roomId: 'g1', encrypted: true })).toMatchObject({
            status: 401,
            content: { success: false, error: 'You must be logged in to do this.', status: 'error', message: 'You must be logged in to do this.' },
        });
    });

    it.each([
        ['groups.setEncrypted', () => setEncrypted, { roomId: 'g1', encrypted: true }],
        ['groups.setType', () => setType, { roomId: 'g1', type: 'c' }],
        ['groups.convertToTeam', () => convert, { roomName: 'g1' }],
    ] as const)('a real %s is forwarded to Rocket.Chat with the caller\'s credentials; its answer comes back as it is', async (path, endpoint, body) => {
        const answer = { success: false, error: 'Rocket.Chat decided [error-x]', errorType: 'error-x' };
        // The caller may read the group (groups.convertToTeam reads it first, for the team guard); the write is refused.
        const info = { group: { _id: 'g1', name: 'g1', t: 'p' }, success: true };
        ws.fault = (method, p) =>
            method === 'post' && p === `/api/v1/${path}`
                ? { url: p, method: 'post' as never, statusCode: 400, data: answer, content: JSON.stringify(answer) }
                : method === 'get' && p === '/api/v1/groups.info'
                  ? { url: p, method: 'get' as never, statusCode: 200, data: info, content: JSON.stringify(info) }
                  : undefined;
        const response = await post(ws, endpoint(), 'olga', body);
        expect(response).toMatchObject({ status: 400, content: answer });
        const sent = ws.requests.filter((r) => r.method === 'post');
        expect(sent).toHaveLength(1);
        expect(sent[0].url).toMatch(new RegExp(`/api/v1/${path.replace('.', '\\.')}$`));
        expect(JSON.stringify(sent[0].options.headers)).toContain(CALLER_TOKEN);
        expect(JSON.stringify(sent[0].options.headers)).not.toContain(TOKEN);
        // Rocket.Chat decides: no permission table, no service account.
        expect(ws.calls).not.toContain('http.get /api/v1/permissions.listAll');
        expect(ws.writes).toEqual([]);
    });

    it('dryRun: true → { success, dryRun, plan }, nothing written', async () => {
        const response = await post(ws, setType, 'olga', { roomId: 'g1', type: 'c', dryRun: true });
        const { summary: _summary, ...content } = response.content as Record<string, unknown>;
        expect(content).toEqual({ success: true, dryRun: true, plan: expect.objectContaining({ operation: 'setType', changes: { t: { from: 'p', to: 'c' } } }) });
        expect(ws.writes).toEqual([]);
    });

    it('a failing check in a dry run gives Rocket.Chat\'s error', async () => {
        const a = await post(ws, setEncrypted, 'mo', { roomId: 'g1', encrypted: true, dryRun: true });
        expect(a).toMatchObject({ status: 400, content: { errorType: 'error-action-not-allowed', error: 'You do not have permission to toggle E2E encryption [error-action-not-allowed]' } });
    });

    it('a user id in the body is never trusted', async () => {
        const response = await post(ws, setEncrypted, 'mem', { roomId: 'g1', encrypted: true, dryRun: true, userId: 'adm', user: { id: 'adm' } });
        expect(response.content).toMatchObject({ error: 'Editing room is not allowed [error-action-not-allowed]' });
    });

    it('app-specific 5xx of a dry run: the REST form and a warning without the token', async () => {
        ws.fault = () => 'reject';
        const response = await post(ws, setEncrypted, 'olga', { roomId: 'g1', encrypted: true, dryRun: true });
        expect(response).toMatchObject({ status: 503, content: { errorType: 'error-permissions-unavailable' } });
        // Why (the table's read) and what failed (the request).
        expect(ws.logs.filter((l) => l.indexOf('warn') === 0)).toEqual([expect.stringMatching(/permissions\.listAll could not be read/), expect.stringMatching(/answered 503/)]);
        expect(ws.logs.join('\n')).not.toContain(TOKEN);
    });

    it('an unexpected error → 500 and an error log line', async () => {
        const read = ws.read();
        const broken = { ...read, getRoomReader: () => ({ ...read.getRoomReader(), getById: () => Promise.reject(new Error('bridge down')) }) };
        const request = { content: { roomId: 'g1', encrypted: true, dryRun: true }, user: ws.user('olga') } as unknown as IApiRequest;
        const response = await setEncrypted.post(request, {} as IApiEndpointInfo, broken as never, {} as IModify, ws.http(), {} as IPersistence);
        expect(response).toMatchObject({ status: 500, content: { success: false, error: 'Internal server error' } });
        expect(ws.logs[ws.logs.length - 1]).toContain('bridge down');
    });
});
