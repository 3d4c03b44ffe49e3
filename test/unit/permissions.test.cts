import type { IHttp, IHttpRequest } from '@rocket.chat/apps-engine/definition/accessors';
import type { AccessService } from '../../src/access/AccessService';
import { createOperationContext } from '../../src/operations/context';
import { FULL_READ_INTERVAL_MS, UPDATED_SINCE_MARGIN_MS, clearPermissionCache, loadPermissionTable } from '../../src/access/permissionTable';
import { rememberAppSetting } from '../../src/workspace/appSettings';
import { FakeWorkspace } from './fakes.cjs';
import { restFailure, standardWorkspace } from './helpers.cjs';

const LIST_ALL = 'http.get /api/v1/permissions.listAll';

/** The `updatedSince` of every listAll read so far (null for a full read). */
function sinceOfReads(ws: FakeWorkspace): Array<string | null> {
    return ws.requests.filter((r) => r.url.includes('/permissions.listAll')).map((r) => new URL(r.url).searchParams.get('updatedSince'));
}

describe('permission table: live, with updatedSince', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = new FakeWorkspace();
    });

    it('is read on every call: a full read first, then only what changed since the newest change seen, minus a margin', async () => {
        ws.permissions = { 'edit-room': ['owner'], 'create-c': ['user'] };
        expect((await loadPermissionTable(ws.context().workspace)).get('edit-room')).toEqual(['owner']);
        const newest = ws.permissionClock;
        ws.permissions['edit-room'] = ['admin'];
        const table = await loadPermissionTable(ws.context().workspace);
        expect(table.get('edit-room')).toEqual(['admin']);
        expect(table.get('create-c')).toEqual(['user']);
        expect(ws.calls.filter((c) => c === LIST_ALL)).toHaveLength(2);
        expect(sinceOfReads(ws)).toEqual([null, new Date(newest - UPDATED_SINCE_MARGIN_MS).toISOString()]);
    });

    it('a revoked permission applies to the very next operation, with no waiting', async () => {
        const std = standardWorkspace();
        expect(await std.context().access.hasPermission(std.user('olga'), 'toggle-room-e2e-encryption', 'g1')).toBe(true);
        std.permissions['toggle-room-e2e-encryption'] = ['admin'];
        expect(await std.context().access.hasPermission(std.user('olga'), 'toggle-room-e2e-encryption', 'g1')).toBe(false);
        std.permissions['toggle-room-e2e-encryption'] = ['admin', 'owner'];
        expect(await std.context().access.hasPermission(std.user('olga'), 'toggle-room-e2e-encryption', 'g1')).toBe(true);
    });

    it('drops the ids Rocket.Chat reports removed', async () => {
        ws.permissions = { 'edit-room': ['owner'], 'create-team': ['user'] };
        await loadPermissionTable(ws.context().workspace);
        delete ws.permissions['create-team'];
        const table = await loadPermissionTable(ws.context().workspace);
        expect(table.has('create-team')).toBe(false);
        expect(table.get('edit-room')).toEqual(['owner']);
    });

    it('a change stamped in the same millisecond as, or a little before, the newest one seen is still read', async () => {
        ws.permissions = { 'edit-room': ['owner'], 'create-c': ['user'] };
        await loadPermissionTable(ws.context().workspace);
        // Another server instance whose clock lags by 5 s revokes create-c.
        ws.permissionClock -= 5000;
        ws.permissions['create-c'] = [];
        expect((await loadPermissionTable(ws.context().workspace)).get('create-c')).toEqual([]);
        // And in the very millisecond of the newest change seen.
        ws.permissionClock -= 1;
        ws.permissions['edit-room'] = ['admin'];
        expect((await loadPermissionTable(ws.context().workspace)).get('edit-room')).toEqual(['admin']);
    });

    it('reading the same changes again (the margin) changes nothing', async () => {
        ws.permissions = { 'edit-room': ['owner'] };
        await loadPermissionTable(ws.context().workspace);
        ws.permissions['edit-room'] = ['admin'];
        await loadPermissionTable(ws.context().workspace);
        // The same answer again (within the margin): idempotent.
        expect((await loadPermissionTable(ws.context().workspace)).get('edit-room')).toEqual(['admin']);
    });

    it('an answer overtaken by a later read never overwrites what that read brought', async () => {
        ws.permissions = { 'edit-room': ['owner'], 'create-c': ['user'] };
        await loadPermissionTable(ws.context().workspace);
        // Read A answers with the old state but arrives late.
        const http = ws.http();
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let held = true;
        const slow = {
            ...http,
            get: async (url: string, options?: IHttpRequest) => {
                const answer = await http.get(url, options);
                if (held && url.includes('permissions.listAll')) {
                    held = false;
                    await gate;
                }
                return answer;
            },
        } as IHttp;
        const a = loadPermissionTable(createOperationContext(ws.read(), slow, ws.logger()).workspace);
        await new Promise((resolve) => setTimeout(resolve, 0));
        // Meanwhile edit-room is revoked, and a minute later create-c changes: read B sees both.
        ws.permissions['edit-room'] = ['admin'];
        ws.permissionClock += 60000;
        ws.permissions['create-c'] = ['admin'];
        expect((await loadPermissionTable(ws.context().workspace)).get('edit-room')).toEqual(['admin']);
        release();
        expect((await a).get('edit-room')).toEqual(['owner']);
        const newest = ws.permissionClock;
        // The next read goes on from the newest change read B brought (create-c), and edit-room stays revoked.
        expect((await loadPermissionTable(ws.context().workspace)).get('edit-room')).toEqual(['admin']);
        expect(sinceOfReads(ws).pop()).toBe(new Date(newest - UPDATED_SINCE_MARGIN_MS).toISOString());
    });

    it('is kept per base URL and service user: another workspace is read in full', async () => {
        await loadPermissionTable(ws.context().workspace);
        rememberAppSetting({ id: 'server_url', value: 'http://elsewhere.test', packageValue: '' });
        await loadPermissionTable(ws.context().workspace);
        expect(sinceOfReads(ws)).toEqual([null, null]);
    });

    it.each([
        ['a 500', () => ({ url: '', method: 'get' as never, statusCode: 500 })],
        ['a refused connection (or a timeout)', () => 'reject' as const],
        ['an unexpected body', () => ({ url: '', method: 'get' as never, statusCode: 200, data: { nope: true } })],
        ['a malformed entry', () => ({ url: '', method: 'get' as never, statusCode: 200, data: { update: [{ _id: 'edit-room', roles: 'owner' }], remove: [] } })],
        ['a 403', () => ({ url: '', method: 'get' as never, statusCode: 403, data: {} })],
        ['a 429', () => ({ url: '', method: 'get' as never, statusCode: 429, data: { success: false, errorType: 'error-too-many-requests' } })],
    ])('fails closed on %s: error-permissions-unavailable (503), never defaults or a stale table', async (_l, fault) => {
        await loadPermissionTable(ws.context().workspace);
        ws.fault = fault as never;
        const failure = await restFailure(loadPermissionTable(ws.context().workspace, (why) => ws.logs.push(`warn ${why}`)));
        expect(failure.status).toBe(503);
        expect(failure.content).toEqual({
            success: false,
            error: "The workspace's permission table cannot be read, so nothing can be decided [error-permissions-unavailable]",
            errorType: 'error-permissions-unavailable',
        });
        expect(ws.logs.join('\n')).toMatch(/permissions\.listAll could not be read/);
        ws.fault = undefined;
        expect((await loadPermissionTable(ws.context().workspace)).get('edit-room')).toEqual(['admin', 'owner', 'moderator']);
    });

    it('rejected credentials are reported as such', async () => {
        ws.appSettings.service_user_token = 'bad';
        expect((await restFailure(loadPermissionTable(ws.context().workspace))).content.errorType).toBe('error-service-account-rejected');
    });

    it('the table unreadable: no permission is decided, for anyone', async () => {
        const std = standardWorkspace();
        std.fault = () => 'reject';
        const ctx = std.context();
        expect((await restFailure(ctx.access.hasPermission(std.user('adm'), 'edit-room', 'g1'))).content.errorType).toBe('error-permissions-unavailable');
    });
});

describe('permission table: a document stamped in the future, clocks that disagree', () => {
    const HOUR = 3600000;
    let ws: FakeWorkspace;
    /** The app's clock (Date.now). */
    let now: number;
    /** Advances every clock (Rocket.Chat's stamps and answers, the app's) by `ms`. */
    const wait = (ms: number) => {
        now += ms;
        ws.permissionClock = now;
    };
    const olgaMayToggle = async () => ws.context().access.hasPermission(ws.user('olga'), 'toggle-room-e2e-encryption', 'g1');

    beforeEach(() => {
        ws = standardWorkspace();
        now = Date.parse('2024-01-02T03:05:00.000Z');
        ws.permissionClock = now;
        jest.spyOn(Date, 'now').mockImplementation(() => now);
    });
    afterEach(() => jest.restoreAllMocks());

    it.each([
        ["Rocket.Chat's Date header", true],
        ["the app's clock at the request (no Date header)", false],
    ])('one document stamped an hour ahead hides no later change: the watermark is capped at %s', async (_label, dated) => {
        if (dated) {
            ws.answerClock = () => now;
        }
        expect(await olgaMayToggle()).toBe(true);
        // An unrelated document restored with a clock an hour ahead.
        wait(1000);
        ws.stampPermission('create-c', ['admin', 'user'], now + HOUR);
        expect((await loadPermissionTable(ws.context().workspace)).get('create-c')).toEqual(['admin', 'user']);
        const answeredAt = now;
        // Four minutes later (before any full read), toggle-room-e2e-encryption is taken from owner.
        wait(4 * 60000);
        ws.permissions['toggle-room-e2e-encryption'] = ['admin'];
        expect(await olgaMayToggle()).toBe(false);
        const since = sinceOfReads(ws).pop();
        expect(since).not.toBeNull();
        // Never past the time of the read it follows (the Date header has whole seconds: at most 1 s earlier).
        expect(Date.parse(since ?? '')).toBeLessThanOrEqual(answeredAt - UPDATED_SINCE_MARGIN_MS);
        expect(Date.parse(since ?? '')).toBeGreaterThan(answeredAt - UPDATED_SINCE_MARGIN_MS - 1000);
        // And it stays revoked; the document from the future is still known.
        wait(1000);
        const table = await loadPermissionTable(ws.context().workspace);
        expect(table.get('toggle-room-e2e-encryption')).toEqual(['admin']);
        expect(table.get('create-c')).toEqual(['admin', 'user']);
    });

    it(`a full read at least every ${FULL_READ_INTERVAL_MS / 60000} minutes: a change missed because server instances disagree lives no longer`, async () => {
        // The instance that answers runs an hour ahead (its Date header too); the one that revokes is on time.
        ws.answerClock = () => now + HOUR;
        expect(await olgaMayToggle()).toBe(true);
        wait(1000);
        ws.stampPermission('create-c', ['admin', 'user'], now + HOUR);
        await loadPermissionTable(ws.context().workspace);
        wait(60000);
        ws.permissions['toggle-room-e2e-encryption'] = ['admin'];
        // Partial reads from an hour ahead cannot see it...
        wait(60000);
        expect(await olgaMayToggle()).toBe(true);
        // ...the full read FULL_READ_INTERVAL_MS after the last one does.
        wait(FULL_READ_INTERVAL_MS - 2 * 60000 - 1001);
        expect(await olgaMayToggle()).toBe(true);
        wait(1);
        expect(await olgaMayToggle()).toBe(false);
        const reads = sinceOfReads(ws);
        expect(reads.map((since) => since === null)).toEqual([true, false, false, false, true]);
        // The full read starts the next interval: partial reads again.
        wait(1000);
        await loadPermissionTable(ws.context().workspace);
        expect(sinceOfReads(ws).pop()).not.toBeNull();
    });

    it("the Date header, not the app's clock, is the time of the answer when Rocket.Chat sends one", async () => {
        // The app's clock runs an hour ahead of Rocket.Chat's; a document is stamped half an hour ahead of Rocket.Chat.
        const server = () => now - HOUR;
        ws.answerClock = server;
        ws.permissionClock = server();
        await loadPermissionTable(ws.context().workspace);
        wait(1000);
        ws.stampPermission('create-c', [], server() + HOUR / 2);
        await loadPermissionTable(ws.context().workspace);
        const answeredAt = server();
        wait(1000);
        await loadPermissionTable(ws.context().workspace);
        expect(sinceOfReads(ws).pop()).toBe(new Date(answeredAt - UPDATED_SINCE_MARGIN_MS).toISOString());
    });

    it("the app's clock going back makes the next read a full one", async () => {
        await loadPermissionTable(ws.context().workspace);
        now -= 1000;
        await loadPermissionTable(ws.context().workspace);
        expect(sinceOfReads(ws)).toEqual([null, null]);
    });

    it('a change stamped in the same millisecond as the answer, or as the newest change seen, is still read', async () => {
        ws.answerClock = () => now;
        ws.permissionClock = now - 100;
        await loadPermissionTable(ws.context().workspace);
        // Stamped in the very millisecond the read was answered (a whole second: the Date header is exact here).
        ws.permissionClock = now - 1;
        ws.permissions['create-c'] = [];
        expect((await loadPermissionTable(ws.context().workspace)).get('create-c')).toEqual([]);
        // And in the millisecond of the newest change seen (create-c's).
        ws.permissionClock -= 1;
        ws.permissions['edit-room'] = ['admin'];
        expect((await loadPermissionTable(ws.context().workspace)).get('edit-room')).toEqual(['admin']);
    });

    it('an unreadable Date header falls back to the app clock at the request', async () => {
        ws.answerClock = () => NaN;
        await loadPermissionTable(ws.context().workspace);
        wait(1000);
        ws.stampPermission('create-c', [], now + HOUR);
        await loadPermissionTable(ws.context().workspace);
        const requestedAt = now;
        wait(1000);
        await loadPermissionTable(ws.context().workspace);
        expect(sinceOfReads(ws).pop()).toBe(new Date(requestedAt - UPDATED_SINCE_MARGIN_MS).toISOString());
    });
});

describe('the guest role restriction', () => {
    afterEach(() => clearPermissionCache());

    it('a guest holds nothing outside the guest list, whatever other grants say', async () => {
        const ws = standardWorkspace();
        ws.addUser('gus', ['guest', 'user']);
        ws.subscriptions.push({ rid: 'g1', uid: 'gus', roles: ['owner'] });
        ws.permissions['edit-room'] = ['admin', 'owner', 'moderator', 'guest'];
        const access = ws.context().access;
        expect(await access.hasPermission(ws.user('gus'), 'edit-room', 'g1')).toBe(false);
        expect(await access.hasPermission(ws.user('gus'), 'toggle-room-e2e-encryption', 'g1')).toBe(false);
        expect(await access.hasPermission(ws.user('gus'), 'create-c')).toBe(false);
        expect(await access.hasPermission(ws.user('gus'), 'view-p-room')).toBe(true);
        expect(await access.hasPermission(ws.user('olga'), 'edit-room', 'g1')).toBe(true);
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

    it("a public team's channel: view-c-room alone, as upstream's _validateAccessToPublicRoomsInTeams (team membership counts only in a private team)", async () => {
        const ws = standardWorkspace();
        ws.addRoom({ _id: 'main', name: 'crew', t: 'c', teamId: 'T1', teamMain: true }, [['olga', ['owner']], ['mem']]);
        ws.addRoom({ _id: 'ch', name: 'crew-news', t: 'c', teamId: 'T1' }, [['olga', ['owner']]]);
        ws.teams.push({ _id: 'T1', name: 'crew', type: 0, roomId: 'main' });
        delete ws.permissions['view-c-room'];
        const view = { id: 'ch', type: 'c', teamId: 'T1' } as never;
        // mem is in the public team (its main room) but not in the channel, and nobody holds view-c-room.
        expect(await ws.context().access.canAccessRoom(ws.user('mem'), view)).toBe(false);
        // In a private team, the team's members reach its channels.
        ws.teams[0] = { ...ws.teams[0], type: 1 };
        expect(await ws.context().access.canAccessRoom(ws.user('mem'), view)).toBe(true);
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
