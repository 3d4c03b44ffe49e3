import { WorkspaceGateway } from '../../src/workspace/gateway';
import { REMEMBERED_FOR_MS, ServerSettings } from '../../src/workspace/serverSettings';
import { rememberAppSetting } from '../../src/workspace/appSettings';
import { setEncrypted } from '../../src/operations/setEncrypted';
import { FakeWorkspace, TOKEN } from './fakes.cjs';
import { params, restFailure, standardWorkspace } from './helpers.cjs';

function gateway(ws: FakeWorkspace): WorkspaceGateway {
    const read = ws.read();
    const env = read.getEnvironmentReader();
    return new WorkspaceGateway(ws.http(), env.getSettings(), new ServerSettings(env.getServerSettings()));
}

const reply = (statusCode: number, data: unknown = {}) => ({ url: '', method: 'post' as never, statusCode, data });

describe('WorkspaceGateway', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = new FakeWorkspace();
    });

    it('calls <server_url without trailing slash>/api/v1/… with the service headers, JSON and a timeout', async () => {
        ws.addRoom({ _id: 'x' });
        await gateway(ws).write('/api/v1/rooms.saveRoomSettings', { rid: 'x', encrypted: true });
        expect(ws.requests).toEqual([
            {
                method: 'post',
                url: 'http://rc.test/api/v1/rooms.saveRoomSettings',
                options: {
                    headers: { 'X-User-Id': 'svc-user', 'X-Auth-Token': TOKEN, 'Content-Type': 'application/json' },
                    timeout: 10000,
                    content: JSON.stringify({ rid: 'x', encrypted: true }),
                },
            },
        ]);
    });

    it('reads the query of a GET into the URL', async () => {
        await gateway(ws).read('/api/v1/teams.info', { teamId: 'a b' });
        expect(ws.requests[0].url).toBe('http://rc.test/api/v1/teams.info?teamId=a%20b');
    });

    it('empty server_url → Site_Url, read only then', async () => {
        ws.appSettings.server_url = '  ';
        ws.serverSettings.Site_Url = 'https://site.example///';
        await gateway(ws).read('/api/v1/permissions.listAll');
        expect(ws.requests[0].url).toBe('https://site.example/api/v1/permissions.listAll');
        const other = new FakeWorkspace();
        await gateway(other).read('/api/v1/permissions.listAll');
        expect(other.calls).not.toContain('server.Site_Url');
    });

    it.each([['service_user_id'], ['service_user_token']])('no %s → error-app-not-configured (503), no request', async (id) => {
        ws.appSettings[id] = '';
        expect(await restFailure(gateway(ws).read('/api/v1/me'))).toEqual({
            status: 503,
            content: {
                success: false,
                error: 'The app is not configured: set the service account user id and token [error-app-not-configured]',
                errorType: 'error-app-not-configured',
            },
        });
        expect(ws.requests).toEqual([]);
    });

    it('401 → error-service-account-rejected (503)', async () => {
        ws.appSettings.service_user_token = 'wrong';
        expect(await restFailure(gateway(ws).write('/api/v1/rooms.saveRoomSettings', {}))).toEqual({
            status: 503,
            content: {
                success: false,
                error: "Rocket.Chat rejected the service account's credentials [error-service-account-rejected]",
                errorType: 'error-service-account-rejected',
            },
        });
    });

    it.each([
        ['a rejected call', () => 'reject' as const],
        ['no response', () => undefined as never],
        ['500', () => reply(500)],
        ['503', () => reply(503, 'down')],
        ['a redirect', () => reply(302)],
    ])('%s → error-workspace-request-failed (502)', async (_l, fault) => {
        ws.fault = fault as never;
        if (_l === 'no response') {
            ws.http = () => ({ post: () => Promise.resolve(undefined), get: () => Promise.resolve(undefined) }) as never;
        }
        const failure = await restFailure(gateway(ws).write('/api/v1/rooms.saveRoomSettings', {}));
        expect(failure).toEqual({
            status: 502,
            content: {
                success: false,
                error: 'The request to the Rocket.Chat workspace failed [error-workspace-request-failed]',
                errorType: 'error-workspace-request-failed',
            },
        });
    });

    it('another 4xx on a write is passed on unchanged; on a read it is handed back', async () => {
        ws.fault = () => reply(400, { success: false, error: 'room-name-already-exists' });
        expect(await restFailure(gateway(ws).write('/api/v1/teams.create', {}))).toEqual({ status: 400, content: { success: false, error: 'room-name-already-exists' } });
        expect(await gateway(ws).read('/api/v1/teams.info', { teamId: 'x' })).toEqual({ status: 400, data: { success: false, error: 'room-name-already-exists' } });
    });

    it('parses a JSON body delivered only as content', async () => {
        ws.fault = () => ({ url: '', method: 'get' as never, statusCode: 200, content: '{"ok":1}' });
        expect(await gateway(ws).read('/api/v1/me')).toEqual({ status: 200, data: { ok: 1 } });
    });

    it('settings are read once, then kept current by onSettingUpdated', async () => {
        await gateway(ws).read('/api/v1/me');
        await gateway(ws).read('/api/v1/me');
        expect(ws.calls.filter((c) => c.indexOf('setting.') === 0)).toEqual(['setting.service_user_id', 'setting.service_user_token', 'setting.server_url']);
        rememberAppSetting({ id: 'server_url', value: 'http://other.test', packageValue: '' });
        await gateway(ws).read('/api/v1/me');
        expect(ws.requests[2].url).toBe('http://other.test/api/v1/me');
    });

    it('through an operation: no configuration → 503 before any write', async () => {
        const std = standardWorkspace();
        std.appSettings.service_user_token = '';
        const failure = await restFailure(setEncrypted({ user: std.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, std.context()));
        expect(failure.status).toBe(503);
        expect(std.writes).toEqual([]);
    });
});

describe('Site_Url fallback', () => {
    it('is remembered for at most 60 s and forgotten when an app setting changes', async () => {
        const ws = new FakeWorkspace();
        ws.appSettings.server_url = '';
        const siteReads = () => ws.calls.filter((c) => c === 'server.Site_Url').length;
        await gateway(ws).read('/api/v1/me');
        await gateway(ws).read('/api/v1/me');
        expect(siteReads()).toBe(1);
        ws.serverSettings.Site_Url = 'http://moved.test';
        rememberAppSetting({ id: 'confirm_changes', value: false, packageValue: true });
        await gateway(ws).read('/api/v1/me');
        expect(siteReads()).toBe(2);
        expect(ws.requests[2].url).toBe('http://moved.test/api/v1/me');
        ws.serverSettings.Site_Url = 'http://later.test';
        const later = Date.now() + REMEMBERED_FOR_MS + 1;
        const reader = ws.read().getEnvironmentReader().getServerSettings();
        expect(await new ServerSettings(reader, () => later).get('Site_Url')).toBe('http://later.test');
    });
});
