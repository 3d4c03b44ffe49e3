/**
 * Demo and seeded workspaces.
 *
 * ## Seed format (`workspaceFromSeed(json)`)
 *
 * A JSON object; every name below refers to a username, room name or team name defined in the same seed.
 *
 * ```jsonc
 * {
 *   // A licensed (enterprise) workspace: the EE role restrictions apply (guest whitelist). Default true.
 *   "enterprise": true,
 *
 *   // Server settings, merged over the defaults (E2E_Enable: false, ABAC_Enabled: false,
 *   // Site_Url: "http://localhost:3000", Language: "en", Accounts_BlockedUsernameList: "",
 *   // Accounts_SystemBlockedUsernameList: "administrator,system,user").
 *   "settings": { "E2E_Enable": true, "Language": "en" },
 *
 *   // Users (at least one). Only "username" is required.
 *   "users": [
 *     { "username": "alice", "name": "Alice", "roles": ["user"], "password": "demo", "language": "en",
 *       "active": true, "email": "alice@example.com" }
 *   ],
 *   //   roles     global roles, default ["user"]          password  for POST /api/v1/login (demo only)
 *   //   language  the user's language preference         active    default true
 *
 *   // Rooms. "name", "type" and "owner" are required.
 *   "rooms": [
 *     { "name": "project-x", "type": "private", "owner": "alice", "members": ["carol"],
 *       "moderators": ["bob"], "leaders": [], "encrypted": false, "archived": false,
 *       "readOnly": false, "default": false, "topic": "…", "team": "eng",
 *       "abacAttributes": [{ "key": "dept", "values": ["eng"] }] }
 *   ],
 *   //   type         "private" | "p" | "public" | "c"
 *   //   owner        gets room role owner; moderators / leaders get those room roles
 *   //   members      further members ("*" = every user); owner, moderators and leaders are members anyway
 *   //   team         the team this room belongs to (not for a team's main room: see "teams")
 *
 *   // Teams. "name" and "mainRoom" are required; the team is public/private as its main room is.
 *   "teams": [
 *     { "name": "eng", "mainRoom": "eng", "owner": "alice", "members": ["bob", "carol"] }
 *   ],
 *   //   owner    default: the main room's owner (team role owner)
 *   //   members  default: the main room's other members
 *
 *   // The account the app writes as (user id + personal access token are returned).
 *   "serviceAccount": { "username": "group-admin.service", "roles": ["admin", "user"], "token": "…" }
 *   //   all optional: username default "group-admin.service" (a user of that name in "users" is used as is,
 *   //   otherwise it is created with "roles", default ["admin", "user"]); token default: a random one
 * }
 * ```
 *
 * Bad input throws an `Error` listing every problem with its path (e.g. `rooms[2].owner: unknown user "zed"`).
 */
import type { RoomType } from './model.cjs';
import { Workspace } from './Workspace.cjs';

export interface SeededWorkspace {
    workspace: Workspace;
    serviceAccount: { userId: string; token: string };
}

/** The demo workspace as a seed (see `demoWorkspace`). */
export const DEMO_SEED = {
    settings: { E2E_Enable: true },
    users: [
        { username: 'admin', name: 'Administrator', roles: ['admin', 'user'], password: 'demo' },
        { username: 'alice', name: 'Alice', roles: ['user'], password: 'demo' },
        { username: 'bob', name: 'Bob', roles: ['user'], password: 'demo' },
        { username: 'carol', name: 'Carol', roles: ['user'], password: 'demo' },
        { username: 'dave', name: 'Dave', roles: ['user'], password: 'demo' },
    ],
    rooms: [
        { name: 'general', type: 'public', owner: 'admin', members: '*', default: true },
        { name: 'project-x', type: 'private', owner: 'alice', moderators: ['bob'], members: ['carol'] },
        { name: 'old-stuff', type: 'private', owner: 'alice', members: ['bob'], archived: true },
        { name: 'eng', type: 'private', owner: 'alice', members: ['bob', 'carol'] },
        { name: 'eng-secrets', type: 'private', owner: 'alice', members: ['bob'], team: 'eng' },
    ],
    teams: [{ name: 'eng', mainRoom: 'eng', owner: 'alice', members: ['bob', 'carol'] }],
    serviceAccount: { username: 'group-admin.service', roles: ['admin', 'user'] },
} as const;

/**
 * The local demo: users `admin` (admin, user), `alice`, `bob`, `carol`, `dave` (user), password `demo`; the service
 * account `group-admin.service` (admin, user) with a personal access token; private group `project-x` (alice owner,
 * bob moderator, carol member); public default channel `general` (everyone); archived private group `old-stuff`
 * (alice owner, bob member); private team `eng` (main room `eng`: alice owner, bob, carol) with the private room
 * `eng-secrets` (alice owner, bob member); `E2E_Enable: true`; licensed (enterprise: guest restrictions apply).
 */
export function demoWorkspace(): SeededWorkspace {
    return workspaceFromSeed(DEMO_SEED);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const ROOM_TYPES: Record<string, RoomType> = { private: 'p', p: 'p', public: 'c', c: 'c' };
const USER_KEYS = ['username', 'name', 'roles', 'password', 'language', 'active', 'email'];
const ROOM_KEYS = [
    'name',
    'type',
    'owner',
    'members',
    'moderators',
    'leaders',
    'encrypted',
    'archived',
    'readOnly',
    'default',
    'topic',
    'team',
    'abacAttributes',
];
const TEAM_KEYS = ['name', 'mainRoom', 'owner', 'members'];
const SERVICE_KEYS = ['username', 'name', 'roles', 'token'];
const TOP_KEYS = ['enterprise', 'settings', 'users', 'rooms', 'teams', 'serviceAccount'];

/** Validates a seed (format above) and builds its workspace. */
export function workspaceFromSeed(json: unknown): SeededWorkspace {
    const errors: string[] = [];
    const fail = (path: string, message: string): void => {
        errors.push(`${path}: ${message}`);
    };
    const seed: unknown = typeof json === 'string' ? parseJson(json) : json;
    if (!isObj(seed)) {
        throw new Error('Invalid workspace seed: expected a JSON object');
    }
    unknownKeys(seed, TOP_KEYS, 'seed', fail);

    const optString = (o: Obj, key: string, path: string): string | undefined => {
        const v = o[key];
        if (v === undefined) return undefined;
        if (typeof v !== 'string' || v === '') fail(`${path}.${key}`, 'must be a non-empty string');
        return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const optBool = (o: Obj, key: string, path: string): boolean | undefined => {
        const v = o[key];
        if (v === undefined) return undefined;
        if (typeof v !== 'boolean') fail(`${path}.${key}`, 'must be true or false');
        return typeof v === 'boolean' ? v : undefined;
    };
    const stringList = (o: Obj, key: string, path: string): string[] => {
        const v = o[key];
        if (v === undefined) return [];
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
            fail(`${path}.${key}`, 'must be a list of non-empty strings');
            return [];
        }
        return v as string[];
    };

    // ---- license
    const enterprise = optBool(seed, 'enterprise', 'seed') ?? true;

    // ---- settings
    const settings = seed.settings;
    if (settings !== undefined && !isObj(settings)) fail('settings', 'must be an object of setting id → value');

    // ---- users
    const users: Array<{ username: string; name?: string; roles: string[]; password?: string; language?: string; active?: boolean; email?: string }> = [];
    const usernames = new Set<string>();
    if (!Array.isArray(seed.users) || seed.users.length === 0) {
        fail('users', 'must be a non-empty list');
    } else {
        seed.users.forEach((u, i) => {
            const path = `users[${i}]`;
            if (!isObj(u)) return fail(path, 'must be an object');
            unknownKeys(u, USER_KEYS, path, fail);
            const username = optString(u, 'username', path);
            if (!username) return fail(`${path}.username`, 'is required');
            if ([...usernames].some((n) => n.toLowerCase() === username.toLowerCase())) {
                return fail(`${path}.username`, `"${username}" is defined twice`);
            }
            usernames.add(username);
            users.push({
                username,
                name: optString(u, 'name', path),
                roles: u.roles === undefined ? ['user'] : stringList(u, 'roles', path),
                password: optString(u, 'password', path),
                language: optString(u, 'language', path),
                active: optBool(u, 'active', path),
                email: optString(u, 'email', path),
            });
        });
    }

    // ---- service account
    const sa = seed.serviceAccount ?? {};
    let serviceUsername = 'group-admin.service';
    let serviceRoles = ['admin', 'user'];
    let serviceName: string | undefined;
    let serviceToken: string | undefined;
    if (!isObj(sa)) {
        fail('serviceAccount', 'must be an object');
    } else {
        unknownKeys(sa, SERVICE_KEYS, 'serviceAccount', fail);
        serviceUsername = optString(sa, 'username', 'serviceAccount') ?? serviceUsername;
        if (sa.roles !== undefined) serviceRoles = stringList(sa, 'roles', 'serviceAccount');
        serviceName = optString(sa, 'name', 'serviceAccount');
        serviceToken = optString(sa, 'token', 'serviceAccount');
    }
    const allUsernames = new Set([...usernames, serviceUsername]);
    const knownUser = (name: string, path: string): boolean => {
        if (allUsernames.has(name)) return true;
        fail(path, `unknown user "${name}"`);
        return false;
    };

    // ---- rooms
    interface RoomSeed {
        name: string;
        t: RoomType;
        owner: string;
        members: string[];
        moderators: string[];
        leaders: string[];
        encrypted?: boolean;
        archived?: boolean;
        readOnly?: boolean;
        isDefault?: boolean;
        topic?: string;
        team?: string;
        abacAttributes?: Array<{ key: string; values: string[] }>;
        path: string;
    }
    const rooms: RoomSeed[] = [];
    const roomNames = new Set<string>();
    if (seed.rooms !== undefined && !Array.isArray(seed.rooms)) fail('rooms', 'must be a list');
    (Array.isArray(seed.rooms) ? seed.rooms : []).forEach((r, i) => {
        const path = `rooms[${i}]`;
        if (!isObj(r)) return fail(path, 'must be an object');
        unknownKeys(r, ROOM_KEYS, path, fail);
        const name = optString(r, 'name', path);
        if (!name) return fail(`${path}.name`, 'is required');
        if (roomNames.has(name)) return fail(`${path}.name`, `"${name}" is defined twice`);
        roomNames.add(name);
        const t = typeof r.type === 'string' ? ROOM_TYPES[r.type] : undefined;
        if (!t) return fail(`${path}.type`, 'must be "private", "p", "public" or "c"');
        const owner = optString(r, 'owner', path);
        if (!owner) return fail(`${path}.owner`, 'is required');
        knownUser(owner, `${path}.owner`);
        const members = r.members === '*' ? [...allUsernames] : stringList(r, 'members', path);
        const moderators = stringList(r, 'moderators', path);
        const leaders = stringList(r, 'leaders', path);
        members.forEach((m, j) => knownUser(m, `${path}.members[${j}]`));
        moderators.forEach((m, j) => knownUser(m, `${path}.moderators[${j}]`));
        leaders.forEach((m, j) => knownUser(m, `${path}.leaders[${j}]`));
        let abacAttributes: RoomSeed['abacAttributes'];
        if (r.abacAttributes !== undefined) {
            const ok =
                Array.isArray(r.abacAttributes) &&
                r.abacAttributes.every(
                    (a) => isObj(a) && typeof a.key === 'string' && Array.isArray(a.values) && a.values.every((x) => typeof x === 'string'),
                );
            if (!ok) fail(`${path}.abacAttributes`, 'must be a list of { "key": string, "values": string[] }');
            else abacAttributes = (r.abacAttributes as Array<{ key: string; values: string[] }>).map((a) => ({ key: a.key, values: [...a.values] }));
        }
        rooms.push({
            name,
            t,
            owner,
            members,
            moderators,
            leaders,
            encrypted: optBool(r, 'encrypted', path),
            archived: optBool(r, 'archived', path),
            readOnly: optBool(r, 'readOnly', path),
            isDefault: optBool(r, 'default', path),
            topic: optString(r, 'topic', path),
            team: optString(r, 'team', path),
            abacAttributes,
            path,
        });
    });

    // ---- teams
    interface TeamSeed {
        name: string;
        mainRoom: string;
        owner?: string;
        members?: string[];
    }
    const teams: TeamSeed[] = [];
    const teamNames = new Set<string>();
    const mainRooms = new Set<string>();
    if (seed.teams !== undefined && !Array.isArray(seed.teams)) fail('teams', 'must be a list');
    (Array.isArray(seed.teams) ? seed.teams : []).forEach((t, i) => {
        const path = `teams[${i}]`;
        if (!isObj(t)) return fail(path, 'must be an object');
        unknownKeys(t, TEAM_KEYS, path, fail);
        const name = optString(t, 'name', path);
        if (!name) return fail(`${path}.name`, 'is required');
        if ([...teamNames].some((n) => n.toLowerCase() === name.toLowerCase())) return fail(`${path}.name`, `"${name}" is defined twice`);
        teamNames.add(name);
        const mainRoom = optString(t, 'mainRoom', path);
        if (!mainRoom) return fail(`${path}.mainRoom`, 'is required');
        if (!roomNames.has(mainRoom)) return fail(`${path}.mainRoom`, `unknown room "${mainRoom}"`);
        if (mainRooms.has(mainRoom)) return fail(`${path}.mainRoom`, `room "${mainRoom}" is already another team's main room`);
        mainRooms.add(mainRoom);
        const owner = optString(t, 'owner', path);
        if (owner) knownUser(owner, `${path}.owner`);
        const members = t.members === undefined ? undefined : stringList(t, 'members', path);
        members?.forEach((m, j) => knownUser(m, `${path}.members[${j}]`));
        teams.push({ name, mainRoom, owner, members });
    });
    for (const room of rooms) {
        if (room.team === undefined) continue;
        if (!teamNames.has(room.team)) fail(`${room.path}.team`, `unknown team "${room.team}"`);
        else if (mainRooms.has(room.name)) fail(`${room.path}.team`, `"${room.name}" is a team's main room; it cannot also be a room of a team`);
    }

    if (errors.length) {
        throw new Error(`Invalid workspace seed:\n${errors.map((e) => ` - ${e}`).join('\n')}`);
    }

    // ---- build
    const workspace = Workspace.empty();
    workspace.setEnterprise(enterprise);
    if (isObj(settings)) {
        for (const [id, value] of Object.entries(settings)) workspace.setSetting(id, value);
    }
    const ids = new Map<string, string>();
    for (const u of users) {
        const created = workspace.addUser({
            username: u.username,
            name: u.name,
            roles: u.roles,
            password: u.password,
            language: u.language,
            active: u.active,
            emails: u.email ? [{ address: u.email, verified: true }] : undefined,
        });
        ids.set(u.username, created._id);
    }
    if (!ids.has(serviceUsername)) {
        const created = workspace.addUser({ username: serviceUsername, name: serviceName ?? 'Group Admin service account', roles: serviceRoles, type: 'user' });
        ids.set(serviceUsername, created._id);
    }
    const idOf = (username: string): string => ids.get(username) as string;

    const roomIds = new Map<string, string>();
    for (const r of rooms) {
        const others = [...new Set([...r.members, ...r.moderators, ...r.leaders])].filter((m) => m !== r.owner);
        const created = workspace.addRoom({
            name: r.name,
            t: r.t,
            owner: idOf(r.owner),
            members: others.map(idOf),
            encrypted: r.encrypted,
            archived: r.archived,
            ro: r.readOnly,
            default: r.isDefault,
            topic: r.topic,
            abacAttributes: r.abacAttributes,
        });
        roomIds.set(r.name, created._id);
        const roleMap = new Map<string, string[]>();
        const grant = (username: string, role: string): void => {
            const list = roleMap.get(username) ?? (username === r.owner ? ['owner'] : []);
            if (!list.includes(role)) list.push(role);
            roleMap.set(username, list);
        };
        r.moderators.forEach((m) => grant(m, 'moderator'));
        r.leaders.forEach((m) => grant(m, 'leader'));
        for (const [username, roles] of roleMap) workspace.setRoomRoles(created._id, idOf(username), roles);
    }

    const teamIds = new Map<string, string>();
    for (const t of teams) {
        const mainRoomId = roomIds.get(t.mainRoom) as string;
        const mainRoom = rooms.find((r) => r.name === t.mainRoom) as RoomSeed;
        const owner = t.owner ?? mainRoom.owner;
        const members =
            t.members ?? [...new Set([...mainRoom.members, ...mainRoom.moderators, ...mainRoom.leaders, mainRoom.owner])].filter((m) => m !== owner);
        const created = workspace.addTeam({
            name: t.name,
            type: mainRoom.t === 'c' ? 0 : 1,
            mainRoomId,
            ownerId: idOf(owner),
            memberIds: members.map(idOf),
        });
        teamIds.set(t.name, created._id);
    }
    for (const r of rooms) {
        if (r.team) workspace.addRoomToTeam(roomIds.get(r.name) as string, teamIds.get(r.team) as string);
    }

    const userId = idOf(serviceUsername);
    const token = workspace.createAuthToken(userId, serviceToken);
    return { workspace, serviceAccount: { userId, token } };
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new Error(`Invalid workspace seed: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
}

function unknownKeys(o: Obj, allowed: readonly string[], path: string, fail: (path: string, message: string) => void): void {
    for (const key of Object.keys(o)) {
        if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ')})`);
    }
}

/**
 * Adds `count` generated private groups, `group-00001` … (`--seed-groups`), so the encryption report and bulk changes
 * can be tried at scale. Deterministic: group i is owned by the i-th plain user in turn (users holding only `user`,
 * in seed order, `dave` left out when there are others so that someone governs nothing), with the next one as a
 * member; every 7th is encrypted (every other of those with a room key, `e2eKeyId`), every 97th archived, every 50th a
 * discussion of the group before it. Returns the ids in order.
 */
export function addGeneratedGroups(workspace: Workspace, count: number): string[] {
    const width = Math.max(5, String(count).length);
    const plain = workspace.listUsers().filter((u) => u.active && u.roles.length === 1 && u.roles[0] === 'user');
    const owners = plain.length > 1 ? plain.filter((u) => u.username !== 'dave') : plain;
    if (!owners.length) {
        throw new Error('--seed-groups: the workspace has no plain user (roles ["user"]) to own the groups');
    }
    const ids: string[] = [];
    for (let i = 1; i <= count; i++) {
        const owner = owners[i % owners.length];
        const member = owners[(i + 1) % owners.length];
        const encrypted = i % 7 === 0;
        const room = workspace.addRoom({
            name: `group-${String(i).padStart(width, '0')}`,
            t: 'p',
            owner: owner._id,
            members: member._id === owner._id ? [] : [member._id],
            ...(encrypted ? { encrypted: true } : {}),
            ...(encrypted && i % 14 === 0 ? { e2eKeyId: `key-${i}` } : {}),
            ...(i % 97 === 0 ? { archived: true } : {}),
            ...(i % 50 === 0 && ids.length ? { prid: ids[ids.length - 1] } : {}),
        });
        ids.push(room._id);
    }
    return ids;
}

/** A name `addGeneratedGroups` gives. */
export function isGeneratedGroup(name: string): boolean {
    return /^group-\d{5,}$/.test(name);
}
