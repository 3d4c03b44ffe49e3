import type { ILogger, IRoomRead, IUserRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import type { WorkspaceGateway } from '../workspace/gateway';
import type { ServerSettings } from '../workspace/serverSettings';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';
import { ROOM_ROLES, isRestrictedForRoles } from './defaults';
import type { Permission, RoomRole } from './defaults';
import { loadPermissionTable } from './permissionTable';
import type { PermissionTable } from './permissionTable';
import type { TeamDirectory } from './teams';

/** How deep a discussion's parent chain is followed for access. */
const MAX_PARENT_DEPTH = 3;

/**
 * Who may do what, with Rocket.Chat's rules (semantics §2.1, §3.1 step 4). One instance per operation:
 * everything it reads is memoized, and it reads only what a decision still needs — room roles only when the
 * user's global roles do not already decide a permission, one role list at a time.
 */
export class AccessService {
    private table?: Promise<PermissionTable>;

    private readonly roleHolders = new Map<string, Promise<ReadonlyArray<IUser>>>();

    private readonly roomIds = new Map<string, Promise<ReadonlyArray<string>>>();

    constructor(
        private readonly rooms: IRoomRead,
        private readonly users: IUserRead,
        private readonly gateway: WorkspaceGateway,
        private readonly serverSettings: ServerSettings,
        private readonly teams: TeamDirectory,
        /** Warned when the permission table cannot be read (nothing is decided then). */
        private readonly logger?: ILogger,
    ) {}

    /**
     * `user` holds `permission`: global roles ∪ (with a scope room) the user's room roles there, in the workspace's
     * table read live (`permissions-unavailable` when it cannot be read). Rocket.Chat's role restriction first: a
     * `guest` holds nothing outside the guest list, whatever other grants say.
     */
    public async hasPermission(user: IUser, permission: Permission, scopeRoomId?: string): Promise<boolean> {
        const granted = await this.grantingRoles(user, permission);
        if (!granted) {
            return false;
        }
        if ((user.roles || []).some((role) => granted.indexOf(role) >= 0)) {
            return true;
        }
        if (!scopeRoomId) {
            return false;
        }
        for (const role of ROOM_ROLES) {
            if (granted.indexOf(role) >= 0 && (await this.hasRoomRole(user, scopeRoomId, role))) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@link hasPermission} where the user's roles in the scope room are already known — the `roles` of their
     * subscription, as Rocket.Chat's `users.info?includeUserRooms=true` answers them — so no room-role read is made.
     */
    public async hasPermissionWithRoomRoles(user: IUser, permission: Permission, roomRoles: ReadonlyArray<string>): Promise<boolean> {
        const granted = await this.grantingRoles(user, permission);
        return !!granted && [...(user.roles || []), ...roomRoles].some((role) => granted.indexOf(role) >= 0);
    }

    /**
     * The roles that grant `permission` in the workspace's table read live (`permissions-unavailable` when it cannot be
     * read); undefined when Rocket.Chat's role restriction denies it to the user whatever they hold (a `guest` holds
     * nothing outside the guest list).
     */
    private async grantingRoles(user: IUser, permission: Permission): Promise<ReadonlyArray<string> | undefined> {
        const table = await this.permissionTable();
        if (isRestrictedForRoles(user.roles || [], permission)) {
            return undefined;
        }
        return table.get(permission) || [];
    }

    /** Every one of `permissions`, each with the same role set. */
    public async hasAllPermissions(user: IUser, permissions: ReadonlyArray<Permission>, scopeRoomId?: string): Promise<boolean> {
        for (const permission of permissions) {
            if (!(await this.hasPermission(user, permission, scopeRoomId))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rocket.Chat's `canAccessRoom`: a public channel outside a team with `view-c-room`; a public channel inside a
     * team with `view-c-room` when the team is public, else through team membership (a member of the team's main
     * room); a joined room (a subscription and `view-joined-room` or `view-p-room`); a discussion also through
     * access to its parent. No admin bypass. An ABAC-managed room (`ABAC_Enabled`, attributes set): Rocket.Chat grants
     * a member access only while their ABAC attributes match the room's (`Abac.canAccessObject`), and apps cannot read
     * a user's attributes — so a member is refused with `abac-room-access` (never more than Rocket.Chat allows), a
     * non-member is refused as Rocket.Chat refuses them.
     *
     * A subscription to a federated room is no access (interface.md §5, §7): it may be an invitation not yet accepted,
     * which Rocket.Chat's `canAccessRoom` does not count and which apps cannot tell from membership. So everything the
     * app decides for a person — changes, dry runs, status, history, buttons, reports — treats an invitee exactly as
     * someone without access, failing closed for accepted members too (they act in Rocket.Chat itself).
     * This is the one access check of every read path: call it, never a subscription test of your own.
     */
    public async canAccessRoom(user: IUser, room: RoomView, depth = 0): Promise<boolean> {
        if (room.hasAbacAttributes && (await this.serverSettings.isTrue('ABAC_Enabled'))) {
            if (await this.hasJoined(user, room)) {
                throw new AppError('abac-room-access', { room: room.label });
            }
            return false;
        }
        if (room.type === 'c' && (await this.canAccessPublicRoom(user, room))) {
            return true;
        }
        if (await this.hasJoined(user, room)) {
            return true;
        }
        if (!room.parent || depth >= MAX_PARENT_DEPTH) {
            return false;
        }
        const parent = room.parent.room || (await this.rooms.getById(room.parent.id));
        return parent ? this.canAccessRoom(user, toRoomView(parent), depth + 1) : false;
    }

    private async canAccessPublicRoom(user: IUser, room: RoomView): Promise<boolean> {
        if (!room.teamId) {
            return this.hasPermission(user, 'view-c-room');
        }
        const team = await this.teams.get(room.teamId);
        if (!team) {
            return false;
        }
        // Upstream `_validateAccessToPublicRoomsInTeams` (apps/meteor/server/services/authorization/canAccessRoom.ts):
        // a public team's channels on `view-c-room` alone; team membership counts only in a private team.
        if (team.type === 0) {
            return this.hasPermission(user, 'view-c-room');
        }
        return !!team.mainRoomId && this.isSubscribed(user, team.mainRoomId);
    }

    /**
     * Whether `user`'s change of the room may wait in the room's serialization (`history/roomLock.ts`): only a member —
     * a subscription, not in a federated room (it may be an invitation). The user's rooms are read whether or not the
     * room exists (`undefined`), and `canAccessRoom` reuses that read: a hidden room costs the calls a missing one
     * costs, and nobody holds busy a room they are not in.
     */
    public async mayWaitInRoom(user: IUser, room: RoomView | undefined): Promise<boolean> {
        const subscribed = await this.isSubscribed(user, room ? room.id : '');
        return !!room && subscribed && !room.federated;
    }

    private async hasJoined(user: IUser, room: RoomView): Promise<boolean> {
        if (room.federated || !(await this.isSubscribed(user, room.id))) {
            return false;
        }
        return room.type !== 'p' || this.mayViewPrivateRooms(user);
    }

    private async mayViewPrivateRooms(user: IUser): Promise<boolean> {
        return (await this.hasPermission(user, 'view-joined-room')) || this.hasPermission(user, 'view-p-room');
    }

    private permissionTable(): Promise<PermissionTable> {
        if (!this.table) {
            this.table = loadPermissionTable(this.gateway, (why) => this.logger?.warn(why));
        }
        return this.table;
    }

    /**
     * The ids of every room `user` has a subscription to (`getUserRoomIds`, one read per operation, shared with the
     * access checks). Apps cannot see whether a subscription is a pending invitation (interface.md §5).
     */
    private roomIdsOf(user: IUser): Promise<ReadonlyArray<string>> {
        let ids = this.roomIds.get(user.id);
        if (!ids) {
            ids = this.users.getUserRoomIds(user.id).then((list) => list || []);
            this.roomIds.set(user.id, ids);
        }
        return ids;
    }

    /** `user` has a subscription to the room. */
    public isSubscribed(user: IUser, roomId: string): Promise<boolean> {
        return this.roomIdsOf(user).then((list) => list.indexOf(roomId) >= 0);
    }

    private async hasRoomRole(user: IUser, roomId: string, role: RoomRole): Promise<boolean> {
        const key = `${roomId}\n${role}`;
        let holders = this.roleHolders.get(key);
        if (!holders) {
            holders = this.readRoleHolders(roomId, role).then((list) => list || []);
            this.roleHolders.set(key, holders);
        }
        return (await holders).some((holder) => !!holder && holder.id === user.id);
    }

    private readRoleHolders(roomId: string, role: RoomRole): Promise<Array<IUser>> {
        switch (role) {
            case 'owner':
                return this.rooms.getOwners(roomId);
            case 'moderator':
                return this.rooms.getModerators(roomId);
            default:
                return this.rooms.getLeaders(roomId);
        }
    }
}
