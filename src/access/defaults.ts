/**
 * The permissions the app evaluates for the person who asks (rocketchat-semantics.md §2.2; `view-room-administration`
 * for the governance scope, interface.md §8; `view-c-room` for public
 * channels and discussions of public channels; `api-bypass-rate-limit` for the chat doors' rate limit). Who holds
 * them is always the workspace's own table (`permissions.listAll`), never a default.
 */
export const PERMISSIONS = [
    'edit-room',
    'toggle-room-e2e-encryption',
    'create-c',
    'create-p',
    'create-team',
    'create-team-channel',
    'create-team-group',
    'view-p-room',
    'view-joined-room',
    'view-c-room',
    'view-all-teams',
    'api-bypass-rate-limit',
    'view-room-administration',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * Rocket.Chat's role restriction of the `guest` role (`guestPermissions`, applied with `addRoleRestrictions('guest',
 * …)` on licensed workspaces): a user holding `guest` holds no other permission, whatever other grants say. The app
 * cannot tell whether the workspace is licensed, so it always applies it (interface.md §5).
 */
const GUEST_PERMISSIONS: ReadonlyArray<string> = ['view-d-room', 'view-joined-room', 'view-p-room', 'start-discussion', 'mobile-upload-file'];

/** Rocket.Chat's `isPermissionRestrictedForRoleList` for that restriction: `roles` may not hold `permission`. */
export function isRestrictedForRoles(roles: ReadonlyArray<string>, permission: string): boolean {
    return roles.indexOf('guest') >= 0 && GUEST_PERMISSIONS.indexOf(permission) < 0;
}

/** Room-scoped roles the accessors can show (`getOwners`, `getModerators`, `getLeaders`), in lookup order. */
export const ROOM_ROLES = ['owner', 'moderator', 'leader'] as const;

export type RoomRole = (typeof ROOM_ROLES)[number];

/**
 * What the service account itself must hold for the chat doors' writes and reads (rocketchat-semantics.md §7,
 * upstream audit §4), each with why. It acts outside the rooms it changes, so its global roles must grant them.
 */
export const SERVICE_ACCOUNT_PERMISSIONS: ReadonlyArray<{ readonly id: string; readonly why: string }> = [
    { id: 'edit-room', why: 'every change (rooms.saveRoomSettings, teams.create with a room)' },
    { id: 'toggle-room-e2e-encryption', why: '/encrypt on|off' },
    { id: 'create-c', why: '/settype public outside teams' },
    { id: 'create-p', why: '/settype private outside teams' },
    { id: 'create-team-channel', why: '/settype public of a room inside a team' },
    { id: 'create-team-group', why: '/settype private of a room inside a team' },
    { id: 'create-team', why: '/toteam (teams.create)' },
    { id: 'view-all-teams', why: 'teams.info for rooms inside teams it is not a member of' },
    { id: 'api-bypass-rate-limit', why: "Rocket.Chat's REST rate limit (10 calls a minute per route for the whole app)" },
    { id: 'view-room-administration', why: '/encrypt report and groups.encryptionReport (groups.listAll, every private group)' },
    { id: 'view-other-user-channels', why: "/encrypt report and groups.encryptionReport (users.info: a person's groups and room roles)" },
];
