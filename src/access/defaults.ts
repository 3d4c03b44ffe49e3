/**
 * Rocket.Chat's default permission-to-roles table for the permissions the app evaluates
 * (rocketchat-semantics.md §2.2; `view-c-room` for discussions of public channels). Used when the
 * workspace's own table cannot be read.
 */
export const DEFAULT_PERMISSION_ROLES: Readonly<Record<string, ReadonlyArray<string>>> = {
    'edit-room': ['admin', 'owner', 'moderator'],
    'toggle-room-e2e-encryption': ['owner', 'admin'],
    'create-c': ['admin', 'user', 'federated-external', 'bot', 'app'],
    'create-p': ['admin', 'user', 'federated-external', 'bot', 'app'],
    'create-team': ['admin', 'user'],
    'create-team-channel': ['admin', 'owner', 'moderator'],
    'create-team-group': ['admin', 'owner', 'moderator'],
    'view-p-room': ['admin', 'user', 'federated-external', 'anonymous', 'guest'],
    'view-joined-room': ['guest', 'bot', 'app', 'anonymous'],
    'view-c-room': ['admin', 'user', 'bot', 'app', 'anonymous'],
    'view-all-teams': ['admin'],
};

export type Permission = keyof typeof DEFAULT_PERMISSION_ROLES;

/** Room-scoped roles the accessors can show (`getOwners`, `getModerators`, `getLeaders`), in lookup order. */
export const ROOM_ROLES = ['owner', 'moderator', 'leader'] as const;

export type RoomRole = (typeof ROOM_ROLES)[number];
