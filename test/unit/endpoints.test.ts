import type { IModify, IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { ConvertToTeamEndpoint, SetEncryptedEndpoint, SetTypeEndpoint } from '../../src/endpoints/groupEndpoints';
import type { GroupAdminEndpoint } from '../../src/endpoints/GroupAdminEndpoint';
import { TOKEN } from './fakes';
import type { FakeWorkspace } from './fakes';
import { fakeApp, standardWorkspace } from './helpers';

type Endpoint = GroupAdminEndpoint;

async function post(ws: FakeWorkspace, endpoint: Endpoint, userId: string | undefined, content: unknown): Promise<IApiResponse> {
    const request = { method: 'post', headers: {}, query: {}, params: {}, content, user: userId ? ws.user(userId) : undefined } as unknown as IApiRequest;
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

    it('groups.setEncrypted → { group, success: true }', async () => {
        const response = await post(ws, setEncrypted, 'olga', { roomId: 'g1', encrypted: true });
        expect(response.status).toBe(200);
        expect(response.content).toEqual({ group: expect.objectContaining({ _id: 'g1', encrypted: true, t: 'p' }), success: true });
    });

    it('groups.setType → { group, success: true } in both directions', async () => {
        expect((await post(ws, setType, 'olga', { roomId: 'g1', type: 'c' })).content).toEqual({ group: expect.objectContaining({ _id: 'g1', t: 'c' }), success: true });
        expect((await post(ws, setType, 'olga', { roomId: 'g1', type: 'p' })).content).toEqual({ group: expect.objectContaining({ _id: 'g1', t: 'p' }), success: true });
    });

    it('groups.convertToTeam → { team, success: true }', async () => {
        const response = await post(ws, convert, 'olga', { roomName: 'g1' });
        expect(response.status).toBe(200);
        expect(response.content).toEqual({ team: expect.objectContaining({ name: 'g1', type: 1, roomId: 'g1' }), success: true });
        expect((response.content as { team: Record<string, unknown> }).team).not.toHaveProperty('extra');
    });

    it('dryRun: true → { success, dryRun, plan }, nothing written', async () => {
        const response = await post(ws, setType, 'olga', { roomId: 'g1', type: 'c', dryRun: true });
        expect(response.content).toEqual({ success: true, dryRun: true, plan: expect.objectContaining({ operation: 'setType', changes: { t: { from: 'p', to: 'c' } } }) });
        expect(ws.writes).toEqual([]);
    });

    it('a failing check in a dry run gives the same error as without', async () => {
        const a = await post(ws, setEncrypted, 'mo', { roomId: 'g1', encrypted: true, dryRun: true });
        const b = await post(ws, setEncrypted, 'mo', { roomId: 'g1', encrypted: true });
        expect(a).toEqual(b);
        expect(a.status).toBe(400);
    });

    it('a user id in the body is never trusted', async () => {
        const response = await post(ws, setEncrypted, 'mem', { roomId: 'g1', encrypted: true, userId: 'adm', user: { id: 'adm' } });
        expect(response.content).toMatchObject({ error: 'Editing room is not allowed [error-action-not-allowed]' });
    });

    it('app-specific 5xx: the REST form and a warning without the token', async () => {
        ws.fault = (method) => (method === 'post' ? 'reject' : undefined);
        const response = await post(ws, setEncrypted, 'olga', { roomId: 'g1', encrypted: true });
        expect(response).toMatchObject({ status: 502, content: { errorType: 'error-workspace-request-failed' } });
        expect(ws.logs.filter((l) => l.indexOf('warn') === 0)).toHaveLength(1);
        expect(ws.logs.join('\n')).not.toContain(TOKEN);
    });

    it('an unexpected error → 500 and an error log line', async () => {
        const read = ws.read();
        const broken = { ...read, getRoomReader: () => ({ ...read.getRoomReader(), getById: () => Promise.reject(new Error('bridge down')) }) };
        const request = { content: { roomId: 'g1', encrypted: true }, user: ws.user('olga') } as unknown as IApiRequest;
        const response = await setEncrypted.post(request, {} as IApiEndpointInfo, broken as never, {} as IModify, ws.http(), {} as IPersistence);
        expect(response).toMatchObject({ status: 500, content: { success: false, error: 'Internal server error' } });
        expect(ws.logs[ws.logs.length - 1]).toContain('bridge down');
    });
});
