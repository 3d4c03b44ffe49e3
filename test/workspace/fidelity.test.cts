/**
 * The workspace against upstream Rocket.Chat where the December 2026 read of `host/` found it drifted (findings
 * §D19, §D21–§D26). Each case names the upstream file it checks against.
 */
import { Fixture } from './fixture.cjs';
import type { WsUser } from '../../host/workspace/model.cjs';

describe('canAccessRoom, ABAC branch (upstream apps/meteor/server/services/authorization/canAccessRoom.ts @ e09cbc33, ee/packages/abac/src/index.ts)', () => {
    let fx: Fixture;
    let alice: WsUser;
    let bob: WsUser;
    let carol: WsUser;
    let rid: string;

    beforeEach(() => {
        fx = new Fixture();
        const { ws } = fx;
        alice = ws.addUser({ username: 'alice', abacAttributes: [{ key: 'clearance', values: ['secret', 'top'] }] });
        bob = ws.addUser({ username: 'bob', abacAttributes: [{ key: 'clearance', values: ['public'] }] });
        carol = ws.addUser({ username: 'carol', abacAttributes: [{ key: 'clearance', values: ['secret'] }] });
        rid = ws.addRoom({ name: 'vault', t: 'p', owner: alice._id, members: [bob._id], abacAttributes: [{ key: 'clearance', values: ['secret'] }] })._id;
        ws.setSetting('ABAC_Enabled', true);
    });

    it('without the abac licence module the room is a plain private group: membership decides', () => {
        expect(fx.ws.canAccessRoom(rid, bob._id)).toBe(true);
        expect(fx.ws.canAccessRoom(rid, carol._id)).toBe(false);
    });

    it('with the module and ABAC_Enabled: a member whose attributes match has access', () => {
        fx.ws.setLicenseModules(['abac']);
        expect(fx.ws.canAccessRoom(rid, alice._id)).toBe(true);
    });

    it('a member whose attributes no longer match is refused, and Rocket.Chat removes them from the room', () => {
        fx.ws.setLicenseModules(['abac']);
        const before = fx.ws.getRoom(rid)?.usersCount;
        expect(fx.ws.canAccessRoom(rid, bob._id)).toBe(false);
        expect(fx.ws.getSubscription(rid, bob._id)).toBeUndefined();
        expect(fx.ws.getRoom(rid)?.usersCount).toBe((before ?? 0) - 1);
        expect(fx.ws.getMessages(rid).map((m) => m.t)).toContain('abac-removed-user-from-room');
    });

    it('a matching non-member is refused too (Abac.canAccessObject needs a subscription)', () => {
        fx.ws.setLicenseModules(['abac']);
        expect(fx.ws.canAccessRoom(rid, carol._id)).toBe(false);
    });

    it('view-joined-room / view-p-room are still needed', () => {
        fx.ws.setLicenseModules(['abac']);
        fx.ws.setPermissionRoles('view-joined-room', []);
        fx.ws.setPermissionRoles('view-p-room', []);
        expect(fx.ws.canAccessRoom(rid, alice._id)).toBe(false);
    });

    it('ABAC_Enabled off: membership decides again', () => {
        fx.ws.setLicenseModules(['abac']);
        fx.ws.setSetting('ABAC_Enabled', false);
        expect(fx.ws.canAccessRoom(rid, bob._id)).toBe(true);
    });
});

describe('public channels in teams (canAccessRoom.ts _validateAccessToPublicRoomsInTeams @ e09cbc33)', () => {
    it('a public team: view-c-room decides, team membership does not count', () => {
        const fx = new Fixture();
        const { ws } = fx;
        const owner = fx.users.teamOwner;
        const main = ws.addRoom({ name: 'open-team', t: 'c', owner: owner._id });
        const team = ws.addTeam({ name: 'open-team', type: 0, mainRoomId: main._id, ownerId: owner._id, memberIds: [fx.users.member._id] });
        const hall = ws.addRoom({ name: 'open-hall', t: 'c', owner: owner._id });
        ws.addRoomToTeam(hall._id, team._id);
        ws.setPermissionRoles('view-c-room', ['admin']);
        expect(ws.canAccessRoom(hall._id, fx.users.member._id)).toBe(false);
    });
});

describe('system messages count in msgs (Message.saveSystemMessage → Rooms.incMsgCountById)', () => {
    it('groups.setEncrypted adds one to the room msgs', async () => {
        const fx = new Fixture();
        const before = fx.room(fx.rooms.group._id).msgs;
        expect((await fx.post(fx.users.owner, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true })).status).toBe(200);
        expect(fx.room(fx.rooms.group._id).msgs).toBe(before + 1);
    });
});

describe('channels.info (upstream apps/meteor/server/api/v1/channels.ts: canAccessRoomAsync, else API.v1.forbidden())', () => {
    it('a channel the caller cannot access is 403', async () => {
        const fx = new Fixture();
        fx.ws.setPermissionRoles('view-c-room', ['admin']);
        const res = await fx.get(fx.users.outsider, 'channels.info', { roomId: fx.rooms.channel._id });
        expect(res).toEqual({ status: 403, body: { success: false, error: 'unauthorized' } });
        // The admin keeps view-c-room; a member without it or view-joined-room (default: not `user`) is refused too.
        expect((await fx.get(fx.users.admin, 'channels.info', { roomId: fx.rooms.channel._id })).status).toBe(200);
    });
});

describe('groups.setType with a type that is no string (upstream groups.ts @ 575c1631: `this.bodyParams.type?.trim()`)', () => {
    it.each([[1], [true], [{}], [['c']]])('%j: the TypeError, answered 400 with its message; nothing changes', async (type) => {
        const fx = new Fixture();
        fx.login(fx.users.owner);
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: fx.rooms.group._id, type }), 400, {
            success: false,
            error: 'this.bodyParams.type?.trim is not a function',
        });
    });

    it.each([[null], [''], ['  ']])('%j: "type is required"', async (type) => {
        const fx = new Fixture();
        const res = await fx.post(fx.users.owner, 'groups.setType', { roomId: fx.rooms.group._id, type });
        expect(res).toEqual({ status: 400, body: { success: false, error: 'The bodyParam "type" is required' } });
    });
});

describe('OAuth on /api/v1 (upstream ApiClass.authenticatedRoute + apps/meteor/app/oauth2-server-config/server/oauth/oauth2-server.ts @ 039d5bba)', () => {
    let fx: Fixture;
    let token: string;
    const T0 = new Date('2026-12-01T10:00:00.000Z');

    beforeEach(() => {
        fx = new Fixture();
        token = fx.ws.createOAuthAccessToken(fx.users.owner._id, { expires: new Date(T0.getTime() + 3600_000) });
        jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    });
    afterEach(() => jest.useRealTimers());

    const me = (headers: Record<string, string>, query: Record<string, string> = {}) => fx.ws.handle({ method: 'GET', path: '/api/v1/me', headers, query });

    it('Authorization: Bearer <token> authenticates its user', async () => {
        expect(await me({ Authorization: `Bearer ${token}` })).toMatchObject({ status: 200, body: { _id: fx.users.owner._id } });
    });

    it('?access_token=<token> authenticates its user, and is taken out of the query the route sees', async () => {
        expect(await me({}, { access_token: token })).toMatchObject({ status: 200, body: { _id: fx.users.owner._id } });
        const list = await fx.ws.handle({ method: 'GET', path: '/api/v1/permissions.listAll', query: { access_token: token } });
        expect(list.status).toBe(200);
    });

    it('an expired, unknown or non-Bearer token is no login (401)', async () => {
        jest.setSystemTime(T0.getTime() + 3600_001);
        expect((await me({ Authorization: `Bearer ${token}` })).status).toBe(401);
        jest.setSystemTime(T0);
        expect((await me({ Authorization: 'Bearer nope' })).status).toBe(401);
        expect((await me({ Authorization: `Basic ${token}` })).status).toBe(401);
    });

    it('X-User-Id + X-Auth-Token, when both are sent, decide alone: a bad pair is no login even with a good bearer', async () => {
        expect((await me({ 'X-User-Id': fx.users.owner._id, 'X-Auth-Token': 'wrong', Authorization: `Bearer ${token}` })).status).toBe(401);
    });
});
