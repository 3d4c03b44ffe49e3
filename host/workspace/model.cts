/**
 * The in-memory Rocket.Chat workspace's documents, shaped like Rocket.Chat's MongoDB collections
 * (`users`, `rocketchat_room`, `rocketchat_subscription`, `rocketchat_team`, `rocketchat_team_member`,
 * `rocketchat_permissions`, `rocketchat_settings`, `rocketchat_message`). Everything here is plain data
 * (JSON-serialisable apart from Date), so a workspace can be snapshotted, compared and persisted.
 */

export type RoomType = 'c' | 'p' | 'd' | 'l';

export interface UserRef {
    _id: string;
    username: string;
    name?: string;
}

export interface WsUser {
    _id: string;
    username: string;
    /**
     * Display name. A user added with `name: null` (synced without one: LDAP, …) has no `name` field at runtime —
     * `isRegisterUser` is false then; read it as `string | undefined` where such users can appear.
     */
    name: string;
    /** Global roles (`admin`, `user`, `bot`, `app`, `guest`, …). Room roles live on subscriptions. */
    roles: string[];
    active: boolean;
    type: 'user' | 'bot' | 'app';
    /** The user's language preference (`en`, `pt-BR`, `es`, `de`, …); unset = the server's `Language`. */
    language?: string;
    /** Plain password for the local demo `POST /api/v1/login` only. */
    password?: string;
    /** Valid `X-Auth-Token` values (login tokens and personal access tokens). */
    authTokens: string[];
    emails?: Array<{ address: string; verified: boolean }>;
    status?: 'online' | 'away' | 'busy' | 'offline';
    /** The user's ABAC attributes (`IUser.abacAttributes`, EE): compared with a room's by the `abac` module. */
    abacAttributes?: Array<{ key: string; values: string[] }>;
    createdAt: Date;
    _updatedAt: Date;
}

export interface WsRoom {
    _id: string;
    /** Slugified name (`IRoom.slugifiedName`). */
    name: string;
    /** Display name (`IRoom.displayName`). */
    fname: string;
    t: RoomType;
    u: UserRef;
    ts: Date;
    _updatedAt: Date;
    usersCount: number;
    msgs: number;
    ro?: boolean;
    sysMes?: boolean;
    default?: boolean;
    encrypted?: boolean;
    /**
     * The id of the room's end-to-end key (`IRoom.e2eKeyId`): set when the first member's client created the room key
     * (upstream `apps/meteor/client/lib/e2ee/rocketchat.e2e.room.ts` → `e2e.setRoomKeyID`), absent until then.
     */
    e2eKeyId?: string;
    archived?: boolean;
    broadcast?: boolean;
    topic?: string;
    description?: string;
    /** Team the room belongs to; on a team's main room together with `teamMain: true`. */
    teamId?: string;
    teamMain?: boolean;
    /** Parent room of a discussion. */
    prid?: string;
    /** ABAC attributes (Rocket.Chat 8.5+): non-empty = ABAC-managed when `ABAC_Enabled`. */
    abacAttributes?: Array<{ key: string; values: string[] }>;
    /** The code a user must give to join (`IRoom.joinCode`); never in a REST answer. */
    joinCode?: string;
    /** Ids of the imported originals (`IRoom.importIds`); never in a REST answer. */
    importIds?: string[];
    /** A federated room (`IRoom.federated`). */
    federated?: boolean;
    /** A team main room's side panel (`IRoom.sidepanel`: `channels` / `discussions`). */
    sidepanel?: { items: string[] };
    /** A direct message's members, sorted (`IRoom.usernames`, `IRoom.uids`; upstream `createDirectRoom`). */
    usernames?: string[];
    uids?: string[];
}

export interface WsSubscription {
    _id: string;
    rid: string;
    u: UserRef;
    /** Copy of the room's type: a type change must rewrite it on every subscription. */
    t: RoomType;
    name: string;
    fname: string;
    /** Room roles: `owner`, `moderator`, `leader`, custom Subscriptions-scope roles. */
    roles?: string[];
    open: boolean;
    alert: boolean;
    unread: number;
    autoTranslate?: boolean;
    autoTranslateLanguage?: string;
    /** `'INVITED'`: a pending invitation (native federation), not yet membership. */
    status?: 'INVITED';
    /** Who sent the pending invitation. */
    inviter?: UserRef;
    ts: Date;
    _updatedAt: Date;
}

export interface WsTeam {
    _id: string;
    name: string;
    /** 0 = public, 1 = private. */
    type: 0 | 1;
    roomId: string;
    createdAt: Date;
    createdBy: UserRef;
    _updatedAt: Date;
}

export interface WsTeamMember {
    _id: string;
    teamId: string;
    userId: string;
    roles?: string[];
    createdAt: Date;
    createdBy: UserRef;
    _updatedAt: Date;
}

export interface WsPermission {
    _id: string;
    roles: string[];
    _updatedAt: Date;
}

export interface WsMessage {
    _id: string;
    rid: string;
    /** System message type (`room_e2e_enabled`, `room_changed_privacy`, `user-converted-to-team`, …); unset = chat. */
    t?: string;
    msg: string;
    u: UserRef;
    ts: Date;
    _updatedAt: Date;
    /** System messages are never grouped with the previous message (`groupable: false`). */
    groupable?: boolean;
    /** Message attachments / UI Kit blocks an app sent (kept as given). */
    attachments?: unknown[];
    blocks?: unknown[];
    /** The thread the message belongs to. */
    tmid?: string;
}

/** Everything a workspace holds. */
export interface WsState {
    users: WsUser[];
    rooms: WsRoom[];
    subscriptions: WsSubscription[];
    teams: WsTeam[];
    teamMembers: WsTeamMember[];
    permissions: WsPermission[];
    /** Removed permission documents, for `permissions.listAll?updatedSince=`. */
    removedPermissions: Array<{ _id: string; _deletedAt: Date }>;
    /** Server settings by id: `E2E_Enable`, `ABAC_Enabled`, `Site_Url`, `Language`, `Accounts_BlockedUsernameList`, … */
    settings: Record<string, unknown>;
    messages: WsMessage[];
    /**
     * A valid enterprise license is installed (`License.hasValidLicense()` / `isEnterprise()`): the EE role restrictions
     * apply (`guest` limited to its whitelist). Absent = community edition.
     */
    enterprise?: boolean;
    /**
     * The modules of the installed license (`License.hasModule(module)`, e.g. `abac`). Absent = none (community
     * edition, or a license without them).
     */
    licenseModules?: string[];
    /**
     * OAuth access tokens Rocket.Chat's OAuth2 server issued (`rocketchat_oauth_access_tokens`: `accessToken`,
     * `userId`, `expires`), accepted as `Authorization: Bearer <token>` or `?access_token=<token>`.
     */
    oauthAccessTokens?: Array<{ accessToken: string; userId: string; expires?: Date }>;
}

/** `T` as JSON carries it: every `Date` becomes its ISO string. */
export type JsonOf<T> = T extends Date
    ? string
    : T extends Array<infer U>
      ? Array<JsonOf<U>>
      : T extends object
        ? { [K in keyof T]: JsonOf<T[K]> }
        : T;

/** A workspace's state as plain JSON (`Workspace.toJSON()` / `Workspace.fromJSON()`). */
export type WsStateJSON = JsonOf<WsState>;

/** One REST request as Rocket.Chat's router sees it. `path` starts with `/api/`. */
export interface RestRequest {
    method: string;
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string | undefined>;
    /** Parsed JSON body (any JSON value), or undefined for none. */
    body?: unknown;
    /**
     * The TCP peer address of the request (the socket's `remoteAddress`). Unset = `127.0.0.1`: every in-process caller
     * (tests, the engine's HTTP bridge: the app calling its own server) is local.
     */
    remoteAddress?: string;
}

export interface RestResponse {
    status: number;
    body: unknown;
    /** Response headers (`Workspace.handleHttp` only; `handle` leaves them out). */
    headers?: Record<string, string>;
}

/**
 * A transport-level fault injected into the workspace's REST API for tests (Rocket.Chat down, slow, broken).
 * `status`: answer with that status and body; `timeout`: never answer (the caller's timeout fires);
 * `refuse`: the connection is refused (`ECONNREFUSED`). `times` limits how often it fires (default: always).
 */
export type RestFault =
    | { kind: 'status'; status: number; body?: unknown; times?: number }
    | { kind: 'timeout'; times?: number }
    | { kind: 'refuse'; times?: number };
