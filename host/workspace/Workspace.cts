/**
 * The in-memory Rocket.Chat workspace: what tests and the local demo server use in place of a real Rocket.Chat
 * server. It holds the collections (`WsState`), answers the REST endpoints the app calls (and the core
 * `groups.*` endpoints, as reference implementations of Rocket.Chat's behaviour), and offers seeding helpers and
 * copy-returning reads for the app-engine bridges. Behaviour models upstream Rocket.Chat; each rule names its upstream
 * file (see `Rules.cts`, `Api.cts`, `RateLimiter.cts`, `restTypings.cts`).
 */
import { Api } from './Api.cjs';
import { DEFAULT_PERMISSIONS, DEFAULT_SETTINGS } from './defaults.cjs';
import { objectId, randomId, randomSecret } from './ids.cjs';
import { clone, reviveDocument, stableStringify, toJsonValue } from './json.cjs';
import type {
    RestFault,
    RestRequest,
    RestResponse,
    RoomType,
    WsMessage,
    WsPermission,
    WsRoom,
    WsState,
    WsStateJSON,
    WsSubscription,
    WsTeam,
    WsTeamMember,
    WsUser,
} from './model.cjs';
import { Rules } from './Rules.cjs';
import { Store } from './Store.cjs';

export interface AddUserOptions {
    username: string;
    /** Display name; default the username. `null` = no name at all (a user synced without one). */
    name?: string | null;
    /** Global roles; default `['user']`. */
    roles?: string[];
    language?: string;
    password?: string;
    active?: boolean;
    type?: WsUser['type'];
    _id?: string;
    emails?: Array<{ address: string; verified: boolean }>;
    status?: WsUser['status'];
    abacAttributes?: WsUser['abacAttributes'];
}

/** The room document fields a seed may set as they are (`WsRoom`'s own, all optional). */
type SeedableRoomFields =
    | '_id'
    | 'fname'
    | 'encrypted'
    | 'e2eKeyId'
    | 'archived'
    | 'ro'
    | 'broadcast'
    | 'default'
    | 'sysMes'
    | 'topic'
    | 'description'
    | 'teamId'
    | 'teamMain'
    | 'prid'
    | 'abacAttributes'
    | 'joinCode'
    | 'importIds';

export interface AddRoomOptions extends Partial<Pick<WsRoom, SeedableRoomFields>> {
    name: string;
    t: RoomType;
    /** User id of the creator: gets a subscription with room role `owner`. */
    owner: string;
    /** User ids of further members (the owner may be listed; it is not subscribed twice). */
    members?: string[];
}

export interface AddTeamOptions {
    name: string;
    /** 0 = public, 1 = private. */
    type: 0 | 1;
    mainRoomId: string;
    ownerId: string;
    memberIds?: string[];
    _id?: string;
}

export interface RestCall {
    method: string;
    path: string;
    /** The `X-User-Id` the request carried, if any. */
    userId?: string;
}

type ActiveFault = { fault: RestFault; remaining: number | undefined };

const STATUS_TEXT: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
};

function withoutUndefined<T extends object>(obj: T): T {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
        if (v !== undefined) out[k] = v;
    }
    return out as T;
}

export class Workspace {
    /** Every `handle` call, in order (faulted ones included). */
    readonly restCalls: RestCall[] = [];

    private readonly store: Store;
    private readonly rules: Rules;
    private readonly api: Api;
    private readonly faults = new Map<string, ActiveFault>();
    private readonly listeners = new Set<() => void>();
    private readonly messageListeners = new Set<(message: WsMessage) => void>();
    /** Messages inserted since the last notification (delivered once the write that made them is complete). */
    private readonly newMessages: WsMessage[] = [];

    /** A workspace holding a copy of `state` (or, without one, an empty workspace as `Workspace.empty()`). */
    constructor(state?: WsState) {
        this.store = new Store(state ? clone(state) : Workspace.emptyState());
        this.store.onMessageInserted = (message) => {
            if (this.messageListeners.size) this.newMessages.push(message);
        };
        this.rules = new Rules(this.store);
        this.api = new Api(this.store, this.rules);
    }

    /** No users, rooms or teams; Rocket.Chat's default permission table and the default settings. */
    static empty(): Workspace {
        return new Workspace();
    }

    private static emptyState(): WsState {
        const at = new Date();
        return {
            users: [],
            rooms: [],
            subscriptions: [],
            teams: [],
            teamMembers: [],
            permissions: DEFAULT_PERMISSIONS.map((p) => ({ _id: p._id, roles: [...p.roles], _updatedAt: new Date(at.getTime()) })),
            removedPermissions: [],
            settings: { ...DEFAULT_SETTINGS },
            messages: [],
        };
    }

    // ================================================================== change notification

    /** `listener` runs after every state-changing operation; returns the unsubscribe function. */
    onChange(listener: () => void): () => void {
        this.listeners.add(listener);
        return () => {
            this.listeners.delete(listener);
        };
    }

    /**
     * `listener` runs once for every new message of any room — chat messages, app messages, system messages — after
     * the write that made it is complete, in insertion order (with a copy). Returns the unsubscribe function.
     */
    onMessage(listener: (message: WsMessage) => void): () => void {
        this.messageListeners.add(listener);
        return () => {
            this.messageListeners.delete(listener);
        };
    }

    private changed(): void {
        const messages = this.newMessages.splice(0);
        for (const message of messages) {
            for (const listener of [...this.messageListeners]) listener(clone(message));
        }
        for (const listener of [...this.listeners]) listener();
    }

    // ================================================================== seeding

    addUser(options: AddUserOptions): WsUser {
        if (typeof options.username !== 'string' || options.username === '') {
            throw new Error('addUser: username must be a non-empty string');
        }
        const at = this.store.now();
        const user: WsUser = withoutUndefined({
            _id: options._id ?? randomId(),
            username: options.username,
            name: (options.name === null ? undefined : (options.name ?? options.username)) as string,
            roles: [...(options.roles ?? ['user'])],
            active: options.active ?? true,
            type: options.type ?? 'user',
            language: options.language,
            password: options.password,
            authTokens: [],
            emails: options.emails?.map((e) => ({ ...e })),
            status: options.status ?? 'offline',
            abacAttributes: options.abacAttributes ? clone(options.abacAttributes) : undefined,
            createdAt: at,
            _updatedAt: at,
        });
        this.store.insertUser(user);
        this.changed();
        return clone(user);
    }

    addRoom(options: AddRoomOptions): WsRoom {
        const owner = this.requireUser(options.owner, 'addRoom: owner');
        if (typeof options.name !== 'string') throw new Error('addRoom: name must be a string');
        if (!Rules.isRoomType(options.t)) throw new Error(`addRoom: unknown room type "${String(options.t)}"`);
        const members = (options.members ?? []).map((id) => this.requireUser(id, 'addRoom: member'));
        if (options.prid !== undefined) this.requireRoom(options.prid, 'addRoom: prid');
        const at = this.store.now();
        const room: WsRoom = withoutUndefined({
            _id: options._id ?? randomId(),
            name: options.name,
            fname: options.fname ?? options.name,
            t: options.t,
            u: { _id: owner._id, username: owner.username },
            ts: at,
            _updatedAt: at,
            usersCount: 0,
            msgs: 0,
            ro: options.ro ?? false,
            sysMes: options.sysMes,
            default: options.default,
            encrypted: options.encrypted,
            e2eKeyId: options.e2eKeyId,
            archived: options.archived,
            broadcast: options.broadcast,
            topic: options.topic,
            description: options.description,
            teamId: options.teamId,
            teamMain: options.teamMain,
            prid: options.prid,
            abacAttributes: options.abacAttributes?.map((a) => ({ key: a.key, values: [...a.values] })),
            joinCode: options.joinCode,
            importIds: options.importIds ? [...options.importIds] : undefined,
        });
        this.store.insertRoom(room);
        this.rules.subscribe(room, owner, ['owner']);
        const seen = new Set([owner._id]);
        for (const member of members) {
            if (seen.has(member._id)) continue;
            seen.add(member._id);
            this.rules.subscribe(room, member);
        }
        this.changed();
        return clone(room);
    }

    /**
     * A direct message between `userIds`, as upstream's `createDirectRoom` (`apps/meteor/server/lib/createDirectRoom.ts`)
     * makes it for the `createDirectMessage` method, which an app's room creation of type `d` calls as the room's creator
     * (`AppRoomBridge.create`, `apps/meteor/app/apps/server/bridges/rooms.ts`): the room id is the members' sorted ids
     * joined, an existing one is answered as it is, `usernames` and `uids` are sorted, and every member gets a
     * subscription without room roles.
     */
    createDirectRoom(userIds: string[]): WsRoom {
        const users = [...new Set(userIds)].map((id) => this.requireUser(id, 'createDirectRoom: member'));
        const uids = users.map((u) => u._id).sort();
        const rid = uids.join('');
        const existing = this.store.room(rid);
        if (existing) return clone(existing);
        const creator = users[0];
        const at = this.store.now();
        const room: WsRoom = {
            _id: rid,
            name: '',
            fname: '',
            t: 'd',
            u: { _id: creator._id, username: creator.username },
            ts: at,
            _updatedAt: at,
            usersCount: 0,
            msgs: 0,
            usernames: users.map((u) => u.username).sort(),
            uids,
        };
        this.store.insertRoom(room);
        for (const user of users) {
            this.rules.subscribe(room, user);
        }
        this.changed();
        return clone(room);
    }

    /** Upstream `Rooms.findDirectRoomContainingAllUsernames`: a direct message whose members are exactly `usernames`. */
    findDirectRoom(usernames: string[]): WsRoom | undefined {
        const wanted = [...new Set(usernames)].sort();
        const found = this.store.state.rooms.find(
            (room) => room.t === 'd' && !!room.usernames && room.usernames.length === wanted.length && wanted.every((name) => room.usernames?.includes(name)),
        );
        return this.copy(found);
    }

    addMember(rid: string, userId: string, roles?: string[]): WsSubscription {
        const room = this.requireRoom(rid, 'addMember: room');
        const user = this.requireUser(userId, 'addMember: user');
        const sub = this.rules.subscribe(room, user, roles);
        this.changed();
        return clone(sub);
    }

    /**
     * A pending invitation of `userId` to the room (`status: 'INVITED'`, `inviter` = `inviterId` or the room's creator),
     * as a native-federation invite leaves it: listed by `getUserRoomIds` / `getMembers`, but no membership for
     * `canAccessRoom` until `acceptInvitation`.
     */
    inviteMember(rid: string, userId: string, inviterId?: string): WsSubscription {
        const room = this.requireRoom(rid, 'inviteMember: room');
        const user = this.requireUser(userId, 'inviteMember: user');
        const inviter = this.requireUser(inviterId ?? room.u._id, 'inviteMember: inviter');
        if (this.store.subscription(rid, userId)) throw new Error(`inviteMember: user "${userId}" is already subscribed to room "${rid}"`);
        const sub = this.rules.subscribe(room, user, undefined, inviter);
        this.changed();
        return clone(sub);
    }

    /** The invited user joins: the invitation becomes a plain subscription. */
    acceptInvitation(rid: string, userId: string): WsSubscription {
        const room = this.requireRoom(rid, 'acceptInvitation: room');
        const sub = this.store.subscription(rid, userId);
        if (!sub || sub.status !== 'INVITED') throw new Error(`acceptInvitation: no invitation of user "${userId}" to room "${rid}"`);
        delete sub.status;
        delete sub.inviter;
        sub._updatedAt = this.store.now();
        this.rules.countUsers(room);
        this.changed();
        return clone(sub);
    }

    /** Marks the room federated (`federated: true`). */
    markFederated(rid: string): WsRoom {
        const room = this.requireRoom(rid, 'markFederated: room');
        room.federated = true;
        room._updatedAt = this.store.now();
        this.changed();
        return clone(room);
    }

    /**
     * Posts a plain chat message as a member (what Rocket.Chat's `sendMessage` does for text): the author must be
     * subscribed to the room, and an archived or read-only room refuses it. Counts it in the room's `msgs`.
     */
    postMessage(rid: string, userId: string, text: string): WsMessage {
        const room = this.requireRoom(rid, 'postMessage: room');
        const user = this.requireUser(userId, 'postMessage: user');
        const sub = this.store.subscription(rid, userId);
        if (!sub || sub.status === 'INVITED' || room.archived || room.ro) {
            throw new Error(`postMessage: ${user.username} cannot post in ${room.name}`);
        }
        const at = this.store.now();
        const message = this.store.insertMessage({ _id: randomId(), rid, msg: text, u: { _id: user._id, username: user.username, name: user.name }, ts: at, _updatedAt: at });
        room.msgs += 1;
        room._updatedAt = at;
        this.changed();
        return clone(message);
    }

    /**
     * A message sent in the room as `userId`, the way Rocket.Chat's `MessageService.sendMessage` stores what an app's
     * `modify.getCreator().finish(message)` hands the message bridge (upstream
     * `apps/meteor/app/apps/server/bridges/messages.ts`): no membership check, `ts` now, the room's `msgs` counted.
     * An app's message may carry a type `t` (`converters/messages.ts` `convertAppMessage` copies the message's unmapped
     * properties), and `sendMessage` (`apps/meteor/app/lib/server/functions/sendMessage.ts`) hands a message with a type
     * to the apps' `IPostSystemMessageSent`, as a system message of Rocket.Chat's own: so `t` is kept here.
     */
    sendMessageAs(rid: string, userId: string, text: string, extra: Pick<WsMessage, 'attachments' | 'blocks' | 'tmid' | 'groupable' | 't'> = {}): WsMessage {
        const room = this.requireRoom(rid, 'sendMessageAs: room');
        const user = this.requireUser(userId, 'sendMessageAs: user');
        if (typeof text !== 'string') throw new Error('sendMessageAs: text must be a string');
        const at = this.store.now();
        const message = this.store.insertMessage(
            withoutUndefined({
                _id: randomId(),
                t: extra.t,
                rid,
                msg: text,
                u: withoutUndefined({ _id: user._id, username: user.username, name: user.name }),
                ts: at,
                _updatedAt: at,
                attachments: extra.attachments ? clone(extra.attachments) : undefined,
                blocks: extra.blocks ? clone(extra.blocks) : undefined,
                tmid: extra.tmid,
                groupable: extra.groupable,
            }),
        );
        room.msgs += 1;
        room._updatedAt = at;
        this.changed();
        return clone(message);
    }

    /** Replaces the user's room roles in the room (`owner`, `moderator`, `leader`, custom ones). */
    setRoomRoles(rid: string, userId: string, roles: string[]): WsSubscription {
        const sub = this.store.subscription(rid, userId);
        if (!sub) throw new Error(`setRoomRoles: user "${userId}" is not a member of room "${rid}"`);
        sub.roles = [...roles];
        sub._updatedAt = this.store.now();
        this.changed();
        return clone(sub);
    }

    /** A team with `mainRoomId` as its main room (`teamId` / `teamMain` set on it); owner gets team role `owner`. */
    addTeam(options: AddTeamOptions): WsTeam {
        const room = this.requireRoom(options.mainRoomId, 'addTeam: mainRoomId');
        const owner = this.requireUser(options.ownerId, 'addTeam: ownerId');
        const members = (options.memberIds ?? []).map((id) => this.requireUser(id, 'addTeam: member'));
        if (options.type !== 0 && options.type !== 1) throw new Error('addTeam: type must be 0 (public) or 1 (private)');
        if (room.teamMain) throw new Error(`addTeam: room "${room._id}" is already a team's main room`);
        const at = this.store.now();
        const createdBy = { _id: owner._id, username: owner.username };
        const team: WsTeam = {
            _id: options._id ?? objectId(at),
            name: options.name,
            type: options.type,
            roomId: room._id,
            createdAt: at,
            createdBy,
            _updatedAt: at,
        };
        this.store.insertTeam(team);
        room.teamId = team._id;
        room.teamMain = true;
        room._updatedAt = at;
        const seen = new Set([owner._id]);
        for (const member of members) {
            if (seen.has(member._id)) continue;
            seen.add(member._id);
            this.store.insertTeamMember({ _id: objectId(at), teamId: team._id, userId: member._id, createdAt: at, createdBy: { ...createdBy }, _updatedAt: at });
        }
        this.store.insertTeamMember({
            _id: objectId(at),
            teamId: team._id,
            userId: owner._id,
            roles: ['owner'],
            createdAt: at,
            createdBy: { ...createdBy },
            _updatedAt: at,
        });
        this.changed();
        return clone(team);
    }

    /** Makes `rid` a room of the team (`teamId` set, not the main room). */
    addRoomToTeam(rid: string, teamId: string): WsRoom {
        const room = this.requireRoom(rid, 'addRoomToTeam: room');
        if (!this.store.team(teamId)) throw new Error(`addRoomToTeam: unknown team "${teamId}"`);
        if (room.teamMain) throw new Error(`addRoomToTeam: room "${rid}" is a team's main room`);
        room.teamId = teamId;
        room._updatedAt = this.store.now();
        this.changed();
        return clone(room);
    }

    /**
     * Removes the user document and nothing else: their subscriptions, team memberships and messages stay, as a
     * Rocket.Chat database can end up (an interrupted `deleteUser`, a user removed from the database directly). The
     * room bridge's `getMembers` then yields `undefined` for each orphaned subscription.
     */
    deleteUserKeepingSubscriptions(userId: string): void {
        this.requireUser(userId, 'deleteUserKeepingSubscriptions: user');
        this.store.removeUser(userId);
        this.store.now();
        this.changed();
    }

    /**
     * A new auth token (login or personal access token) for the user, valid as `X-Auth-Token`: random, or `token`
     * when given (a fixed token for a demo configuration).
     */
    createAuthToken(userId: string, token: string = randomSecret()): string {
        const user = this.requireUser(userId, 'createAuthToken: user');
        if (typeof token !== 'string' || token === '') throw new Error('createAuthToken: token must be a non-empty string');
        user.authTokens.push(token);
        user._updatedAt = this.store.now();
        this.changed();
        return token;
    }

    /** Sets the roles of a permission (creating it if needed); its `_updatedAt` moves forward. */
    setPermissionRoles(permissionId: string, roles: string[]): WsPermission {
        const doc = this.store.setPermission(permissionId, roles);
        this.changed();
        return clone(doc);
    }

    /** Deletes a permission document (reported in `remove` of `permissions.listAll?updatedSince=`). */
    removePermission(permissionId: string): boolean {
        const removed = this.store.removePermission(permissionId);
        if (removed) this.changed();
        return removed;
    }

    /** Sets a server setting; `undefined` removes it. */
    setSetting(id: string, value: unknown): void {
        if (value === undefined) {
            delete this.store.state.settings[id];
        } else {
            this.store.state.settings[id] = clone(value);
        }
        this.store.now();
        this.changed();
    }

    /**
     * Installs (true) or removes (false) an enterprise license: with one, the EE role restrictions apply (a `guest`
     * gets only `view-d-room`, `view-joined-room`, `view-p-room`, `start-discussion`, `mobile-upload-file`).
     */
    setEnterprise(licensed: boolean): void {
        this.store.state.enterprise = licensed === true;
        this.store.now();
        this.changed();
    }

    /** Replaces a user's ABAC attributes (`IUser.abacAttributes`, as an LDAP sync or an admin sets them). */
    setUserAbacAttributes(userId: string, attributes: Array<{ key: string; values: string[] }>): void {
        const user = this.requireUser(userId, 'setUserAbacAttributes: user');
        user.abacAttributes = clone(attributes);
        user._updatedAt = this.store.now();
        this.changed();
    }

    /**
     * Activates or deactivates a user, as an admin does (`users.setActiveStatus`; upstream
     * apps/meteor/app/lib/server/functions/setUserActiveStatus.ts: `active` set, and a deactivated user's login tokens
     * removed).
     */
    setUserActive(userId: string, active: boolean): void {
        const user = this.requireUser(userId, 'setUserActive: user');
        user.active = active;
        if (!active) {
            user.authTokens = [];
        }
        user._updatedAt = this.store.now();
        this.changed();
    }

    /** The installed license's modules (`License.hasModule`), e.g. `['abac']`; `[]` = none. */
    setLicenseModules(modules: string[]): void {
        this.store.state.licenseModules = [...modules];
        this.store.now();
        this.changed();
    }

    /**
     * Issues an OAuth access token for `userId`, as Rocket.Chat's OAuth2 server stores one
     * (`rocketchat_oauth_access_tokens`); `expires` optional (none = never).
     */
    createOAuthAccessToken(userId: string, options: { token?: string; expires?: Date } = {}): string {
        this.requireUser(userId, 'createOAuthAccessToken: user');
        const accessToken = options.token ?? randomSecret();
        const list = (this.store.state.oauthAccessTokens ??= []);
        list.push(withoutUndefined({ accessToken, userId, expires: options.expires }));
        this.changed();
        return accessToken;
    }

    isEnterprise(): boolean {
        return this.store.state.enterprise === true;
    }

    getSetting(id: string): unknown {
        return clone(this.store.state.settings[id]);
    }

    // ================================================================== reads (copies)

    getUser(id: string): WsUser | undefined {
        return this.copy(this.store.user(id));
    }

    getUserByUsername(username: string): WsUser | undefined {
        return this.copy(this.store.userByUsername(username));
    }

    getRoom(id: string): WsRoom | undefined {
        return this.copy(this.store.room(id));
    }

    getRoomByName(name: string): WsRoom | undefined {
        return this.copy(this.store.roomByName(name));
    }

    getSubscription(rid: string, userId: string): WsSubscription | undefined {
        return this.copy(this.store.subscription(rid, userId));
    }

    getSubscriptions(rid: string): WsSubscription[] {
        return this.store.subscriptionsOfRoom(rid).map((s) => clone(s));
    }

    getUserRoomIds(userId: string): string[] {
        return this.store.roomIdsOfUser(userId);
    }

    /** The room's members (users with a subscription), in subscription order. */
    getMembers(rid: string): WsUser[] {
        return this.store
            .subscriptionsOfRoom(rid)
            .map((s) => this.store.user(s.u._id))
            .filter((u): u is WsUser => Boolean(u))
            .map((u) => clone(u));
    }

    /** The user ids of every subscription of the room, in subscription order: invited and orphaned ones included. */
    getMemberIds(rid: string): string[] {
        return this.store.subscriptionsOfRoom(rid).map((s) => s.u._id);
    }

    /** Members holding room role `role` (`owner`, `moderator`, `leader`, …) in the room. */
    getUsersWithRoomRole(rid: string, role: string): WsUser[] {
        return this.store
            .subscriptionsOfRoom(rid)
            .filter((s) => s.roles?.includes(role))
            .map((s) => this.store.user(s.u._id))
            .filter((u): u is WsUser => Boolean(u))
            .map((u) => clone(u));
    }

    getTeam(id: string): WsTeam | undefined {
        return this.copy(this.store.team(id));
    }

    getTeamByName(name: string): WsTeam | undefined {
        return this.copy(this.store.teamByName(name));
    }

    /** The team whose main room is `rid`. */
    getTeamByMainRoomId(rid: string): WsTeam | undefined {
        return this.copy(this.store.teamByMainRoom(rid));
    }

    getTeamMembers(teamId: string): WsTeamMember[] {
        return this.store.teamMembers(teamId).map((m) => clone(m));
    }

    getMessages(rid: string): WsMessage[] {
        return this.store.messages(rid).map((m) => clone(m));
    }

    getPermission(id: string): WsPermission | undefined {
        return this.copy(this.store.permission(id));
    }

    listRooms(): WsRoom[] {
        return this.store.state.rooms.map((r) => clone(r));
    }

    /** Copies of the rooms `matches` accepts, in insertion order, `limit` of them after the first `skip`. */
    findRooms(matches: (room: WsRoom) => boolean, skip: number, limit: number): WsRoom[] {
        const out: WsRoom[] = [];
        let skipped = 0;
        for (const room of this.store.state.rooms) {
            if (out.length >= limit) break;
            if (!matches(room)) continue;
            if (skipped++ < skip) continue;
            out.push(clone(room));
        }
        return out;
    }

    listUsers(): WsUser[] {
        return this.store.state.users.map((u) => clone(u));
    }

    listTeams(): WsTeam[] {
        return this.store.state.teams.map((t) => clone(t));
    }

    /** Rocket.Chat's `hasPermission(user, permission, scope?)` (§2.1) with this workspace's table. */
    hasPermission(userId: string, permission: string, scopeRid?: string): boolean {
        const user = this.store.user(userId);
        return user ? this.rules.hasPermission(user, permission, scopeRid) : false;
    }

    /** Rocket.Chat's `canAccessRoom` (upstream `apps/meteor/server/services/authorization/canAccessRoom.ts`). */
    canAccessRoom(rid: string, userId: string): boolean {
        const version = this.store.version;
        // An ABAC check may remove a member who no longer complies (a write, as upstream).
        const allowed = this.rules.canAccessRoom(this.store.room(rid), this.store.user(userId));
        if (this.store.version !== version) this.changed();
        return allowed;
    }

    // ================================================================== REST

    /** The query a route or an app endpoint sees after authentication (`access_token` taken out by the OAuth path). */
    static queryAfterAuthentication(headers: Record<string, string | undefined>, query: Record<string, string>): Record<string, string> {
        return Api.queryAfterAuthentication(Workspace.lowerHeaders(headers), query);
    }

    /**
     * The user a request authenticates as (header names case-insensitive): `X-User-Id` + `X-Auth-Token`, else OAuth
     * (`Authorization: Bearer <token>` or the `access_token` query parameter; see `Api.authenticate`).
     */
    authenticate(headers: Record<string, string | undefined>, query: Record<string, string> = {}): WsUser | undefined {
        return this.copy(this.api.authenticate(Workspace.lowerHeaders(headers), query));
    }

    /**
     * Answers one REST request as Rocket.Chat would, as `{ status, body }` (use `handleHttp` for the response headers
     * too). A fault set for the path answers first. The body of every answer is plain JSON (Dates as ISO strings).
     */
    async handle(req: RestRequest): Promise<RestResponse> {
        const answer = await this.handleHttp(req);
        return { status: answer.status, body: answer.body };
    }

    /**
     * `handle` with the response headers (`X-RateLimit-*` of the route rate limiter): what an HTTP client sees. The
     * client address for the limiter is `X-Real-IP`, else `req.remoteAddress` (default `127.0.0.1`), with
     * `X-Forwarded-For` only when `setHttpForwardedCount(n > 0)` (upstream `remoteAddressMiddleware`).
     */
    async handleHttp(req: RestRequest): Promise<Required<RestResponse>> {
        const [pathOnly, queryString] = splitOnce(req.path ?? '', '?');
        const headers = Workspace.lowerHeaders(req.headers ?? {});
        const method = String(req.method ?? 'GET').toUpperCase();
        const query: Record<string, string> = {};
        if (queryString) {
            new URLSearchParams(queryString).forEach((value, key) => {
                query[key] = value;
            });
        }
        Object.assign(query, req.query ?? {});
        this.restCalls.push(withoutUndefined({ method, path: pathOnly, userId: headers['x-user-id'] }));

        const fault = this.takeFault(pathOnly);
        if (fault) {
            switch (fault.kind) {
                case 'status':
                    return {
                        status: fault.status,
                        body: toJsonValue(fault.body ?? { success: false, error: STATUS_TEXT[fault.status] ?? `HTTP ${fault.status}` }),
                        headers: {},
                    };
                case 'timeout':
                    return new Promise<Required<RestResponse>>(() => undefined);
                case 'refuse': {
                    const error = new Error(`connect ECONNREFUSED ${hostOf(this.store.state.settings.Site_Url)}`) as Error & {
                        code: string;
                        errno: number;
                        syscall: string;
                    };
                    error.code = 'ECONNREFUSED';
                    error.errno = -111;
                    error.syscall = 'connect';
                    throw error;
                }
                default:
                    break;
            }
        }

        const version = this.store.version;
        const answer = this.api.route({ method, path: pathOnly, query, headers, body: req.body, remoteAddress: req.remoteAddress ?? LOCAL_ADDRESS });
        if (this.store.version !== version) this.changed();
        return { status: answer.status, body: toJsonValue(answer.body), headers: answer.headers };
    }

    /**
     * How many proxies stand in front of the server (`process.env.HTTP_FORWARDED_COUNT`, default 0): with n > 0 the
     * rate limiter keys on the n-th `X-Forwarded-For` entry from the end instead of the peer address.
     */
    setHttpForwardedCount(count: number): void {
        if (!Number.isInteger(count) || count < 0) throw new Error('setHttpForwardedCount: a non-negative integer');
        this.api.httpForwardedCount = count;
    }

    /** Injects (or, with `undefined`, clears) a transport fault for one path (without query). */
    setFault(pathWithoutQuery: string, fault: RestFault | undefined): void {
        if (!fault) {
            this.faults.delete(pathWithoutQuery);
            return;
        }
        this.faults.set(pathWithoutQuery, { fault: clone(fault), remaining: fault.times });
    }

    private takeFault(path: string): RestFault | undefined {
        const active = this.faults.get(path);
        if (!active) return undefined;
        if (active.remaining !== undefined) {
            if (active.remaining <= 0) {
                this.faults.delete(path);
                return undefined;
            }
            active.remaining -= 1;
            if (active.remaining <= 0) this.faults.delete(path);
        }
        return active.fault;
    }

    /** Forgets the recorded REST calls. */
    resetCounters(): void {
        this.restCalls.length = 0;
    }

    // ================================================================== persistence

    /** The whole state as plain JSON (Dates as ISO strings). */
    toJSON(): WsStateJSON {
        return toJsonValue(this.store.state) as WsStateJSON;
    }

    /** A workspace from `toJSON()` output (or its string form); round-trips exactly. */
    static fromJSON(json: unknown): Workspace {
        const data: unknown = typeof json === 'string' ? JSON.parse(json) : json;
        if (data === null || typeof data !== 'object' || Array.isArray(data)) {
            throw new Error('Workspace.fromJSON: expected an object');
        }
        const input = data as Record<string, unknown>;
        const list = (key: keyof WsState): unknown[] => {
            const v = input[key];
            if (v === undefined) return [];
            if (!Array.isArray(v)) throw new Error(`Workspace.fromJSON: "${key}" must be an array`);
            return v;
        };
        const docs = <T,>(key: keyof WsState): T[] => list(key).map((d, i) => reviveDocument(d, `${key}[${i}]`) as unknown as T);
        const settings = input.settings ?? {};
        if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
            throw new Error('Workspace.fromJSON: "settings" must be an object');
        }
        const state: WsState = {
            users: docs<WsUser>('users'),
            rooms: docs<WsRoom>('rooms'),
            subscriptions: docs<WsSubscription>('subscriptions'),
            teams: docs<WsTeam>('teams'),
            teamMembers: docs<WsTeamMember>('teamMembers'),
            permissions: docs<WsPermission>('permissions'),
            removedPermissions: docs<{ _id: string; _deletedAt: Date }>('removedPermissions'),
            settings: clone(settings as Record<string, unknown>),
            messages: docs<WsMessage>('messages'),
            ...(input.enterprise === true ? { enterprise: true } : {}),
            ...(Array.isArray(input.licenseModules) ? { licenseModules: input.licenseModules.filter((m): m is string => typeof m === 'string') } : {}),
            ...(input.oauthAccessTokens !== undefined ? { oauthAccessTokens: docs<{ accessToken: string; userId: string; expires?: Date }>('oauthAccessTokens') } : {}),
        };
        for (const u of state.users) {
            if (typeof u._id !== 'string' || typeof u.username !== 'string') {
                throw new Error('Workspace.fromJSON: every user needs a string _id and username');
            }
            if (!Array.isArray(u.authTokens)) u.authTokens = [];
            if (!Array.isArray(u.roles)) throw new Error(`Workspace.fromJSON: user "${u.username}" needs roles`);
        }
        return new Workspace(state);
    }

    /** A deterministic JSON string of the whole state (sorted keys), for "nothing changed" assertions. */
    snapshot(): string {
        return stableStringify(this.store.state);
    }

    /**
     * Plain JSON of the whole state, several times cheaper than `snapshot()` but not canonical (key order follows
     * insertion): an equal fingerprint proves nothing changed, a different one only suggests it (check `snapshot()`).
     */
    fingerprint(): string {
        return JSON.stringify(this.store.state);
    }

    // ================================================================== helpers

    private copy<T>(doc: T | undefined): T | undefined {
        return doc === undefined ? undefined : clone(doc);
    }

    private requireUser(id: string, what: string): WsUser {
        const user = this.store.user(id);
        if (!user) throw new Error(`${what}: unknown user id "${id}"`);
        return user;
    }

    private requireRoom(id: string, what: string): WsRoom {
        const room = this.store.room(id);
        if (!room) throw new Error(`${what}: unknown room id "${id}"`);
        return room;
    }

    private static lowerHeaders(headers: Record<string, string | undefined>): Record<string, string> {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(headers)) {
            if (typeof v === 'string') out[k.toLowerCase()] = v;
        }
        return out;
    }
}

/** The peer address of an in-process caller. */
const LOCAL_ADDRESS = '127.0.0.1';

function splitOnce(text: string, sep: string): [string, string] {
    const i = text.indexOf(sep);
    return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}

function hostOf(siteUrl: unknown): string {
    try {
        const url = new URL(String(siteUrl));
        return `${url.hostname === 'localhost' ? '127.0.0.1' : url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
    } catch {
        return '127.0.0.1:3000';
    }
}

