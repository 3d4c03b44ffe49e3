/**
 * `POST /api/v1/channels.setType` as upstream `apps/meteor/app/api/server/v1/channels.ts` (now
 * `apps/meteor/server/api/v1/channels.ts`): `findChannelByIdOrName` (no key check, no access check, `c` and `l` rooms,
 * archived refused), the same-type check, then `saveRoomSettings(roomType)`; the answer is `{ channel, success }` with
 * the room as Rocket.Chat's REST shows it (`API.v1.defaultFieldsToExclude` left out).
 */
import { CHANNEL_NOT_FOUND } from '../rocketchat.cjs';
import { actionNotAllowed, D_EDIT, D_TYPE, Fixture } from './fixture.cjs';

describe('channels.setType', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.login(...Object.values(fx.users).filter((u) => u.active));
    });

    it('the channel owner makes it private: default unset, subscriptions rewritten, answer key "channel"', async () => {
        const { owner } = fx.users;
        const { channel } = fx.rooms;
        expect(fx.room(channel._id).default).toBe(true);
        const res = await fx.post(owner, 'channels.setType', { roomName: 'lobby', type: 'p' });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ success: true, channel: { _id: channel._id, t: 'p' } });
        expect(res.body).not.toHaveProperty('channel.default');
        expect(res.body).not.toHaveProperty('group');
        const room = fx.room(channel._id);
        expect(room.t).toBe('p');
        expect(room.default).toBeUndefined();
        expect(fx.ws.getSubscriptions(channel._id).every((s) => s.t === 'p')).toBe(true);
        expect(fx.ws.getMessages(channel._id)).toEqual([
            expect.objectContaining({ t: 'room_changed_privacy', msg: 'Private', u: expect.objectContaining({ _id: owner._id }) }),
        ]);
    });

    it('the answer leaves out joinCode, members, importIds and e2e (API.v1.defaultFieldsToExclude)', async () => {
        const { owner } = fx.users;
        const room = fx.ws.addRoom({ name: 'coded', t: 'c', owner: owner._id, joinCode: '1234', importIds: ['slack-1'] });
        const res = await fx.post(owner, 'channels.setType', { roomId: room._id, type: 'p' });
        expect(res.status).toBe(200);
        const body = res.body as { channel: Record<string, unknown> };
        expect(body.channel).toMatchObject({ _id: room._id, name: 'coded', t: 'p' });
        for (const hidden of ['joinCode', 'members', 'importIds', 'e2e']) expect(body.channel).not.toHaveProperty(hidden);
        // The document itself keeps them.
        expect(fx.room(room._id)).toMatchObject({ joinCode: '1234', importIds: ['slack-1'] });
    });

    it('no access check: a non-member without a global role fails edit-room, an admin non-member succeeds', async () => {
        const { outsider, admin } = fx.users;
        const { channel } = fx.rooms;
        await fx.expectRejected(() => fx.post(outsider, 'channels.setType', { roomId: channel._id, type: 'p' }), 400,
            actionNotAllowed('Editing room is not allowed', D_EDIT));
        const res = await fx.post(admin, 'channels.setType', { roomId: channel._id, type: 'p' });
        expect(res.status).toBe(200);
        expect(fx.ws.getMessages(channel._id)[0].u).toMatchObject({ _id: admin._id, username: 'admin' });
    });

    it('archived channel: "The channel, <name>, is archived"', async () => {
        await fx.expectRejected(() => fx.post(fx.users.owner, 'channels.setType', { roomId: fx.rooms.archivedChannel._id, type: 'p' }), 400, {
            success: false,
            error: 'The channel, museum, is archived [error-room-archived]',
            errorType: 'error-room-archived',
        });
    });

    it('same type: "The channel type is the same as what it would be changed to." (no errorType), before edit-room', async () => {
        await fx.expectRejected(() => fx.post(fx.users.outsider, 'channels.setType', { roomId: fx.rooms.channel._id, type: 'c' }), 400, {
            success: false,
            error: 'The channel type is the same as what it would be changed to.',
        });
    });

    it.each([[{}], [{ type: '' }], [{ type: '   ' }]])('no type (%j): "The bodyParam \\"type\\" is required"', async (extra) => {
        await fx.expectRejected(() => fx.post(fx.users.owner, 'channels.setType', { roomId: fx.rooms.channel._id, ...extra }), 400, {
            success: false,
            error: 'The bodyParam "type" is required',
        });
    });

    it('no create-p: "Changing a public channel to a private room is not allowed"', async () => {
        fx.ws.setPermissionRoles('create-p', ['admin']);
        await fx.expectRejected(() => fx.post(fx.users.owner, 'channels.setType', { roomId: fx.rooms.channel._id, type: 'p' }), 400,
            actionNotAllowed('Changing a public channel to a private room is not allowed', D_TYPE));
    });

    it("a team's channel: create-team-group with the main room's roles", async () => {
        const { owner } = fx.users;
        const { teamChannel, teamMain } = fx.rooms;
        await fx.expectRejected(() => fx.post(owner, 'channels.setType', { roomId: teamChannel._id, type: 'p' }), 400,
            actionNotAllowed("Changing a team's public channel to a private room is not allowed", D_TYPE));
        fx.ws.setRoomRoles(teamMain._id, owner._id, ['owner']);
        expect((await fx.post(owner, 'channels.setType', { roomId: teamChannel._id, type: 'p' })).status).toBe(200);
    });

    it('a private group, a DM, an unknown room, no key at all: "does not match any channel"', async () => {
        const { owner } = fx.users;
        for (const body of [
            { roomId: fx.rooms.group._id, type: 'c' },
            { roomId: fx.rooms.dm._id, type: 'p' },
            { roomName: 'nowhere', type: 'p' },
            { type: 'p' },
        ]) {
            await fx.expectRejected(() => fx.post(owner, 'channels.setType', body), 400, CHANNEL_NOT_FOUND);
        }
    });

    it('roomId wins over roomName', async () => {
        await fx.expectRejected(() => fx.post(fx.users.owner, 'channels.setType', { roomId: 'wrong', roomName: 'lobby', type: 'p' }), 400,
            CHANNEL_NOT_FOUND);
    });

    it('not logged in: 401', async () => {
        const res = await fx.ws.handle({ method: 'POST', path: '/api/v1/channels.setType', body: { roomId: fx.rooms.channel._id, type: 'p' } });
        expect(res.status).toBe(401);
    });
});
