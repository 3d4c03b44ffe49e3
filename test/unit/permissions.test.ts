import type { AccessService } from '../../src/access/AccessService';
import { DEFAULT_PERMISSION_TABLE, PERMISSION_CACHE_TTL_MS, clearPermissionCache, loadPermissionTable } from '../../src/access/permissionTable';
import { rememberAppSetting } from '../../src/workspace/appSettings';
import { FakeWorkspace } from './fakes';
import { restFailure, standardWorkspace } from './helpers';

const LIST_ALL = 'http.get /api/v1/permissions.listAll';

describe('permission table', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = new FakeWorkspace();
    });

    it('is read from permissions.listAll and cached for at most 60 s', async () => {
        let now = 1000;
        const clock = () => now;
        ws.permissions = { 'edit-room': ['owner'] };
        expect((await loadPermissionTable(ws.context().workspace, clock)).get('edit-room')).toEqual(['owner']);
        ws.permissions = { 'edit-room': ['admin'] };
        now += PERMISSION_CACHE_TTL_MS - 1;
        expect((await loadPermissionTable(ws.context().workspace, clock)).get('edit-room')).toEqual(['owner']);
        now += 1;
        expect((await loadPermissionTable(ws.context().workspace, clock)).get('edit-room')).toEqual(['admin']);
        expect(ws.calls.filter((c) => c === LIST_ALL)).toHaveLength(2);
    });

    it('is cached per base URL and service user', async () => {
        await loadPermissionTable(ws.context().workspace);
        rememberAppSetting({ id: 'server_url', value: 'http://elsewhere.test', packageValue: '' });
        await loadPermissionTable(ws.context().workspace);
        expect(ws.calls.filter((c) => c === LIST_ALL)).toHaveLength(2);
    });

    it.each([
        ['a 500', () => ({ url: '', method: 'get' as never, statusCode: 500 })],
        ['a refused connection', () => 'reject' as const],
        ['an unexpected body', () => ({ url: '', method: 'get' as never, statusCode: 200, data: { nope: true } })],
        ['a 403', () => ({ url: '', method: 'get' as never, statusCode: 403, data: {} })],
    ])("falls back to Rocket.Chat's defaults on %s, without caching them", async (_l, fault) => {
        ws.fault = fault as never;
        expect(await loadPermissionTable(ws.context().workspace)).toBe(DEFAULT_PERMISSION_TABLE);
        ws.fault = undefined;
        expect(await loadPermissionTable(ws.context().workspace)).not.toBe(DEFAULT_PERMISSION_TABLE);
    });

    it('rejected credentials are reported, not hidden behind the defaults', async () => {
        ws.appSettings.service_user_token = 'bad';
        expect((await restFailure(loadPermissionTable(ws.context().workspace))).content.errorType).toBe('error-service-account-rejected');
    });

    it('the defaults: a moderator edits but does not toggle encryption', async () => {
        const std = standardWorkspace();
        std.fault = () => 'reject';
        const ctx = std.context();
        expect(await ctx.access.hasPermission(std.user('mo'), 'edit-room', 'g1')).toBe(true);
        expect(await ctx.access.hasPermission(std.user('mo'), 'toggle-room-e2e-encryption', 'g1')).toBe(false);
        expect(await ctx.access.hasPermission(std.user('olga'), 'toggle-room-e2e-encryption', 'g1')).toBe(true);
    });
});

describe('AccessService', () => {
    afterEach(() => clearPermissionCache());

    it('reads room roles only when global roles do not decide, once per role and room', async () => {
        const ws = standardWorkspace();
        const ctx = ws.context();
        const access: AccessService = ctx.access;
        expect(await access.hasPermission(ws.user('adm'), 'edit-room', 'g1')).toBe(true);
        expect(ws.calls.filter((c) => c.indexOf('room.') === 0)).toEqual([]);
        expect(await access.hasPermission(ws.user('mo'), 'edit-room', 'g1')).toBe(true);
        expect(await access.hasPermission(ws.user('mo'), 'create-team-channel', 'g1')).toBe(true);
        expect(ws.calls.filter((c) => c.indexOf('room.') === 0)).toEqual(['room.getOwners', 'room.getModerators']);
    });

    it('leaders count where the table lists the leader role', async () => {
        const ws = standardWorkspace();
        ws.subscriptions.push({ rid: 'g1', uid: 'out', roles: ['leader'] });
        ws.permissions['edit-room'] = ['leader'];
        expect(await ws.context().access.hasPermission(ws.user('out'), 'edit-room', 'g1')).toBe(true);
    });

    it('without a scope only global roles count', async () => {
        const ws = standardWorkspace();
        expect(await ws.context().access.hasPermission(ws.user('olga'), 'edit-room')).toBe(false);
    });

    it('membership comes from getUserRoomIds, never getMembers', async () => {
        const ws = standardWorkspace();
        const ctx = ws.context();
        const view = { id: 'g1', type: 'p' } as never;
        expect(await ctx.access.canAccessRoom(ws.user('mem'), view)).toBe(true);
        expect(await ctx.access.canAccessRoom(ws.user('ada'), view)).toBe(false);
        expect(ws.calls).not.toContain('room.getMembers');
    });
});
