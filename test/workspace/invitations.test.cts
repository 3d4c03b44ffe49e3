/**
 * Invitations (audit F8): a subscription with `status: 'INVITED'` (native federation invites) is not membership for
 * `canAccessRoom` (upstream `apps/meteor/server/services/authorization/canAccessRoom.ts`: `_validateIfAlreadyJoined`
 * counts subscriptions with `includeInvitations` false), while the accessor bridges still list it (upstream
 * `Subscriptions.findByUserId` for `getUserRoomIds`, `Subscriptions.findByRoomId` for `getMembers`).
 */
import { Fixture, GROUP_NOT_FOUND } from './fixture.cjs';

describe('invitations', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.ws.setSetting('API_Enable_Rate_Limiter', false);
    });

    it('an invited admin cannot reach the group through groups.* until the invitation is accepted', async () => {
        const { admin, owner } = fx.users;
        const { group } = fx.rooms;
        fx.ws.markFederated(group._id);
        const sub = fx.ws.inviteMember(group._id, admin._id, owner._id);
        expect(sub).toMatchObject({ rid: group._id, status: 'INVITED', inviter: { _id: owner._id, username: 'olivia' } });
        expect(fx.room(group._id).federated).toBe(true);
        fx.login(admin);

        expect(fx.ws.canAccessRoom(group._id, admin._id)).toBe(false);
        await fx.expectRejected(() => fx.post(admin, 'groups.setEncrypted', { roomId: group._id, encrypted: true }), 400, GROUP_NOT_FOUND);
        await fx.expectRejected(() => fx.get(admin, 'groups.info', { roomId: group._id }), 400, GROUP_NOT_FOUND);

        // The accessor reads still list it.
        expect(fx.ws.getUserRoomIds(admin._id)).toContain(group._id);
        expect(fx.ws.getMembers(group._id).map((u) => u?._id)).toContain(admin._id);

        fx.ws.acceptInvitation(group._id, admin._id);
        expect(fx.ws.getSubscription(group._id, admin._id)?.status).toBeUndefined();
        expect(fx.ws.canAccessRoom(group._id, admin._id)).toBe(true);
        expect((await fx.post(admin, 'groups.setEncrypted', { roomId: group._id, encrypted: true })).status).toBe(200);
    });

    it('an invitation does not count in usersCount', () => {
        const { group } = fx.rooms;
        const before = fx.room(group._id).usersCount;
        fx.ws.inviteMember(group._id, fx.users.outsider._id);
        expect(fx.room(group._id).usersCount).toBe(before);
        fx.ws.acceptInvitation(group._id, fx.users.outsider._id);
        expect(fx.room(group._id).usersCount).toBe(before + 1);
    });

    it('bad input is refused and changes nothing', () => {
        const before = fx.ws.snapshot();
        expect(() => fx.ws.inviteMember(fx.rooms.group._id, fx.users.member._id)).toThrow(/already/);
        expect(() => fx.ws.inviteMember('nope', fx.users.member._id)).toThrow(/unknown room/);
        expect(() => fx.ws.acceptInvitation(fx.rooms.group._id, fx.users.member._id)).toThrow(/no invitation/);
        expect(() => fx.ws.markFederated('nope')).toThrow(/unknown room/);
        expect(fx.ws.snapshot()).toBe(before);
    });
});
