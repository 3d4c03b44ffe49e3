/** Reference `groups.setEncrypted` (semantics §3.1, §4, §8). */
import { actionNotAllowed, D_E2E, D_EDIT, Fixture, GROUP_NOT_FOUND, NOT_LOGGED_IN, PARAM_NOT_PROVIDED } from './fixture.cjs';

describe('groups.setEncrypted (reference)', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.login(...Object.values(fx.users).filter((u) => u.active));
    });

    const bodyRequired = { success: false, error: 'The bodyParam "encrypted" is required' };

    it('owner enables encryption: room written, system message as the owner, answer { group, success }', async () => {
        const { owner } = fx.users;
        const { group } = fx.rooms;
        const res = await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        expect(res.status).toBe(200);
        const body = res.body as { group: Record<string, unknown>; success: boolean };
        expect(body.success).toBe(true);
        expect(body.group).toMatchObject({ _id: group._id, name: 'secret', fname: 'secret', t: 'p', encrypted: true, ro: false });
        expect(body.group.u).toEqual({ _id: owner._id, username: 'olivia' });
        expect(typeof body.group.ts).toBe('string');
        expect(typeof body.group._updatedAt).toBe('string');
        expect(fx.room(group._id).encrypted).toBe(true);
        const msgs = fx.ws.getMessages(group._id);
        expect(msgs).toHaveLength(1);
        expect(msgs[0]).toMatchObject({ t: 'room_e2e_enabled', rid: group._id, msg: 'olivia', u: { _id: owner._id, username: 'olivia' } });
    });

    it('disabling sends room_e2e_disabled', async () => {
        const { owner } = fx.users;
        const { group } = fx.rooms;
        await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        const res = await fx.post(owner, 'groups.setEncrypted', { roomName: 'secret', encrypted: false });
        expect(res.status).toBe(200);
        expect(fx.room(group._id).encrypted).toBe(false);
        expect(fx.ws.getMessages(group._id).map((m) => m.t)).toEqual(['room_e2e_enabled', 'room_e2e_disabled']);
    });

    it('encrypting switches auto-translate off on the subscriptions; decrypting does not touch them', async () => {
        const { owner, member } = fx.users;
        const { group } = fx.rooms;
        // Seed an auto-translating subscription through the state (there is no seeding helper for it).
        const state = fx.ws.toJSON();
        const sub = state.subscriptions.find((s) => s.rid === group._id && s.u._id === member._id);
        if (!sub) throw new Error('fixture');
        sub.autoTranslate = true;
        sub.autoTranslateLanguage = 'de';
        const { Workspace } = await import('../../host/workspace/Workspace.cjs');
        const ws = Workspace.fromJSON(state);
        const token = ws.createAuthToken(owner._id);
        const headers = { 'x-user-id': owner._id, 'x-auth-token': token };
        await ws.handle({ method: 'POST', path: '/api/v1/groups.setEncrypted', headers, body: { roomId: group._id, encrypted: false } });
        expect(ws.getSubscription(group._id, member._id)?.autoTranslate).toBe(true);
        await ws.handle({ method: 'POST', path: '/api/v1/groups.setEncrypted', headers, body: { roomId: group._id, encrypted: true } });
        expect(ws.getSubscription(group._id, member._id)?.autoTranslate).toBeUndefined();
    });

    it('same value: 200, room written (_updatedAt moves), no system message', async () => {
        const { owner } = fx.users;
        const { group } = fx.rooms;
        await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        const before = fx.room(group._id)._updatedAt;
        const res = await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        expect(res.status).toBe(200);
        expect(fx.room(group._id)._updatedAt.getTime()).toBeGreaterThan(before.getTime());
        expect(fx.ws.getMessages(group._id)).toHaveLength(1);
    });

    it('a room without the field differs from false (checks run), but false is written without a message', async () => {
        const { owner, mod } = fx.users;
        const { group } = fx.rooms;
        expect(fx.room(group._id).encrypted).toBeUndefined();
        // The moderator lacks toggle-room-e2e-encryption: undefined !== false, so the check applies.
        await fx.expectRejected(() => fx.post(mod, 'groups.setEncrypted', { roomId: group._id, encrypted: false }), 400,
            actionNotAllowed('You do not have permission to toggle E2E encryption', D_E2E));
        const res = await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: false });
        expect(res.status).toBe(200);
        expect(fx.room(group._id).encrypted).toBe(false);
        expect(fx.ws.getMessages(group._id)).toHaveLength(0);
    });

    it.each([
        ['missing', {}],
        ['string "true"', { encrypted: 'true' }],
        ['number 1', { encrypted: 1 }],
        ['null', { encrypted: null }],
    ])('encrypted %s: "The bodyParam "encrypted" is required" before any room check', async (_label, extra) => {
        const { owner } = fx.users;
        // Even with an unknown room, the body check comes first.
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: 'nope', ...extra }), 400, bodyRequired);
    });

    it('a body that is not an object fails the body check', async () => {
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setEncrypted', [true]), 400, bodyRequired);
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setEncrypted', 'encrypted'), 400, bodyRequired);
    });

    it('{ encrypted } alone, or both keys empty: error-room-param-not-provided', async () => {
        const { owner } = fx.users;
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { encrypted: true }), 400, PARAM_NOT_PROVIDED);
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: '', roomName: '', encrypted: true }), 400, PARAM_NOT_PROVIDED);
    });

    it('{ roomId: "" } or { roomName: "" } alone: error-room-not-found', async () => {
        const { owner } = fx.users;
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: '', encrypted: true }), 400, GROUP_NOT_FOUND);
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomName: '', encrypted: true }), 400, GROUP_NOT_FOUND);
    });

    it('roomId wins: a wrong roomId fails even with a valid roomName; an empty roomId with a valid roomName fails too', async () => {
        const { owner } = fx.users;
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: 'wrong', roomName: 'secret', encrypted: true }), 400, GROUP_NOT_FOUND);
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: '', roomName: 'secret', encrypted: true }), 400, GROUP_NOT_FOUND);
        const ok = await fx.post(owner, 'groups.setEncrypted', { roomId: fx.rooms.group._id, roomName: 'wrong', encrypted: true });
        expect(ok.status).toBe(200);
    });

    it('public channels, DMs and livechat rooms are not groups', async () => {
        const { owner } = fx.users;
        for (const room of [fx.rooms.channel, fx.rooms.dm, fx.rooms.livechat]) {
            await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: room._id, encrypted: true }), 400, GROUP_NOT_FOUND);
        }
    });

    it('non-members get error-room-not-found, admins included (no admin bypass)', async () => {
        for (const user of [fx.users.outsider, fx.users.admin, fx.users.service]) {
            await fx.expectRejected(() => fx.post(user, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 400, GROUP_NOT_FOUND);
        }
    });

    it('archived group: error-room-archived after the access check', async () => {
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.setEncrypted', { roomId: fx.rooms.archived._id, encrypted: true }), 400, {
            success: false,
            error: 'The private group, attic, is archived [error-room-archived]',
            errorType: 'error-room-archived',
        });
        await fx.expectRejected(() => fx.post(fx.users.outsider, 'groups.setEncrypted', { roomId: fx.rooms.archived._id, encrypted: true }), 400, GROUP_NOT_FOUND);
    });

    it('a plain member lacks edit-room: "Editing room is not allowed"', async () => {
        await fx.expectRejected(() => fx.post(fx.users.member, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 400,
            actionNotAllowed('Editing room is not allowed', D_EDIT));
    });

    it('edit-room is checked even when the value is unchanged', async () => {
        const { owner, member } = fx.users;
        await fx.post(owner, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true });
        await fx.expectRejected(() => fx.post(member, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 400,
            actionNotAllowed('Editing room is not allowed', D_EDIT));
    });

    it('a moderator has edit-room but not toggle-room-e2e-encryption', async () => {
        await fx.expectRejected(() => fx.post(fx.users.mod, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 400,
            actionNotAllowed('You do not have permission to toggle E2E encryption', D_E2E));
    });

    it('E2E_Enable off: enabling and disabling fail, an unchanged value succeeds without a message', async () => {
        const { owner } = fx.users;
        const { group } = fx.rooms;
        await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        fx.ws.setSetting('E2E_Enable', false);
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: false }), 400,
            actionNotAllowed('Only groups or direct channels can enable encryption', D_E2E));
        const res = await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        expect(res.status).toBe(200);
        expect(fx.ws.getMessages(group._id)).toHaveLength(1);
    });

    it('the E2E_Enable check comes before the permission check', async () => {
        fx.ws.setSetting('E2E_Enable', false);
        await fx.expectRejected(() => fx.post(fx.users.mod, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 400,
            actionNotAllowed('Only groups or direct channels can enable encryption', D_E2E));
    });

    it('an admin member may toggle (global admin role)', async () => {
        const { admin } = fx.users;
        fx.ws.addMember(fx.rooms.group._id, admin._id);
        const res = await fx.post(admin, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true });
        expect(res.status).toBe(200);
        expect(fx.ws.getMessages(fx.rooms.group._id)[0].u).toMatchObject({ _id: admin._id, username: 'admin' });
    });

    it('encryption has no broadcast, read-only, team or ABAC exclusion', async () => {
        const { teamOwner } = fx.users;
        fx.ws.setSetting('ABAC_Enabled', true);
        const room = fx.ws.addRoom({ name: 'bcast', t: 'p', owner: teamOwner._id, broadcast: true, ro: true, abacAttributes: [{ key: 'dept', values: ['x'] }] });
        expect((await fx.post(teamOwner, 'groups.setEncrypted', { roomId: room._id, encrypted: true })).status).toBe(200);
        expect((await fx.post(teamOwner, 'groups.setEncrypted', { roomId: fx.rooms.teamMain._id, encrypted: true })).status).toBe(200);
    });

    it('a discussion is named by its fname and is accessible through its parent', async () => {
        const { owner, mod } = fx.users;
        const { discussion } = fx.rooms;
        // mod is no member of the discussion, but of its parent: access is granted, edit-room (no role there) is not.
        await fx.expectRejected(() => fx.post(mod, 'groups.setEncrypted', { roomId: discussion._id, encrypted: true }), 400,
            actionNotAllowed('Editing room is not allowed', D_EDIT));
        const archived = fx.ws.addRoom({ name: 'd-zz', fname: 'Old plan', t: 'p', owner: owner._id, prid: fx.rooms.group._id, archived: true });
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: archived._id, encrypted: true }), 400, {
            success: false,
            error: 'The private group, Old plan, is archived [error-room-archived]',
            errorType: 'error-room-archived',
        });
    });

    it('a guest member has access (view-p-room) and the guest role grants no edit-room', async () => {
        const { guest } = fx.users;
        fx.ws.addMember(fx.rooms.group._id, guest._id);
        fx.login(guest);
        await fx.expectRejected(() => fx.post(guest, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 400,
            actionNotAllowed('Editing room is not allowed', D_EDIT));
    });

    it('a member without view-joined-room / view-p-room is refused as not found', async () => {
        const weird = fx.ws.addUser({ username: 'weird', roles: ['nobody'] });
        fx.ws.addMember(fx.rooms.group._id, weird._id, ['owner']);
        fx.login(weird);
        await fx.expectRejected(() => fx.post(weird, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 400, GROUP_NOT_FOUND);
    });

    it('without credentials: 401', async () => {
        const res = await fx.ws.handle({ method: 'POST', path: '/api/v1/groups.setEncrypted', body: { roomId: fx.rooms.group._id, encrypted: true } });
        expect(res).toEqual({ status: 401, body: NOT_LOGGED_IN });
    });
});

describe('saveRoomEncrypted needs a registered user (audit F11)', () => {
    it('an acting user without a name: invalid-user (upstream isRegisterUser), nothing changes', async () => {
        // upstream apps/meteor/server/lib/rooms/settings/saveRoomEncrypted.ts: `if (!isRegisterUser(user)) throw
        // new Meteor.Error('invalid-user', 'Invalid user', { function: 'RocketChat.saveRoomEncrypted' })`.
        const fx = new Fixture();
        const ldap = fx.ws.addUser({ username: 'ldap.sync', name: null, roles: ['admin', 'user'] });
        expect(fx.ws.getUser(ldap._id)).not.toHaveProperty('name');
        const room = fx.ws.addRoom({ name: 'synced', t: 'p', owner: ldap._id });
        fx.login(ldap);
        await fx.expectRejected(() => fx.post(ldap, 'groups.setEncrypted', { roomId: room._id, encrypted: true }), 400, {
            success: false,
            error: 'Invalid user [invalid-user]',
            errorType: 'invalid-user',
            details: { function: 'RocketChat.saveRoomEncrypted' },
        });
        await fx.expectRejected(() => fx.post(ldap, 'rooms.saveRoomSettings', { rid: room._id, encrypted: true }), 400, {
            success: false,
            error: 'Invalid user [invalid-user]',
            errorType: 'invalid-user',
            details: { function: 'RocketChat.saveRoomEncrypted' },
        });
        // Other settings do not need the name.
        expect((await fx.post(ldap, 'groups.setType', { roomId: room._id, type: 'c' })).status).toBe(200);
    });
});
