import type { IRoomRead, IUserRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { WorkspaceGateway } from '../workspace/gateway';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';
import { ROOM_ROLES } from './defaults';
import type { Permission, RoomRole } from './defaults';
import { loadPermissionTable } from './permissionTable';
import type { PermissionTable } from './permissionTable';

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
    ) {}

    /** `user` holds `permission`: global roles ∪ (with a scope room) the user's room roles there. */
    public async hasPermission(user: IUser, permission: Permission, scopeRoomId?: string): Promise<boolean> {
        const granted = (await this.permissionTable()).get(permission) || [];
        const globalRoles = user.roles || [];
        if (globalRoles.some((role) => granted.indexOf(role) >= 0)) {
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
     * Access to a room that is not public: a subscription (the user's room ids) and `view-joined-room` or
     * `view-p-room`; a discussion also through access to its parent. No admin bypass.
     */
    public async canAccessRoom(user: IUser, room: RoomView, depth = 0): Promise<boolean> {
        if (room.type === 'c') {
            return this.hasPermission(user, 'view-c-room');
        }
        if ((await this.isSubscribed(user, room.id)) && (room.type !== 'p' || (await this.mayViewPrivateRooms(user)))) {
            return true;
        }
        if (!room.parent || depth >= MAX_PARENT_DEPTH) {
            return false;
        }
        const parent = room.parent.room || (await this.rooms.getById(room.parent.id));
        return parent ? this.canAccessRoom(user, toRoomView(parent), depth + 1) : false;
    }

    private async mayViewPrivateRooms(user: IUser): Promise<boolean> {
        return (await this.hasPermission(user, 'view-joined-room')) || this.hasPermission(user, 'view-p-room');
    }

    private permissionTable(): Promise<PermissionTable> {
        if (!this.table) {
            this.table = loadPermissionTable(this.gateway);
        }
        return this.table;
    }

    private isSubscribed(user: IUser, roomId: string): Promise<boolean> {
        let ids = this.roomIds.get(user.id);
        if (!ids) {
            ids = this.users.getUserRoomIds(user.id).then((list) => list || []);
            this.roomIds.set(user.id, ids);
        }
        return ids.then((list) => list.indexOf(roomId) >= 0);
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
