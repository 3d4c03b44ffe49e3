/**
 * The workspace's collections and the indexes kept beside them. Everything here hands out the stored documents
 * themselves (internal use only); `Workspace` copies before anything leaves it. Indexed fields (ids, usernames,
 * room names, a subscription's `rid`/`u._id`, a team member's `teamId`) never change after insertion.
 */
import type {
    WsMessage,
    WsPermission,
    WsRoom,
    WsState,
    WsSubscription,
    WsTeam,
    WsTeamMember,
    WsUser,
} from './model.cjs';

export class Store {
    private readonly usersById = new Map<string, WsUser>();
    private readonly usersByUsername = new Map<string, WsUser>();
    private readonly usersByLowerUsername = new Map<string, WsUser>();
    private readonly roomsById = new Map<string, WsRoom>();
    private readonly roomsByName = new Map<string, WsRoom>();
    private readonly subsByRoom = new Map<string, Map<string, WsSubscription>>();
    private readonly subsByUser = new Map<string, Map<string, WsSubscription>>();
    private readonly teamsById = new Map<string, WsTeam>();
    private readonly teamsByName = new Map<string, WsTeam>();
    private readonly teamMembersByTeam = new Map<string, WsTeamMember[]>();
    private readonly permissionsById = new Map<string, WsPermission>();
    private readonly messagesByRoom = new Map<string, WsMessage[]>();
    private lastTime = 0;

    constructor(readonly state: WsState) {
        for (const u of state.users) this.indexUser(u);
        for (const r of state.rooms) this.indexRoom(r);
        for (const s of state.subscriptions) this.indexSubscription(s);
        for (const t of state.teams) this.indexTeam(t);
        for (const m of state.teamMembers) this.indexTeamMember(m);
        for (const p of state.permissions) this.permissionsById.set(p._id, p);
        for (const m of state.messages) this.indexMessage(m);
        const collections: Array<ReadonlyArray<{ _updatedAt?: Date; _deletedAt?: Date }>> = [
            state.users,
            state.rooms,
            state.subscriptions,
            state.teams,
            state.teamMembers,
            state.permissions,
            state.removedPermissions,
            state.messages,
        ];
        for (const docs of collections) {
            for (const d of docs) {
                const at = d._updatedAt ?? d._deletedAt;
                if (at instanceof Date && at.getTime() > this.lastTime) this.lastTime = at.getTime();
            }
        }
    }

    /** Counts the writes: every write takes its timestamp from `now()`. */
    get version(): number {
        return this.writes;
    }

    private writes = 0;

    /**
     * The timestamp of a write. The clock never goes backwards and never repeats, so every write gets a distinct,
     * later `_updatedAt` (which keeps `permissions.listAll?updatedSince=` exact).
     */
    now(): Date {
        const t = Math.max(Date.now(), this.lastTime + 1);
        this.lastTime = t;
        this.writes++;
        return new Date(t);
    }

    // ---- users ----

    user(id: unknown): WsUser | undefined {
        return typeof id === 'string' ? this.usersById.get(id) : undefined;
    }

    userByUsername(username: unknown): WsUser | undefined {
        return typeof username === 'string' ? this.usersByUsername.get(username) : undefined;
    }

    userByUsernameIgnoringCase(username: string): WsUser | undefined {
        return this.usersByLowerUsername.get(username.toLowerCase());
    }

    insertUser(user: WsUser): WsUser {
        if (this.usersById.has(user._id)) throw new Error(`A user with _id "${user._id}" already exists`);
        if (this.usersByLowerUsername.has(user.username.toLowerCase())) {
            throw new Error(`The username "${user.username}" is already in use`);
        }
        this.state.users.push(user);
        this.indexUser(user);
        return user;
    }

    /** Removes the user document (and its indexes) only. */
    removeUser(id: string): WsUser | undefined {
        const user = this.usersById.get(id);
        if (!user) return undefined;
        this.state.users = this.state.users.filter((u) => u._id !== id);
        this.usersById.delete(id);
        this.usersByUsername.delete(user.username);
        this.usersByLowerUsername.delete(user.username.toLowerCase());
        return user;
    }

    private indexUser(user: WsUser): void {
        this.usersById.set(user._id, user);
        this.usersByUsername.set(user.username, user);
        this.usersByLowerUsername.set(user.username.toLowerCase(), user);
    }

    // ---- rooms ----

    room(id: unknown): WsRoom | undefined {
        return typeof id === 'string' ? this.roomsById.get(id) : undefined;
    }

    /** `Rooms.findOneByName`: an exact match on `name`. */
    roomByName(name: unknown): WsRoom | undefined {
        return typeof name === 'string' && name !== '' ? this.roomsByName.get(name) : undefined;
    }

    insertRoom(room: WsRoom): WsRoom {
        if (this.roomsById.has(room._id)) throw new Error(`A room with _id "${room._id}" already exists`);
        if (room.name && this.roomsByName.has(room.name)) throw new Error(`A room named "${room.name}" already exists`);
        this.state.rooms.push(room);
        this.indexRoom(room);
        return room;
    }

    private indexRoom(room: WsRoom): void {
        this.roomsById.set(room._id, room);
        if (room.name) this.roomsByName.set(room.name, room);
    }

    // ---- subscriptions ----

    subscription(rid: string, uid: string): WsSubscription | undefined {
        return this.subsByRoom.get(rid)?.get(uid);
    }

    subscriptionsOfRoom(rid: string): WsSubscription[] {
        return [...(this.subsByRoom.get(rid)?.values() ?? [])];
    }

    roomIdsOfUser(uid: string): string[] {
        return [...(this.subsByUser.get(uid)?.keys() ?? [])];
    }

    subscriptionsOfUser(uid: string): WsSubscription[] {
        return [...(this.subsByUser.get(uid)?.values() ?? [])];
    }

    insertSubscription(sub: WsSubscription): WsSubscription {
        if (this.subscription(sub.rid, sub.u._id)) {
            throw new Error(`User "${sub.u._id}" is already a member of room "${sub.rid}"`);
        }
        this.state.subscriptions.push(sub);
        this.indexSubscription(sub);
        return sub;
    }

    /** Deletes the subscription of `uid` to `rid`; false when there was none. */
    removeSubscription(rid: string, uid: string): boolean {
        const sub = this.subscription(rid, uid);
        if (!sub) return false;
        this.state.subscriptions.splice(this.state.subscriptions.indexOf(sub), 1);
        this.subsByRoom.get(rid)?.delete(uid);
        this.subsByUser.get(uid)?.delete(rid);
        return true;
    }

    private indexSubscription(sub: WsSubscription): void {
        let byRoom = this.subsByRoom.get(sub.rid);
        if (!byRoom) this.subsByRoom.set(sub.rid, (byRoom = new Map()));
        byRoom.set(sub.u._id, sub);
        let byUser = this.subsByUser.get(sub.u._id);
        if (!byUser) this.subsByUser.set(sub.u._id, (byUser = new Map()));
        byUser.set(sub.rid, sub);
    }

    // ---- teams ----

    team(id: unknown): WsTeam | undefined {
        return typeof id === 'string' ? this.teamsById.get(id) : undefined;
    }

    /** `Team.findOneByName` with a string: an exact match. */
    teamByName(name: unknown): WsTeam | undefined {
        return typeof name === 'string' ? this.teamsByName.get(name) : undefined;
    }

    teamByMainRoom(rid: string): WsTeam | undefined {
        return this.state.teams.find((t) => t.roomId === rid);
    }

    insertTeam(team: WsTeam): WsTeam {
        if (this.teamsById.has(team._id)) throw new Error(`A team with _id "${team._id}" already exists`);
        if (this.teamsByName.has(team.name)) throw new Error(`A team named "${team.name}" already exists`);
        this.state.teams.push(team);
        this.indexTeam(team);
        return team;
    }

    private indexTeam(team: WsTeam): void {
        this.teamsById.set(team._id, team);
        this.teamsByName.set(team.name, team);
    }

    /** `Team.deleteById` + `TeamMember.deleteByTeamId` (upstream `server/services/team/service.ts`). */
    deleteTeam(teamId: string): void {
        const team = this.teamsById.get(teamId);
        if (!team) return;
        this.state.teams = this.state.teams.filter((t) => t._id !== teamId);
        this.teamsById.delete(teamId);
        if (this.teamsByName.get(team.name) === team) this.teamsByName.delete(team.name);
        this.state.teamMembers = this.state.teamMembers.filter((m) => m.teamId !== teamId);
        this.teamMembersByTeam.delete(teamId);
        this.now();
    }

    teamMembers(teamId: string): WsTeamMember[] {
        return [...(this.teamMembersByTeam.get(teamId) ?? [])];
    }

    insertTeamMember(member: WsTeamMember): WsTeamMember {
        this.state.teamMembers.push(member);
        this.indexTeamMember(member);
        return member;
    }

    private indexTeamMember(member: WsTeamMember): void {
        let list = this.teamMembersByTeam.get(member.teamId);
        if (!list) this.teamMembersByTeam.set(member.teamId, (list = []));
        list.push(member);
    }

    // ---- permissions ----

    permission(id: string): WsPermission | undefined {
        return this.permissionsById.get(id);
    }

    setPermission(id: string, roles: string[]): WsPermission {
        const at = this.now();
        let doc = this.permissionsById.get(id);
        if (doc) {
            doc.roles = [...roles];
            doc._updatedAt = at;
        } else {
            doc = { _id: id, roles: [...roles], _updatedAt: at };
            this.state.permissions.push(doc);
            this.permissionsById.set(id, doc);
        }
        this.state.removedPermissions = this.state.removedPermissions.filter((r) => r._id !== id);
        return doc;
    }

    removePermission(id: string): boolean {
        const doc = this.permissionsById.get(id);
        if (!doc) return false;
        this.permissionsById.delete(id);
        this.state.permissions = this.state.permissions.filter((p) => p._id !== id);
        this.state.removedPermissions.push({ _id: id, _deletedAt: this.now() });
        return true;
    }

    // ---- messages ----

    messages(rid: string): WsMessage[] {
        return [...(this.messagesByRoom.get(rid) ?? [])];
    }

    /** Called with every message inserted (system messages included), right after the insertion. */
    onMessageInserted?: (message: WsMessage) => void;

    insertMessage(message: WsMessage): WsMessage {
        this.state.messages.push(message);
        this.indexMessage(message);
        this.onMessageInserted?.(message);
        return message;
    }

    private indexMessage(message: WsMessage): void {
        let list = this.messagesByRoom.get(message.rid);
        if (!list) this.messagesByRoom.set(message.rid, (list = []));
        list.push(message);
    }
}
