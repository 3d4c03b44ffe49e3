/** The workspace itself: seeding, reads, routing, faults, instrumentation, change events, persistence, scale. */
import { Workspace } from '../../host/workspace/Workspace.cjs';
import { DEFAULT_PERMISSIONS } from '../../host/workspace/defaults.cjs';
import { expectSameSnapshot, NOT_LOGGED_IN } from './fixture.cjs';

const ID17 = /^[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{17}$/;

function small(): { ws: Workspace; alice: string; bob: string; rid: string; headers: Record<string, string> } {
    const ws = Workspace.empty();
    const alice = ws.addUser({ username: 'alice', password: 'pw' })._id;
    const bob = ws.addUser({ username: 'bob' })._id;
    const rid = ws.addRoom({ name: 'g', t: 'p', owner: alice, members: [bob] })._id;
    const headers = { 'X-User-Id': alice, 'X-Auth-Token': ws.createAuthToken(alice) };
    return { ws, alice, bob, rid, headers };
}

describe('Workspace', () => {
    describe('empty()', () => {
        it('has no users, rooms or teams, the default permission table and settings', () => {
            const json = Workspace.empty().toJSON();
            expect(json.users).toEqual([]);
            expect(json.rooms).toEqual([]);
            expect(json.subscriptions).toEqual([]);
            expect(json.teams).toEqual([]);
            expect(json.teamMembers).toEqual([]);
            expect(json.messages).toEqual([]);
            expect(json.removedPermissions).toEqual([]);
            expect(json.settings).toEqual({
                E2E_Allow_Unencrypted_Messages: false,
                E2E_Enable: false,
                ABAC_Enabled: false,
                Site_Url: 'http://localhost:3000',
                Language: 'en',
                Accounts_BlockedUsernameList: '',
                Accounts_SystemBlockedUsernameList: 'administrator,system,user',
                API_Enable_Rate_Limiter: true,
                API_Enable_Rate_Limiter_Limit_Calls_Default: 10,
                API_Enable_Rate_Limiter_Limit_Time_Default: 60000,
                API_Default_Count: 50,
                API_Upper_Count_Limit: 100,
                API_Allow_Infinite_Count: true,
            });
            expect(json.permissions.map((p) => p._id)).toEqual(DEFAULT_PERMISSIONS.map((p) => p._id));
            expect(new Set(json.permissions.map((p) => p._id)).size).toBe(json.permissions.length);
            for (const id of ['edit-room', 'toggle-room-e2e-encryption', 'create-c', 'create-p', 'create-team', 'create-team-channel', 'create-team-group', 'view-p-room', 'view-joined-room', 'view-all-teams', 'view-c-room', 'view-room-administration']) {
                expect(json.permissions.some((p) => p._id === id)).toBe(true);
            }
            expect(new Workspace().toJSON().permissions).toHaveLength(json.permissions.length);
        });
    });

    describe('seeding', () => {
        it('addUser: defaults and 17-character ids; duplicate usernames (any case) are refused', () => {
            const ws = Workspace.empty();
            const u = ws.addUser({ username: 'alice' });
            expect(u).toMatchObject({ username: 'alice', name: 'alice', roles: ['user'], active: true, type: 'user', authTokens: [] });
            expect(u._id).toMatch(ID17);
            expect(u.createdAt).toBeInstanceOf(Date);
            expect(() => ws.addUser({ username: 'Alice' })).toThrow(/already in use/);
            expect(ws.addUser({ username: 'x', _id: 'fixed-id', roles: ['admin'], language: 'de' })).toMatchObject({ _id: 'fixed-id', roles: ['admin'], language: 'de' });
        });

        it('addRoom: owner subscription with role owner, members, usersCount; unknown users are refused', () => {
            const { ws, alice, bob, rid } = small();
            const room = ws.getRoom(rid);
            expect(room).toMatchObject({ name: 'g', fname: 'g', t: 'p', usersCount: 2, msgs: 0, u: { _id: alice, username: 'alice' } });
            expect(ws.getSubscription(rid, alice)).toMatchObject({ rid, t: 'p', name: 'g', roles: ['owner'], u: { _id: alice, username: 'alice' } });
            expect(ws.getSubscription(rid, bob)?.roles).toBeUndefined();
            expect(ws.getUsersWithRoomRole(rid, 'owner').map((u) => u.username)).toEqual(['alice']);
            expect(ws.getMembers(rid).map((u) => u.username)).toEqual(['alice', 'bob']);
            expect(() => ws.addRoom({ name: 'h', t: 'p', owner: 'nope' })).toThrow(/unknown user/);
            expect(() => ws.addRoom({ name: 'g', t: 'c', owner: alice })).toThrow(/already exists/);
        });

        it('addMember / setRoomRoles keep usersCount and roles; a second subscription is refused', () => {
            const { ws, rid } = small();
            const carol = ws.addUser({ username: 'carol' })._id;
            ws.addMember(rid, carol, ['leader']);
            expect(ws.getRoom(rid)?.usersCount).toBe(3);
            expect(ws.getUsersWithRoomRole(rid, 'leader').map((u) => u.username)).toEqual(['carol']);
            ws.setRoomRoles(rid, carol, ['moderator']);
            expect(ws.getUsersWithRoomRole(rid, 'moderator').map((u) => u.username)).toEqual(['carol']);
            expect(ws.getUsersWithRoomRole(rid, 'leader')).toEqual([]);
            expect(() => ws.addMember(rid, carol)).toThrow(/already a member/);
            expect(ws.getUserRoomIds(carol)).toEqual([rid]);
        });

        it('addTeam / addRoomToTeam', () => {
            const { ws, alice, bob, rid } = small();
            const team = ws.addTeam({ name: 'team-g', type: 1, mainRoomId: rid, ownerId: alice, memberIds: [bob] });
            expect(team._id).toMatch(/^[0-9a-f]{24}$/);
            expect(ws.getRoom(rid)).toMatchObject({ teamId: team._id, teamMain: true });
            expect(ws.getTeamMembers(team._id).map((m) => [m.userId, m.roles])).toEqual([
                [bob, undefined],
                [alice, ['owner']],
            ]);
            const child = ws.addRoom({ name: 'child', t: 'c', owner: bob });
            ws.addRoomToTeam(child._id, team._id);
            expect(ws.getRoom(child._id)).toMatchObject({ teamId: team._id });
            expect(ws.getRoom(child._id)?.teamMain).toBeUndefined();
            expect(ws.getTeamByName('team-g')?._id).toBe(team._id);
            expect(ws.getTeamByMainRoomId(rid)?._id).toBe(team._id);
        });

        it('settings and permissions', () => {
            const ws = Workspace.empty();
            ws.setSetting('E2E_Enable', true);
            expect(ws.getSetting('E2E_Enable')).toBe(true);
            const before = ws.getPermission('edit-room');
            const after = ws.setPermissionRoles('edit-room', ['admin']);
            expect(after.roles).toEqual(['admin']);
            expect(after._updatedAt.getTime()).toBeGreaterThan(before?._updatedAt.getTime() ?? Infinity);
            expect(ws.setPermissionRoles('brand-new', ['user'])._id).toBe('brand-new');
        });
    });

    describe('reads return copies', () => {
        it('mutating what a read returned changes nothing', () => {
            const { ws, alice, rid } = small();
            const before = ws.snapshot();
            const user = ws.getUser(alice);
            if (!user) throw new Error('no user');
            user.roles.push('admin');
            user.authTokens.length = 0;
            const room = ws.getRoom(rid);
            if (!room) throw new Error('no room');
            room.t = 'c';
            room.ts.setFullYear(1999);
            ws.getSubscriptions(rid)[0].roles?.push('moderator');
            ws.getMembers(rid)[0].roles.push('admin');
            ws.listRooms()[0].name = 'x';
            ws.listUsers()[0].username = 'x';
            ws.getPermission('edit-room')?.roles.push('user');
            (ws.getSetting('Language') as string).toUpperCase();
            expectSameSnapshot(ws.snapshot(), before);
        });

        it('unknown ids give undefined / empty lists', () => {
            const ws = Workspace.empty();
            expect(ws.getUser('x')).toBeUndefined();
            expect(ws.getRoom('x')).toBeUndefined();
            expect(ws.getRoomByName('x')).toBeUndefined();
            expect(ws.getSubscription('x', 'y')).toBeUndefined();
            expect(ws.getSubscriptions('x')).toEqual([]);
            expect(ws.getUserRoomIds('x')).toEqual([]);
            expect(ws.getMembers('x')).toEqual([]);
            expect(ws.getTeam('x')).toBeUndefined();
            expect(ws.getTeamMembers('x')).toEqual([]);
            expect(ws.getMessages('x')).toEqual([]);
        });
    });

    describe('authentication and routing', () => {
        it('authenticate: header names are case-insensitive; wrong token, unknown user and missing headers fail', () => {
            const { ws, alice, headers } = small();
            expect(ws.authenticate(headers)?._id).toBe(alice);
            expect(ws.authenticate({ 'x-user-id': alice, 'x-auth-token': headers['X-Auth-Token'] })?._id).toBe(alice);
            expect(ws.authenticate({ 'X-USER-ID': alice, 'X-AUTH-TOKEN': headers['X-Auth-Token'] })?._id).toBe(alice);
            expect(ws.authenticate({ 'X-User-Id': alice, 'X-Auth-Token': 'nope' })).toBeUndefined();
            expect(ws.authenticate({ 'X-User-Id': 'nope', 'X-Auth-Token': headers['X-Auth-Token'] })).toBeUndefined();
            expect(ws.authenticate({})).toBeUndefined();
        });

        it('unknown path or wrong method: 404; missing auth: 401', async () => {
            const { ws, headers } = small();
            expect(await ws.handle({ method: 'GET', path: '/api/v1/nope', headers })).toEqual({ status: 404, body: { success: false, error: 'Not found' } });
            expect(await ws.handle({ method: 'GET', path: '/api/v1/groups.setType', headers })).toEqual({ status: 404, body: { success: false, error: 'Not found' } });
            expect(await ws.handle({ method: 'POST', path: '/api/v1/me', headers })).toEqual({ status: 404, body: { success: false, error: 'Not found' } });
            expect(await ws.handle({ method: 'get', path: '/api/v1/me' })).toEqual({ status: 401, body: NOT_LOGGED_IN });
            expect((await ws.handle({ method: 'get', path: '/api/v1/me', headers })).status).toBe(200);
        });

        it('every body is plain JSON', async () => {
            const { ws, headers, rid } = small();
            const res = await ws.handle({ method: 'GET', path: '/api/v1/groups.info', query: { roomId: rid }, headers });
            expect(JSON.parse(JSON.stringify(res.body))).toEqual(res.body);
            expect((res.body as { group: { ts: unknown } }).group.ts).toEqual(expect.any(String));
        });
    });

    describe('faults and instrumentation', () => {
        it('records every call (method, path without query, X-User-Id); resetCounters clears them', async () => {
            const { ws, alice, headers } = small();
            await ws.handle({ method: 'get', path: '/api/v1/teams.info?teamName=x', headers });
            await ws.handle({ method: 'POST', path: '/api/v1/login', body: {} });
            expect(ws.restCalls).toEqual([{ method: 'GET', path: '/api/v1/teams.info', userId: alice }, { method: 'POST', path: '/api/v1/login' }]);
            ws.resetCounters();
            expect(ws.restCalls).toEqual([]);
        });

        it('status fault: answers before anything else (even auth), `times` limits it', async () => {
            const { ws, headers } = small();
            ws.setFault('/api/v1/me', { kind: 'status', status: 503, times: 2 });
            expect(await ws.handle({ method: 'GET', path: '/api/v1/me' })).toEqual({ status: 503, body: { success: false, error: 'Service Unavailable' } });
            expect(await ws.handle({ method: 'GET', path: '/api/v1/me', headers })).toEqual({ status: 503, body: { success: false, error: 'Service Unavailable' } });
            expect((await ws.handle({ method: 'GET', path: '/api/v1/me', headers })).status).toBe(200);
            ws.setFault('/api/v1/me', { kind: 'status', status: 500, body: { custom: true } });
            expect(await ws.handle({ method: 'GET', path: '/api/v1/me?x=1', headers })).toEqual({ status: 500, body: { custom: true } });
            expect(await ws.handle({ method: 'GET', path: '/api/v1/me', headers })).toEqual({ status: 500, body: { custom: true } });
            ws.setFault('/api/v1/me', undefined);
            expect((await ws.handle({ method: 'GET', path: '/api/v1/me', headers })).status).toBe(200);
            expect(ws.restCalls).toHaveLength(6);
        });

        it('a faulted write changes nothing', async () => {
            const { ws, headers, rid } = small();
            ws.setFault('/api/v1/groups.setType', { kind: 'status', status: 500 });
            const before = ws.snapshot();
            await ws.handle({ method: 'POST', path: '/api/v1/groups.setType', headers, body: { roomId: rid, type: 'c' } });
            expect(ws.snapshot()).toBe(before);
        });

        it('timeout: a promise that never settles', async () => {
            const { ws, headers } = small();
            ws.setFault('/api/v1/me', { kind: 'timeout', times: 1 });
            const outcome = await Promise.race([
                ws.handle({ method: 'GET', path: '/api/v1/me', headers }).then(() => 'settled', () => 'rejected'),
                new Promise((r) => setTimeout(() => r('pending'), 50)),
            ]);
            expect(outcome).toBe('pending');
            expect((await ws.handle({ method: 'GET', path: '/api/v1/me', headers })).status).toBe(200);
        });

        it('refuse: rejects with an Error whose code is ECONNREFUSED', async () => {
            const { ws, headers } = small();
            ws.setFault('/api/v1/me', { kind: 'refuse' });
            await expect(ws.handle({ method: 'GET', path: '/api/v1/me', headers })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
            await expect(ws.handle({ method: 'GET', path: '/api/v1/me', headers })).rejects.toBeInstanceOf(Error);
        });
    });

    describe('onChange', () => {
        it('fires after every state change (seeding and REST writes), not after reads or rejected requests', async () => {
            const { ws, alice, headers, rid } = small();
            let count = 0;
            const off = ws.onChange(() => {
                count++;
            });
            ws.addUser({ username: 'carol' });
            ws.setSetting('E2E_Enable', true);
            expect(count).toBe(2);
            await ws.handle({ method: 'GET', path: '/api/v1/me', headers });
            ws.getRoom(rid);
            expect(count).toBe(2);
            await ws.handle({ method: 'POST', path: '/api/v1/groups.setType', headers, body: { roomId: rid, type: 'p' } });
            expect(count).toBe(2);
            await ws.handle({ method: 'POST', path: '/api/v1/groups.setType', headers, body: { roomId: rid, type: 'c' } });
            expect(count).toBe(3);
            ws.createAuthToken(alice);
            expect(count).toBe(4);
            off();
            ws.addUser({ username: 'dave' });
            expect(count).toBe(4);
        });
    });

    describe('persistence', () => {
        it('toJSON → fromJSON round-trips exactly (and through a JSON string)', async () => {
            const { ws, headers, rid, alice } = small();
            ws.setSetting('E2E_Enable', true);
            ws.addTeam({ name: 'tg', type: 1, mainRoomId: rid, ownerId: alice });
            await ws.handle({ method: 'POST', path: '/api/v1/groups.setEncrypted', headers, body: { roomId: rid, encrypted: true } });
            ws.removePermission('mail-messages');
            const json = ws.toJSON();
            expect(typeof json.rooms[0].ts).toBe('string');
            expect(JSON.parse(JSON.stringify(json))).toEqual(json);
            const copy = Workspace.fromJSON(json);
            expect(copy.toJSON()).toEqual(json);
            expect(copy.snapshot()).toBe(ws.snapshot());
            expect(copy.getRoom(rid)?.ts).toBeInstanceOf(Date);
            expect(copy.getMessages(rid)[0].ts).toBeInstanceOf(Date);
            expect(Workspace.fromJSON(JSON.stringify(json)).snapshot()).toBe(ws.snapshot());
            // The copy works: its tokens, indexes and endpoints.
            expect((await copy.handle({ method: 'GET', path: '/api/v1/groups.info', query: { roomName: 'g' }, headers })).status).toBe(200);
            expect(copy.getUserRoomIds(alice)).toEqual([rid]);
        });

        it('the constructor copies the state it is given', () => {
            const { ws } = small();
            const state = Workspace.fromJSON(ws.toJSON());
            expect(state.snapshot()).toBe(ws.snapshot());
        });

        it('fromJSON rejects malformed input clearly', () => {
            expect(() => Workspace.fromJSON(null)).toThrow('Workspace.fromJSON: expected an object');
            expect(() => Workspace.fromJSON({ users: {} })).toThrow('"users" must be an array');
            expect(() => Workspace.fromJSON({ rooms: [{ _id: 'r', ts: 'yesterday' }] })).toThrow('rooms[0].ts: expected an ISO date string');
        });

        it('snapshot is deterministic and sensitive to every change', () => {
            const { ws, rid, bob } = small();
            const a = ws.snapshot();
            expect(ws.snapshot()).toBe(a);
            ws.setRoomRoles(rid, bob, ['moderator']);
            expect(ws.snapshot()).not.toBe(a);
        });
    });

    describe('scale', () => {
        it('a 10,000-member room: seeding, membership lookups and a type change stay fast', async () => {
            const ws = Workspace.empty();
            const owner = ws.addUser({ username: 'owner' });
            const room = ws.addRoom({ name: 'big', t: 'p', owner: owner._id });
            const start = Date.now();
            const ids: string[] = [];
            for (let i = 0; i < 10000; i++) {
                const u = ws.addUser({ username: `u${i}` });
                ws.addMember(room._id, u._id);
                ids.push(u._id);
            }
            const seeded = Date.now();
            for (const id of ids) {
                expect(ws.getUserRoomIds(id)).toEqual([room._id]);
            }
            for (let i = 0; i < 10000; i++) ws.hasPermission(ids[i], 'edit-room', room._id);
            const token = ws.createAuthToken(owner._id);
            const res = await ws.handle({
                method: 'POST',
                path: '/api/v1/groups.setType',
                headers: { 'X-User-Id': owner._id, 'X-Auth-Token': token },
                body: { roomId: room._id, type: 'c' },
            });
            expect(res.status).toBe(200);
            expect(ws.getRoom(room._id)?.usersCount).toBe(10001);
            expect(ws.getSubscription(room._id, ids[9999])?.t).toBe('c');
            expect(seeded - start).toBeLessThan(5000);
            expect(Date.now() - seeded).toBeLessThan(5000);
        });
    });

    describe('reference endpoint vs. service-account endpoint', () => {
        it('the same change through groups.setType (as the user) and rooms.saveRoomSettings (as admin) ends in the same room state', async () => {
            const build = (): { ws: Workspace; alice: string; admin: string; rid: string } => {
                const ws = Workspace.empty();
                const alice = ws.addUser({ username: 'alice', _id: 'alice-id' })._id;
                const admin = ws.addUser({ username: 'svc', roles: ['admin', 'user'], _id: 'svc-id' })._id;
                const rid = ws.addRoom({ name: 'g', t: 'p', owner: alice, _id: 'room-id' })._id;
                return { ws, alice, admin, rid };
            };
            const a = build();
            const b = build();
            await a.ws.handle({ method: 'POST', path: '/api/v1/groups.setType', headers: { 'X-User-Id': a.alice, 'X-Auth-Token': a.ws.createAuthToken(a.alice) }, body: { roomId: a.rid, type: 'c' } });
            await b.ws.handle({ method: 'POST', path: '/api/v1/rooms.saveRoomSettings', headers: { 'X-User-Id': b.admin, 'X-Auth-Token': b.ws.createAuthToken(b.admin) }, body: { rid: b.rid, roomType: 'c' } });
            const strip = ({ _updatedAt: _u, ts: _ts, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
            expect(strip(a.ws.getRoom(a.rid) as unknown as Record<string, unknown>)).toEqual(strip(b.ws.getRoom(b.rid) as unknown as Record<string, unknown>));
            expect(a.ws.getMessages(a.rid)[0].u._id).toBe('alice-id');
            expect(b.ws.getMessages(b.rid)[0].u._id).toBe('svc-id');
        });
    });
});
