/**
 * Role restrictions (audit F2): upstream `rolesHasPermission` (`apps/meteor/server/services/authorization/service.ts`)
 * first asks `AuthorizationUtils.isPermissionRestrictedForRoleList` (`apps/meteor/app/authorization/lib/AuthorizationUtils.ts`);
 * on a licensed workspace the EE license service registers `addRoleRestrictions('guest', guestPermissions)`
 * (`apps/meteor/ee/app/authorization/lib/guestPermissions.ts`), so a user holding `guest` gets nothing outside that
 * whitelist, whatever their other roles grant.
 */
import { actionNotAllowed, D_EDIT, Fixture } from './fixture.cjs';
import { demoWorkspace } from '../../host/workspace/demo.cjs';
import { Workspace } from '../../host/workspace/Workspace.cjs';

describe('guest role restriction', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
    });

    it('licensed: a guest who owns a group cannot toggle its encryption (edit-room is restricted)', async () => {
        const { guest } = fx.users;
        const room = fx.ws.addRoom({ name: 'guest-room', t: 'p', owner: guest._id });
        fx.login(guest);
        fx.ws.setEnterprise(true);
        expect(fx.ws.isEnterprise()).toBe(true);
        await fx.expectRejected(() => fx.post(guest, 'groups.setEncrypted', { roomId: room._id, encrypted: true }), 400,
            actionNotAllowed('Editing room is not allowed', D_EDIT));
        expect(fx.ws.hasPermission(guest._id, 'edit-room', room._id)).toBe(false);
        // Whitelisted permissions still work: the guest can read the group.
        expect((await fx.get(guest, 'groups.info', { roomId: room._id })).status).toBe(200);
        expect(fx.ws.hasPermission(guest._id, 'view-p-room')).toBe(true);
        expect(fx.ws.hasPermission(guest._id, 'start-discussion')).toBe(true);
    });

    it('unlicensed (community edition): no restriction, the room role decides', async () => {
        const { guest } = fx.users;
        const room = fx.ws.addRoom({ name: 'guest-room', t: 'p', owner: guest._id });
        fx.login(guest);
        expect(fx.ws.isEnterprise()).toBe(false);
        expect((await fx.post(guest, 'groups.setEncrypted', { roomId: room._id, encrypted: true })).status).toBe(200);
    });

    it('other roles do not lift it: guest + admin, or a permission granted to guest, stay denied', () => {
        fx.ws.setEnterprise(true);
        const mixed = fx.ws.addUser({ username: 'mixed', roles: ['guest', 'admin'] });
        expect(fx.ws.hasPermission(mixed._id, 'create-c')).toBe(false);
        expect(fx.ws.hasPermission(mixed._id, 'api-bypass-rate-limit')).toBe(false);
        expect(fx.ws.hasPermission(mixed._id, 'view-d-room')).toBe(true);
        fx.ws.setPermissionRoles('create-team', ['admin', 'user', 'guest']);
        expect(fx.ws.hasPermission(fx.users.guest._id, 'create-team')).toBe(false);
        fx.ws.setEnterprise(false);
        expect(fx.ws.hasPermission(fx.users.guest._id, 'create-team')).toBe(true);
        expect(fx.ws.hasPermission(mixed._id, 'create-c')).toBe(true);
    });

    it('the flag is part of the state (toJSON / fromJSON) and the demo workspace is licensed', () => {
        fx.ws.setEnterprise(true);
        expect(Workspace.fromJSON(fx.ws.toJSON()).isEnterprise()).toBe(true);
        expect(Workspace.fromJSON({ ...fx.ws.toJSON(), enterprise: undefined }).isEnterprise()).toBe(false);
        expect(demoWorkspace().workspace.isEnterprise()).toBe(true);
    });
});
