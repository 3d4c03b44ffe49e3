/**
 * `groups.setType` as upstream `apps/meteor/server/api/v1/groups.ts` (semantics §2.3, §3, §5, §8): private groups only —
 * a public channel is `error-room-not-found` (the app's public → private extension is not Rocket.Chat's; Rocket.Chat's
 * own door for that is `channels.setType`, tested in channelsSetType.test.cts).
 */
import { actionNotAllowed, D_EDIT, D_TYPE, Fixture, GROUP_NOT_FOUND, PARAM_NOT_PROVIDED } from './fixture.cjs';

describe('groups.setType (reference)', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.login(...Object.values(fx.users).filter((u) => u.active));
    });

    const typeRequired = { success: false, error: 'The bodyParam "type" is required' };

    describe('private group → public channel', () => {
        it('owner makes the group public: room, every subscription, system message in the server language', async () => {
            const { owner } = fx.users;
            const { group } = fx.rooms;
            const res = await fx.post(owner, 'groups.setType', { roomId: group._id, type: 'c' });
            expect(res.status).toBe(200);
            expect(res.body).toMatchObject({ success: true, group: { _id: group._id, name: 'secret', t: 'c' } });
            expect(fx.room(group._id).t).toBe('c');
            const subs = fx.ws.getSubscriptions(group._id);
            expect(subs).toHaveLength(3);
            expect(subs.every((s) => s.t === 'c')).toBe(true);
            expect(fx.ws.getMessages(group._id)).toEqual([
                expect.objectContaining({ t: 'room_changed_privacy', msg: 'Public', rid: group._id, u: expect.objectContaining({ _id: owner._id, username: 'olivia' }) }),
            ]);
            // Subscriptions of other rooms are untouched.
            expect(fx.ws.getSubscriptions(fx.rooms.archived._id).every((s) => s.t === 'p')).toBe(true);
        });

        it.each([
            ['en', 'Public', 'Private'],
            ['pt-BR', 'Público', 'Privado'],
            ['es', 'Público', 'Privado'],
            ['de', 'Öffentlich', 'Privat'],
            ['fr', 'Public', 'Private'],
        ])('Language %s: "%s" / "%s"', async (lang, pub, priv) => {
            const { owner } = fx.users;
            const { group } = fx.rooms;
            fx.ws.setSetting('Language', lang);
            await fx.post(owner, 'groups.setType', { roomId: group._id, type: 'c' });
            // Back to private through Rocket.Chat's channels.setType.
            await fx.post(owner, 'channels.setType', { roomId: group._id, type: 'p' });
            expect(fx.ws.getMessages(group._id).map((m) => m.msg)).toEqual([pub, priv]);
        });

        it("the user's own language does not matter (the server Language does)", async () => {
            const polyglot = fx.ws.addUser({ username: 'poly', language: 'de' });
            const room = fx.ws.addRoom({ name: 'poly-room', t: 'p', owner: polyglot._id });
            fx.login(polyglot);
            await fx.post(polyglot, 'groups.setType', { roomId: room._id, type: 'c' });
            expect(fx.ws.getMessages(room._id)[0].msg).toBe('Public');
        });

        it('same type: "The private group type is the same as what it would be changed to." before edit-room', async () => {
            await fx.expectRejected(() => fx.post(fx.users.member, 'groups.setType', { roomId: fx.rooms.group._id, type: 'p' }), 400, {
                success: false,
                error: 'The private group type is the same as what it would be changed to.',
            });
        });

        it('no edit-room: "Editing room is not allowed"', async () => {
            await fx.expectRejected(() => fx.post(fx.users.member, 'groups.setType', { roomId: fx.rooms.group._id, type: 'c' }), 400,
                actionNotAllowed('Editing room is not allowed', D_EDIT));
        });

        it('a moderator may change the type (edit-room + create-c)', async () => {
            const res = await fx.post(fx.users.mod, 'groups.setType', { roomId: fx.rooms.group._id, type: 'c' });
            expect(res.status).toBe(200);
        });

        it('no create-c: "Changing a private group to a public channel is not allowed"', async () => {
            fx.ws.setPermissionRoles('create-c', ['admin']);
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: fx.rooms.group._id, type: 'c' }), 400,
                actionNotAllowed('Changing a private group to a public channel is not allowed', D_TYPE));
        });

        it('create-c is global: a room role does not grant it', async () => {
            fx.ws.setPermissionRoles('create-c', ['admin', 'owner']);
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: fx.rooms.group._id, type: 'c' }), 400,
                actionNotAllowed('Changing a private group to a public channel is not allowed', D_TYPE));
        });

        it.each([['x'], ['C'], ['d'], ['private']])('type "%s": error-invalid-room-type after edit-room', async (type) => {
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: fx.rooms.group._id, type }), 400, {
                success: false,
                error: 'error-invalid-room-type [error-invalid-room-type]',
                errorType: 'error-invalid-room-type',
                details: { function: 'RocketChat.saveRoomType', type },
            });
            await fx.expectRejected(() => fx.post(fx.users.member, 'groups.setType', { roomId: fx.rooms.group._id, type }), 400,
                actionNotAllowed('Editing room is not allowed', D_EDIT));
        });

        it.each([
            ['missing', {}],
            ['empty', { type: '' }],
            ['blank', { type: '   ' }],
            ['null', { type: null }],
        ])('type %s: "The bodyParam "type" is required" before any room check', async (_label, extra) => {
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: 'nope', ...extra }), 400, typeRequired);
        });

        it.each([
            ['a number', { type: 1 }],
            ['an array', { type: ['c'] }],
        ])('type %s: the TypeError of `type?.trim()`, before any room check (test/workspace/fidelity.test.cts)', async (_label, extra) => {
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: 'nope', ...extra }), 400, {
                success: false,
                error: 'this.bodyParams.type?.trim is not a function',
            });
        });

        it('room keys: {} / both empty → param-not-provided; one empty → not found; roomId wins', async () => {
            const { owner } = fx.users;
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { type: 'c' }), 400, PARAM_NOT_PROVIDED);
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: '', roomName: '', type: 'c' }), 400, PARAM_NOT_PROVIDED);
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: '', type: 'c' }), 400, GROUP_NOT_FOUND);
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomName: '', type: 'c' }), 400, GROUP_NOT_FOUND);
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: 'wrong', roomName: 'secret', type: 'c' }), 400, GROUP_NOT_FOUND);
            expect((await fx.post(owner, 'groups.setType', { roomName: 'secret', type: 'c' })).status).toBe(200);
        });

        it('non-members (admins included), DMs, livechat rooms: error-room-not-found', async () => {
            for (const user of [fx.users.outsider, fx.users.admin]) {
                await fx.expectRejected(() => fx.post(user, 'groups.setType', { roomId: fx.rooms.group._id, type: 'c' }), 400, GROUP_NOT_FOUND);
            }
            for (const room of [fx.rooms.dm, fx.rooms.livechat]) {
                await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: room._id, type: 'c' }), 400, GROUP_NOT_FOUND);
                await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: room._id, type: 'p' }), 400, GROUP_NOT_FOUND);
            }
        });

        it('a public channel with type "c" is not a group', async () => {
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: fx.rooms.channel._id, type: 'c' }), 400, GROUP_NOT_FOUND);
        });

        it('archived group: error-room-archived', async () => {
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { roomId: fx.rooms.archived._id, type: 'c' }), 400, {
                success: false,
                error: 'The private group, attic, is archived [error-room-archived]',
                errorType: 'error-room-archived',
            });
        });

        it('ABAC-managed group with ABAC_Enabled: refused; attributes kept', async () => {
            const { owner } = fx.users;
            const room = fx.ws.addRoom({ name: 'abac', t: 'p', owner: owner._id, abacAttributes: [{ key: 'dept', values: ['eng'] }] });
            fx.ws.setSetting('ABAC_Enabled', true);
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: room._id, type: 'c' }), 400,
                actionNotAllowed('Changing an ABAC managed private room to public is not allowed', D_TYPE));
            // The ABAC check comes before the invalid-type check.
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: room._id, type: 'x' }), 400,
                actionNotAllowed('Changing an ABAC managed private room to public is not allowed', D_TYPE));
        });

        it('ABAC attributes with ABAC_Enabled off: allowed, and the attributes are removed', async () => {
            const { owner } = fx.users;
            const room = fx.ws.addRoom({ name: 'abac', t: 'p', owner: owner._id, abacAttributes: [{ key: 'dept', values: ['eng'] }] });
            const res = await fx.post(owner, 'groups.setType', { roomId: room._id, type: 'c' });
            expect(res.status).toBe(200);
            expect(fx.room(room._id).abacAttributes).toBeUndefined();
            expect(res.body).not.toHaveProperty('group.abacAttributes');
        });
    });

    describe('team rooms (rule 2.3)', () => {
        it("a team's main room uses the global rule; the team's type follows (0 public, 1 private)", async () => {
            const { teamOwner } = fx.users;
            const { teamMain } = fx.rooms;
            expect((await fx.post(teamOwner, 'groups.setType', { roomId: teamMain._id, type: 'c' })).status).toBe(200);
            expect(fx.ws.getTeam(fx.teamId)?.type).toBe(0);
            expect((await fx.post(teamOwner, 'channels.setType', { roomId: teamMain._id, type: 'p' })).status).toBe(200);
            expect(fx.ws.getTeam(fx.teamId)?.type).toBe(1);
        });

        it("a team's main room without create-c gets the non-team message", async () => {
            fx.ws.setPermissionRoles('create-c', ['admin']);
            await fx.expectRejected(() => fx.post(fx.users.teamOwner, 'groups.setType', { roomId: fx.rooms.teamMain._id, type: 'c' }), 400,
                actionNotAllowed('Changing a private group to a public channel is not allowed', D_TYPE));
        });

        it('room inside a team: the caller needs create-team-channel with the roles of the main room', async () => {
            const { owner } = fx.users;
            const { teamChild } = fx.rooms;
            // olivia owns crew-ops but is a plain member of the main room.
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: teamChild._id, type: 'c' }), 400,
                actionNotAllowed("Changing a team's private group to a public channel is not allowed", D_TYPE));
            fx.ws.setRoomRoles(fx.rooms.teamMain._id, owner._id, ['moderator']);
            const res = await fx.post(owner, 'groups.setType', { roomId: teamChild._id, type: 'c' });
            expect(res.status).toBe(200);
            // The team's type does not follow a child room.
            expect(fx.ws.getTeam(fx.teamId)?.type).toBe(1);
        });

        it('F7: a room inside a team needs only create-team-channel (main-room scope), not create-c', async () => {
            // upstream apps/meteor/server/meteor-methods/rooms/saveRoomSettings.ts: create-c / create-p only
            // `(!room.teamId || room.teamMain)`.
            const { owner } = fx.users;
            const { teamChild, teamMain } = fx.rooms;
            fx.ws.setRoomRoles(teamMain._id, owner._id, ['moderator']);
            fx.ws.setPermissionRoles('create-c', ['admin']);
            const res = await fx.post(owner, 'groups.setType', { roomId: teamChild._id, type: 'c' });
            expect(res.status).toBe(200);
            expect(fx.room(teamChild._id).t).toBe('c');
        });

        it('F7: create-c alone (without create-team-channel in the main room) does not suffice', async () => {
            const { owner } = fx.users;
            fx.ws.setPermissionRoles('create-c', ['admin', 'owner', 'user']);
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: fx.rooms.teamChild._id, type: 'c' }), 400,
                actionNotAllowed("Changing a team's private group to a public channel is not allowed", D_TYPE));
        });

        it('F7: a team channel made private needs only create-team-group (main-room scope), not create-p', async () => {
            const { owner } = fx.users;
            const { teamChannel, teamMain } = fx.rooms;
            fx.ws.setRoomRoles(teamMain._id, owner._id, ['moderator']);
            fx.ws.setPermissionRoles('create-p', ['admin']);
            expect((await fx.post(owner, 'channels.setType', { roomId: teamChannel._id, type: 'p' })).status).toBe(200);
        });

        it('room inside a team whose team is missing: only global roles count', async () => {
            const { owner } = fx.users;
            const orphan = fx.ws.addRoom({ name: 'orphan', t: 'p', owner: owner._id, teamId: 'no-such-team' });
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: orphan._id, type: 'c' }), 400,
                actionNotAllowed("Changing a team's private group to a public channel is not allowed", D_TYPE));
            fx.ws.setPermissionRoles('create-team-channel', ['admin', 'owner', 'moderator', 'user']);
            expect((await fx.post(owner, 'groups.setType', { roomId: orphan._id, type: 'c' })).status).toBe(200);
        });

        it("room inside a private team whose main room is ABAC-managed: upstream's team guard reads the child room, so it is allowed", async () => {
            // upstream saveRoomSettings.ts calls `isAbacManagedTeam(team, room)` with the room being changed, whose own
            // attributes the generic ABAC check already covers.
            const { owner } = fx.users;
            const state = fx.ws.toJSON();
            const main = state.rooms.find((r) => r._id === fx.rooms.teamMain._id);
            if (!main) throw new Error('fixture');
            main.abacAttributes = [{ key: 'dept', values: ['ops'] }];
            const { Workspace } = await import('../../host/workspace/Workspace.cjs');
            const ws = Workspace.fromJSON(state);
            ws.setSetting('ABAC_Enabled', true);
            ws.setRoomRoles(fx.rooms.teamMain._id, owner._id, ['moderator']);
            const token = ws.createAuthToken(owner._id);
            const res = await ws.handle({
                method: 'POST',
                path: '/api/v1/groups.setType',
                headers: { 'X-User-Id': owner._id, 'X-Auth-Token': token },
                body: { roomId: fx.rooms.teamChild._id, type: 'c' },
            });
            expect(res.status).toBe(200);
        });

        it('an ABAC-managed room inside a team: the generic ABAC message', async () => {
            const { owner } = fx.users;
            fx.ws.setSetting('ABAC_Enabled', true);
            const room = fx.ws.addRoom({ name: 'abac-child', t: 'p', owner: owner._id, abacAttributes: [{ key: 'dept', values: ['ops'] }] });
            fx.ws.addRoomToTeam(room._id, fx.teamId);
            fx.ws.setRoomRoles(fx.rooms.teamMain._id, owner._id, ['moderator']);
            await fx.expectRejected(() => fx.post(owner, 'groups.setType', { roomId: room._id, type: 'c' }), 400,
                actionNotAllowed('Changing an ABAC managed private room to public is not allowed', D_TYPE));
        });
    });

    describe('a public channel is not a private group (no app-only extension)', () => {
        it.each([
            ['roomId', (fx: Fixture) => ({ roomId: fx.rooms.channel._id })],
            ['roomName', () => ({ roomName: 'lobby' })],
        ])('type p on a public channel by %s: error-room-not-found, nothing changes', async (_key, params) => {
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setType', { ...params(fx), type: 'p' }), 400, GROUP_NOT_FOUND);
        });

        it('even for an admin', async () => {
            await fx.expectRejected(() => fx.post(fx.users.admin, 'groups.setType', { roomId: fx.rooms.channel._id, type: 'p' }), 400, GROUP_NOT_FOUND);
        });
    });
});
