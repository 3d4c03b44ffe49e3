/**
 * Deleted users (audit F6): a user document can be gone while its subscriptions stay. Upstream
 * `apps/meteor/app/apps/server/bridges/rooms.ts` `AppRoomBridge.getMembers` maps every subscription of the room through
 * the user converter, which yields `undefined` for a missing user; the entries are not filtered. Across the Deno
 * runtime's msgpack codec an `undefined` array entry arrives as `null`.
 */
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import { HostBridges } from '../../host/engine/bridges.cjs';
import type { HostContext } from '../../host/engine/bridges.cjs';
import { Fixture } from './fixture.cjs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const codec = require('@rocket.chat/apps-engine/server/runtime/deno/codec') as {
    newEncoder: () => { encode: (v: unknown) => Uint8Array };
    newDecoder: () => { decode: (b: Uint8Array) => unknown };
};

/** The room bridge's own reads (the engine's `do*` wrappers add only the app-permission check). */
interface RoomReads {
    getMembers(rid: string, appId: string): Promise<Array<IUser | undefined>>;
    getModerators(rid: string, appId: string): Promise<IUser[]>;
}

function roomBridge(fx: Fixture): RoomReads {
    return bridgesFor(fx).getRoomBridge() as unknown as RoomReads;
}

function bridgesFor(fx: Fixture): HostBridges {
    const ctx: HostContext = {
        workspace: fx.ws,
        records: { commands: new Map(), apis: [], deliveries: [], bridgeCalls: new Map(), appUsers: new Map() },
        restOrigins: () => [],
    };
    return new HostBridges(ctx);
}

describe('deleted users', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
    });

    it('deleteUserKeepingSubscriptions removes the user document only', () => {
        const { member } = fx.users;
        const { group } = fx.rooms;
        const token = fx.ws.createAuthToken(member._id);
        fx.ws.deleteUserKeepingSubscriptions(member._id);
        expect(fx.ws.getUser(member._id)).toBeUndefined();
        expect(fx.ws.getUserByUsername('mel')).toBeUndefined();
        expect(fx.ws.getSubscription(group._id, member._id)).toBeDefined();
        expect(fx.ws.getUserRoomIds(member._id)).toContain(group._id);
        expect(fx.ws.authenticate({ 'X-User-Id': member._id, 'X-Auth-Token': token })).toBeUndefined();
        // The username is free again.
        expect(fx.ws.addUser({ username: 'mel' })._id).not.toBe(member._id);
        expect(() => fx.ws.deleteUserKeepingSubscriptions('nope')).toThrow(/unknown user/);
    });

    it('the room bridge getMembers yields an undefined entry per orphaned subscription; owners/moderators skip it', async () => {
        const { member, mod } = fx.users;
        const { group } = fx.rooms;
        fx.ws.deleteUserKeepingSubscriptions(member._id);
        fx.ws.deleteUserKeepingSubscriptions(mod._id);
        const room = roomBridge(fx);
        const members = await room.getMembers(group._id, 'app-id');
        expect(members).toHaveLength(3);
        expect(members.filter((m) => m === undefined)).toHaveLength(2);
        expect(members.find((m) => m !== undefined)?.username).toBe('olivia');
        expect(await room.getModerators(group._id, 'app-id')).toEqual([]);
        // The workspace read keeps only users that exist.
        expect(fx.ws.getMembers(group._id).map((u) => u.username)).toEqual(['olivia']);
        expect(fx.ws.getMemberIds(group._id)).toEqual([fx.users.owner._id, mod._id, member._id]);
    });

    it('what the app receives: the engine codec turns the undefined entries into null', async () => {
        fx.ws.deleteUserKeepingSubscriptions(fx.users.member._id);
        const members = await roomBridge(fx).getMembers(fx.rooms.group._id, 'app-id');
        const decoded = codec.newDecoder().decode(codec.newEncoder().encode({ jsonrpc: '2.0', id: 1, result: members })) as {
            result: Array<Record<string, unknown> | null>;
        };
        expect(decoded.result.filter((m) => m === null)).toHaveLength(1);
        expect(decoded.result.filter((m) => m !== null).map((m) => m?.username)).toEqual(['olivia', 'mo']);
    });
});
