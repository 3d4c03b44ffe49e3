/**
 * Rocket.Chat's rules, one piece of code per piece of logic, shared by every endpoint that uses it (as upstream
 * shares them). Each models an upstream Rocket.Chat file (RocketChat/Rocket.Chat), named on the method:
 *
 * - permissions: `apps/meteor/server/services/authorization/service.ts` (`hasPermission` → `rolesHasPermission`, roles
 *   = global + the scope room's subscription roles) and `apps/meteor/app/authorization/lib/AuthorizationUtils.ts`
 *   (role restrictions; the EE `guest` whitelist of `apps/meteor/ee/app/authorization/lib/guestPermissions.ts`);
 * - room access: `apps/meteor/server/services/authorization/canAccessRoom.ts`;
 * - lookups: `getRoomFromParams` / `findPrivateGroupByIdOrName` of `apps/meteor/server/api/v1/groups.ts`,
 *   `findChannelByIdOrName` of `apps/meteor/server/api/v1/channels.ts`;
 * - `saveRoomSettings`: `apps/meteor/server/meteor-methods/rooms/saveRoomSettings.ts` (validators, then savers);
 *   `apps/meteor/server/lib/rooms/settings/saveRoomType.ts`, `…/saveRoomEncrypted.ts`;
 * - system messages: `Message.saveSystemMessage` (core-services message service);
 * - names: `apps/meteor/server/lib/users/checkUsernameAvailability.ts`;
 * - teams: `apps/meteor/server/services/team/service.ts` (`create`, `update`).
 *
 * Section references (§n) are to the project's `shared/spec/rocketchat-semantics.md` (a summary of the same sources).
 * Everything works on the stored documents (`Store`); callers copy before handing anything out.
 */
import { ENTERPRISE_ROLE_RESTRICTIONS, translatePrivacy } from './defaults.cjs';
import { D_E2E, D_EDIT, D_TYPE, failure, meteorError, notImplemented, RestError } from './errors.cjs';
import { objectId, randomId } from './ids.cjs';
import { clone } from './json.cjs';
import type { RoomType, UserRef, WsMessage, WsRoom, WsSubscription, WsTeam, WsTeamMember, WsUser } from './model.cjs';
import type { Store } from './Store.cjs';

export type Params = Record<string, unknown>;

export const GROUP_NOT_FOUND = 'The required "roomId" or "roomName" param provided does not match any group';
export const CHANNEL_NOT_FOUND = 'The required "roomId" or "roomName" param provided does not match any channel';
export const ROOM_PARAM_REQUIRED = 'The parameter "roomId" or "roomName" is required';

/** The settings `saveRoomSettings` (the method) accepts; anything else is `error-invalid-settings`. */
export const ROOM_SETTINGS_FIELDS: readonly string[] = [
    'roomAvatar',
    'featured',
    'roomName',
    'roomTopic',
    'roomAnnouncement',
    'roomCustomFields',
    'roomDescription',
    'roomType',
    'readOnly',
    'reactWhenReadOnly',
    'systemMessages',
    'default',
    'joinCode',
    'retentionEnabled',
    'retentionMaxAge',
    'retentionExcludePinned',
    'retentionFilesOnly',
    'retentionIgnoreThreads',
    'retentionOverrideGlobal',
    'encrypted',
    'favorite',
];

/** `Team.create`'s input (`ITeamCreateParams`). */
export interface TeamCreateInput {
    team: { name: string; type: 0 | 1 };
    room?: { id?: string; name?: string; members?: string[]; readOnly?: boolean; extraData?: Record<string, unknown> };
    members?: unknown[];
    owner?: string;
    /** `ITeamCreateParams.sidepanel`: stored on the team's new main room (`Room.create(…, { sidepanel })`). */
    sidepanel?: WsRoom['sidepanel'];
}

/** `escapeRegExp` of `@rocket.chat/string-helpers` (used by the username availability check). */
export function escapeRegExp(input: string): string {
    const text = input ? `${input}` : '';
    return text.replace(/[-.*+?^=!:${}()|[\]/\\]/g, '\\$&');
}

/** underscore's `_.escape` (the blocked-name message HTML-escapes the name). */
export function htmlEscape(text: string): string {
    const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;' };
    return text.replace(/[&<>"'`]/g, (c) => map[c]);
}

const DEFAULT_ROOM_NAME_VALIDATION = '[0-9a-zA-Z-_.]+';

export class Rules {
    constructor(private readonly s: Store) {}

    setting(id: string): unknown {
        return this.s.state.settings[id];
    }

    // ------------------------------------------------------------------ permissions (§2.1)

    /** Global roles, plus the room roles of the user's subscription to `scopeRid` when a scope is given. */
    rolesOf(user: WsUser, scopeRid?: string): string[] {
        const roles = [...user.roles];
        if (scopeRid) {
            const sub = this.s.subscription(scopeRid, user._id);
            if (sub?.roles) roles.push(...sub.roles);
        }
        return roles;
    }

    /**
     * `hasPermission(user, P, scope?)` → upstream `rolesHasPermission` (`apps/meteor/server/services/authorization/service.ts`):
     * first `AuthorizationUtils.isPermissionRestrictedForRoleList(P, roles)` (`apps/meteor/app/authorization/lib/AuthorizationUtils.ts`:
     * any role of the set — global or room — with a whitelist that lacks `P` denies it; on a licensed workspace `guest`
     * has one), then granted iff the permission table lists one of the roles for `P`.
     */
    hasPermission(user: WsUser, permission: string, scopeRid?: string): boolean {
        const roles = this.rolesOf(user, scopeRid);
        if (this.isPermissionRestrictedForRoleList(permission, roles)) return false;
        const doc = this.s.permission(permission);
        if (!doc) return false;
        return roles.some((role) => doc.roles.includes(role));
    }

    /** `AuthorizationUtils.isPermissionRestrictedForRoleList` with the whitelists a licensed workspace registers. */
    isPermissionRestrictedForRoleList(permission: string, roles: readonly string[]): boolean {
        if (this.s.state.enterprise !== true) return false;
        return roles.some((role) => {
            const whitelist = ENTERPRISE_ROLE_RESTRICTIONS[role];
            return Boolean(whitelist?.length) && !whitelist.includes(permission);
        });
    }

    /** "All of P1, P2…" with the same role set. */
    hasAllPermissions(user: WsUser, permissions: readonly string[], scopeRid?: string): boolean {
        return permissions.every((p) => this.hasPermission(user, p, scopeRid));
    }

    /** `ABAC_Enabled` and non-empty `abacAttributes`. */
    isAbacManagedRoom(room: WsRoom): boolean {
        return Boolean(this.setting('ABAC_Enabled')) && Array.isArray(room.abacAttributes) && room.abacAttributes.length > 0;
    }

    /** `License.hasModule(module)`: the installed license carries `module`. */
    hasLicenseModule(module: string): boolean {
        return this.s.state.licenseModules?.includes(module) === true;
    }

    // ------------------------------------------------------------------ room access

    /**
     * `canAccessRoom` of upstream `apps/meteor/server/services/authorization/canAccessRoom.ts` (@ e09cbc33, the
     * version with the ABAC branch and `includeInvitations`): access when any of its validators grants it, in its
     * order —
     *
     * 1. `_validateAccessToPublicRoomsInTeams`: a public channel of a team — a public team: `view-c-room`
     *    (`canAccessPublicRoom`); a private team: a `TeamMember` record;
     * 2. `_validateAccessToPublicRooms`: a public channel outside a team: `view-c-room`;
     * 3. `_validateIfAlreadyJoined`: `view-joined-room` or `view-<t>-room`, and — unless the room is ABAC-managed
     *    (attributes, the license module `abac`, `ABAC_Enabled`) — a subscription that is no pending invitation; on an
     *    ABAC-managed room instead `Abac.canAccessObject` (`abacCanAccessObject`);
     * 4. `_validateAccessToDiscussionsParentRoom`: a discussion through its parent.
     *
     * No admin bypass. (Livechat rooms, `canAccessRoomLivechat`, are not modelled: no access.)
     */
    canAccessRoom(room: WsRoom | undefined, user: WsUser | undefined, depth = 0): boolean {
        if (!room || !user || depth > 10) return false;
        if (room.t === 'c' && room.teamId) {
            const team = this.s.team(room.teamId);
            if (team?.type === 0 ? this.hasPermission(user, 'view-c-room') : this.s.teamMembers(room.teamId).some((m) => m.userId === user._id)) {
                return true;
            }
        }
        if (room.t === 'c' && !room.teamId && this.hasPermission(user, 'view-c-room')) return true;
        if (this.hasJoined(room, user)) return true;
        if (room.prid) {
            const parent = this.s.room(room.prid);
            if (parent && parent._id !== room._id) return this.canAccessRoom(parent, user, depth + 1);
        }
        return false;
    }

    /**
     * `_validateIfAlreadyJoined` of upstream `canAccessRoom.ts` (@ e09cbc33): `view-joined-room` or `view-<t>-room`, and
     * either a subscription counted by `Subscriptions.countByRoomIdAndUserId(rid, uid, includeInvitations = false)` — an
     * `INVITED` one is not — or, on a room with attributes when the license has `abac` and `ABAC_Enabled` is on,
     * `Abac.canAccessObject` (no subscription count there; the ABAC service looks the subscription up itself).
     */
    private hasJoined(room: WsRoom, user: WsUser): boolean {
        const mayView = this.hasPermission(user, 'view-joined-room') || this.hasPermission(user, `view-${room.t}-room`);
        if (!room.abacAttributes?.length || !this.hasLicenseModule('abac') || this.setting('ABAC_Enabled') !== true) {
            const sub = this.s.subscription(room._id, user._id);
            if (!sub || sub.status === 'INVITED') return false;
            return mayView;
        }
        return mayView && this.abacCanAccessObject(room, user);
    }

    /**
     * `AbacService.canAccessObject(room, user, READ, ROOM)` of upstream `ee/packages/abac/src/index.ts` with the local
     * policy decision point (`ee/packages/abac/src/pdp/LocalPDP.ts`, `buildCompliantConditions` of
     * `ee/packages/abac/src/helper.ts`): no subscription at all (`Subscriptions.findOneByRoomIdAndUserId`, any status)
     * → no access; the user complies when, for every attribute `{ key, values }` of the room, their own attributes have
     * that key with all those values; a member who does not comply is removed from the room
     * (`Room.removeUserFromRoom(…, { customSystemMessage: 'abac-removed-user-from-room' })`) and refused. Upstream's
     * decision cache (`Abac_Cache_Decision_Time_Seconds`, which lets a recent positive decision stand) is not modelled:
     * every check decides afresh.
     */
    private abacCanAccessObject(room: WsRoom, user: WsUser): boolean {
        const sub = this.s.subscription(room._id, user._id);
        if (!sub) return false;
        const own = new Map((user.abacAttributes ?? []).map((a) => [a.key, new Set(a.values)]));
        const complies = (room.abacAttributes ?? []).every(({ key, values }) => {
            const held = own.get(key);
            return held !== undefined && values.every((v) => held.has(v));
        });
        if (complies) return true;
        this.removeUserFromRoom(room, user, 'abac-removed-user-from-room');
        return false;
    }

    /**
     * `Room.removeUserFromRoom(rid, user, { customSystemMessage })` as far as the workspace keeps it: the subscription
     * goes, `usersCount` follows, and the system message (`msg` = the username) is sent as the removed user.
     */
    removeUserFromRoom(room: WsRoom, user: WsUser, systemMessage: string): void {
        if (!this.s.removeSubscription(room._id, user._id)) return;
        this.countUsers(room);
        room._updatedAt = this.s.now();
        this.sendSystemMessage(systemMessage, room._id, user.username, { _id: user._id, username: user.username, name: user.name });
    }

    // ------------------------------------------------------------------ room lookups (§3)

    /**
     * §3.1 steps 1–2: the key check (`error-room-param-not-provided`), then the lookup — `roomId` wins whenever the key
     * is present. Returns the room found, of any type, or undefined.
     */
    roomFromKeys(params: Params): WsRoom | undefined {
        const hasId = 'roomId' in params;
        const hasName = 'roomName' in params;
        if ((!hasId && !hasName) || (hasId && !params.roomId && hasName && !params.roomName)) {
            throw meteorError('error-room-param-not-provided', ROOM_PARAM_REQUIRED);
        }
        return hasId ? this.s.room(params.roomId || '') : this.s.roomByName(params.roomName || '');
    }

    /** §3.1 steps 1–3 (`getRoomFromParams` of groups.ts): the room must be a private group. */
    groupFromParams(params: Params): WsRoom {
        const room = this.roomFromKeys(params);
        if (room?.t !== 'p') throw meteorError('error-room-not-found', GROUP_NOT_FOUND);
        return room;
    }

    /** §3.1 (`findPrivateGroupByIdOrName`): lookup, access check, archived check. `name` = `fname` for a discussion. */
    findPrivateGroup(params: Params, user: WsUser, checkedArchived = true): { room: WsRoom; name: string } {
        const room = this.groupFromParams(params);
        if (!this.canAccessRoom(room, user)) throw meteorError('error-room-not-found', GROUP_NOT_FOUND);
        const name = (room.prid ? room.fname : room.name) ?? '';
        if (checkedArchived && room.archived) {
            throw meteorError('error-room-archived', `The private group, ${name}, is archived`);
        }
        return { room, name };
    }

    /** `findChannelByIdOrName` of channels.ts (no key check, no access check). */
    findChannel(params: Params, checkedArchived = true): WsRoom {
        let room: WsRoom | undefined;
        if ('roomId' in params) {
            room = this.s.room(params.roomId || '');
        } else if ('roomName' in params) {
            room = this.s.roomByName(params.roomName || '');
        }
        if (!room || (room.t !== 'c' && room.t !== 'l')) throw meteorError('error-room-not-found', CHANNEL_NOT_FOUND);
        if (checkedArchived && room.archived) throw meteorError('error-room-archived', `The channel, ${room.name}, is archived`);
        return room;
    }

    // ------------------------------------------------------------------ saveRoomSettings (§4, §5, §7)

    /**
     * The `saveRoomSettings` method: `rid` check, known settings, `error-invalid-room`, `edit-room` (scope: the room),
     * then every setting's validator, then every setting's saver, in the order the settings were given. Returns the
     * room id. As upstream, a saver failing after another saver ran leaves the earlier write in place.
     */
    saveRoomSettings(user: WsUser, rid: unknown, input: Params): string {
        if (typeof rid !== 'string') {
            throw meteorError('error-invalid-room', 'Invalid room', { method: 'saveRoomSettings' });
        }
        let settings: Params = { ...input };
        if (!Object.keys(settings).every((key) => ROOM_SETTINGS_FIELDS.includes(key))) {
            throw meteorError('error-invalid-settings', 'Invalid settings provided', { method: 'saveRoomSettings' });
        }
        const stored = this.s.room(rid);
        if (!stored) {
            throw meteorError('error-invalid-room', 'Invalid room', { method: 'saveRoomSettings' });
        }
        if (!this.hasPermission(user, 'edit-room', rid)) {
            if (!(Object.keys(settings).includes('encrypted') && stored.t === 'd')) {
                throw meteorError('error-action-not-allowed', 'Editing room is not allowed', { ...D_EDIT });
            }
            settings = { encrypted: settings.encrypted };
        }
        if (stored.broadcast && (settings.readOnly || settings.reactWhenReadOnly)) {
            throw meteorError('error-action-not-allowed', 'Editing readOnly/reactWhenReadOnly are not allowed for broadcast rooms', {
                ...D_EDIT,
            });
        }
        // The room as read before any write (upstream reads it once).
        const room = clone(stored);
        // The acting user as saveRoomSettings loads it (projection { username, name }: no language).
        const actor: UserRef = { _id: user._id, username: user.username, name: user.name };

        for (const key of Object.keys(settings)) {
            this.validateSetting(key, settings[key], user, room);
        }
        for (const key of Object.keys(settings)) {
            this.saveSetting(key, settings[key], actor, room);
        }
        return stored._id;
    }

    private validateSetting(key: string, value: unknown, user: WsUser, room: WsRoom): void {
        switch (key) {
            case 'roomType':
                this.validateRoomType(value, user, room);
                return;
            case 'encrypted':
                this.validateEncrypted(value, user, room);
                return;
            default:
                throw notImplemented(`The saveRoomSettings setting "${key}"`);
        }
    }

    /**
     * The `roomType` validator of upstream `apps/meteor/server/meteor-methods/rooms/saveRoomSettings.ts` (newest): the
     * global `create-c` / `create-p` only for a room outside a team or a team's main room; the generic ABAC check; then,
     * for a room inside a team, only `create-team-channel` (→ c) / `create-team-group` (→ p) in the scope of the team's
     * main room (`Team.getInfoById(room.teamId)?.roomId`; no team = global roles), and `isAbacManagedTeam(team, room)`,
     * which upstream evaluates with the room being changed.
     */
    private validateRoomType(value: unknown, user: WsUser, room: WsRoom): void {
        if (value === room.t) return;
        const outsideTeamOrMain = !room.teamId || Boolean(room.teamMain);
        if (value === 'c' && outsideTeamOrMain && !this.hasPermission(user, 'create-c')) {
            throw meteorError('error-action-not-allowed', 'Changing a private group to a public channel is not allowed', { ...D_TYPE });
        }
        if (value === 'p' && outsideTeamOrMain && !this.hasPermission(user, 'create-p')) {
            throw meteorError('error-action-not-allowed', 'Changing a public channel to a private room is not allowed', { ...D_TYPE });
        }
        if (this.isAbacManagedRoom(room) && value !== 'p') {
            throw meteorError('error-action-not-allowed', 'Changing an ABAC managed private room to public is not allowed', { ...D_TYPE });
        }
        if (outsideTeamOrMain) return;
        const team = this.s.team(room.teamId);
        const mainRoomId = team?.roomId || undefined;
        if (value === 'c' && !this.hasPermission(user, 'create-team-channel', mainRoomId)) {
            throw meteorError('error-action-not-allowed', "Changing a team's private group to a public channel is not allowed", { ...D_TYPE });
        }
        if (value === 'p' && !this.hasPermission(user, 'create-team-group', mainRoomId)) {
            throw meteorError('error-action-not-allowed', "Changing a team's public channel to a private room is not allowed", { ...D_TYPE });
        }
        if (this.isAbacManagedTeam(team, room) && value !== 'p') {
            throw meteorError('error-action-not-allowed', 'Changing an ABAC managed private team room to public is not allowed', {
                ...D_TYPE,
            });
        }
    }

    /** `isAbacManagedTeam(team, teamRoom)` of saveRoomSettings.ts: a private team, `ABAC_Enabled`, attributes on `teamRoom`. */
    private isAbacManagedTeam(team: WsTeam | undefined, teamRoom: WsRoom): boolean {
        return team?.type === 1 && Boolean(this.setting('ABAC_Enabled')) && Array.isArray(teamRoom.abacAttributes) && teamRoom.abacAttributes.length > 0;
    }

    /** The `encrypted` validator (§4 step 4). */
    private validateEncrypted(value: unknown, user: WsUser, room: WsRoom): void {
        if (value === room.encrypted) return;
        if (!this.allowsE2ESetting(room)) {
            throw meteorError('error-action-not-allowed', 'Only groups or direct channels can enable encryption', { ...D_E2E });
        }
        if (room.t !== 'd' && !this.hasPermission(user, 'toggle-room-e2e-encryption', room._id)) {
            throw meteorError('error-action-not-allowed', 'You do not have permission to toggle E2E encryption', { ...D_E2E });
        }
    }

    /** `allowRoomSettingChange(room, E2E)` of the room types: groups and DMs follow `E2E_Enable`, others never. */
    private allowsE2ESetting(room: WsRoom): boolean {
        return (room.t === 'p' || room.t === 'd') && this.setting('E2E_Enable') === true;
    }

    private saveSetting(key: string, value: unknown, actor: UserRef, room: WsRoom): void {
        switch (key) {
            case 'roomType': {
                if (value === room.t) return;
                this.saveRoomType(room._id, value, actor);
                if (room.teamId && room.teamMain) {
                    this.setTeamType(room.teamId, value === 'c' ? 0 : 1);
                }
                return;
            }
            case 'encrypted':
                this.saveRoomEncrypted(room._id, value, actor, Boolean(room.encrypted) !== Boolean(value));
                return;
            default:
                throw notImplemented(`The saveRoomSettings setting "${key}"`);
        }
    }

    /** `saveRoomType`: the type check, the room-type check, then the change (`applyRoomType`). */
    saveRoomType(rid: string, roomType: unknown, actor: UserRef): void {
        if (roomType !== 'c' && roomType !== 'p') {
            throw meteorError('error-invalid-room-type', 'error-invalid-room-type', { function: 'RocketChat.saveRoomType', type: roomType });
        }
        const room = this.s.room(rid);
        if (!room) {
            throw meteorError('error-invalid-room', 'error-invalid-room', { function: 'RocketChat.saveRoomType', _id: rid });
        }
        if (room.t !== 'c' && room.t !== 'p') {
            throw meteorError('error-direct-room', "Can't change type of direct rooms", { function: 'RocketChat.saveRoomType' });
        }
        this.applyRoomType(room, roomType, actor);
    }

    /**
     * The type change itself (§5 side effects): `rooms.t` (to `p` also unsets `default`), every subscription's `t`,
     * ABAC attributes removed on → `c`, and `room_changed_privacy` in the server `Language` sent as `actor`.
     * (The team's `type` follows in the `roomType` saver.)
     */
    applyRoomType(room: WsRoom, type: 'c' | 'p', actor: UserRef): void {
        const at = this.s.now();
        room.t = type;
        if (type === 'p') delete room.default;
        room._updatedAt = at;
        for (const sub of this.s.subscriptionsOfRoom(room._id)) {
            sub.t = type;
            sub._updatedAt = at;
        }
        if (type === 'c' && room.abacAttributes?.length) {
            delete room.abacAttributes;
        }
        const text = translatePrivacy(type === 'c' ? 'public' : 'private', this.setting('Language') || 'en');
        this.sendSystemMessage('room_changed_privacy', room._id, text, actor);
    }

    /** `Team.update(…, { type, updateRoom: false })`: the team document's `type` (0 public, 1 private). */
    setTeamType(teamId: string, type: 0 | 1): void {
        const team = this.s.team(teamId);
        if (!team) return;
        team.type = type;
        team._updatedAt = this.s.now();
    }

    /**
     * `saveRoomEncrypted` (§4 side effects): `encrypted = (value === true)` always written; the system message only
     * when the boolean changed; auto-translate off on every subscription when encrypting.
     */
    saveRoomEncrypted(rid: string, value: unknown, actor: UserRef, sendMessage: boolean): void {
        // upstream apps/meteor/server/lib/rooms/settings/saveRoomEncrypted.ts: `isRegisterUser(user)` (core-typings:
        // `username !== undefined && name !== undefined`) before any write.
        if (actor.username === undefined || actor.name === undefined) {
            throw meteorError('invalid-user', 'Invalid user', { function: 'RocketChat.saveRoomEncrypted' });
        }
        const room = this.s.room(rid);
        if (!room) throw meteorError('error-invalid-room', 'Invalid room', { method: 'saveRoomSettings' });
        const at = this.s.now();
        room.encrypted = value === true;
        room._updatedAt = at;
        if (sendMessage) {
            this.sendSystemMessage(value ? 'room_e2e_enabled' : 'room_e2e_disabled', rid, actor.username, actor);
        }
        if (value) {
            for (const sub of this.s.subscriptionsOfRoom(rid)) {
                delete sub.autoTranslate;
                sub._updatedAt = at;
            }
        }
    }

    // ------------------------------------------------------------------ messages

    /**
     * `Message.saveSystemMessage(type, rid, msg, user)`: the message, and the room's `msgs` counted
     * (`Rooms.incMsgCountById(rid, 1)`; upstream's own e2e asserts `msgs + 1` after `channels.setType`).
     */
    sendSystemMessage(type: string, rid: string, msg: string, user: UserRef): WsMessage {
        const at = this.s.now();
        const u: UserRef = { _id: user._id, username: user.username, ...(user.name !== undefined ? { name: user.name } : {}) };
        const message = this.s.insertMessage({ _id: randomId(), t: type, rid, ts: at, msg, u, groupable: false, _updatedAt: at });
        const room = this.s.room(rid);
        if (room) room.msgs += 1;
        return message;
    }

    // ------------------------------------------------------------------ teams (§6, §7)

    /**
     * `checkUsernameAvailability(name, type?)`: blocked names (`all`, `here`, `Accounts_BlockedUsernameList`,
     * `Accounts_SystemBlockedUsernameList`) throw `error-blocked-username`; a user's username or a team's name
     * (case-insensitive) makes it unavailable. The team service asks for a room name (`type` `'room'`, upstream
     * `apps/meteor/server/services/team/service.ts` @ 0041a4d9); the type only reaches
     * `checkUsernameAvailabilityCallback` (federation / EE checks), which the workspace does not model.
     */
    checkUsernameAvailability(name: string, _type: 'user' | 'room' = 'user'): boolean {
        const toRegExp = (text: string): RegExp => new RegExp(`^${escapeRegExp(text).trim()}$`, 'i');
        const blockedList = String(this.setting('Accounts_BlockedUsernameList') ?? '');
        const blacklist = ['all', 'here'].concat(blockedList.split(',')).map(toRegExp);
        const blocked = blacklist.some((re) => re.test(escapeRegExp(name).trim()));
        if (blocked || !this.validateName(name)) {
            throw meteorError('error-blocked-username', `${htmlEscape(name)} is blocked and can't be used!`, {
                method: 'checkUsernameAvailability',
                field: name,
            });
        }
        if (this.s.userByUsernameIgnoringCase(name)) return false;
        const teamPattern = toRegExp(name);
        if (this.s.state.teams.some((t) => teamPattern.test(t.name))) return false;
        return true;
    }

    /** `validateName`: not on `Accounts_SystemBlockedUsernameList` (lower-cased). */
    private validateName(name: string): boolean {
        const blockedNames = this.setting('Accounts_SystemBlockedUsernameList');
        if (!blockedNames || typeof blockedNames !== 'string') return true;
        return !blockedNames.split(',').includes(name.toLowerCase());
    }

    /** `Users.findActiveByIdsOrUsernames`. */
    findActiveByIdsOrUsernames(list: readonly unknown[]): WsUser[] {
        const wanted = new Set(list.filter((x): x is string => typeof x === 'string'));
        return this.s.state.users.filter((u) => u.active && (wanted.has(u._id) || wanted.has(u.username)));
    }

    /**
     * `Team.create(uid, { team, room, members, owner })`. Name checks first (§6 step 6), then the writes: the room
     * (unless `room.id`), the team, its members (`owner`, else the caller, with role `owner`), `teamId` /
     * `teamMain` on the room and, for a converted room, `user-converted-to-team` sent as the caller.
     */
    createTeam(uid: string, input: TeamCreateInput): WsTeam {
        const { team, members, owner } = input;
        const room = input.room ?? { name: team.name, extraData: {} };
        if (!this.checkUsernameAvailability(team.name, 'room')) throw failure('team-name-already-exists');
        const existingRoom = this.s.roomByName(team.name);
        if (existingRoom && existingRoom._id !== room.id) throw failure('room-name-already-exists');
        const creator = this.s.user(uid);
        if (!creator) throw failure('invalid-user');
        const createdBy: UserRef = { _id: creator._id, username: creator.username };
        const resolved = !members || !Array.isArray(members) || members.length === 0 ? [] : this.findActiveByIdsOrUsernames(members);

        try {
            const createdAt = this.s.now();
            const roomId =
                room.id ||
                this.createRoom(owner || uid, team.type === 1 ? 'p' : 'c', team.name, resolved.map((u) => u.username), room.readOnly, input.sidepanel)._id;
            const doc: WsTeam = {
                _id: objectId(createdAt),
                name: team.name,
                type: team.type,
                createdAt,
                createdBy,
                _updatedAt: createdAt,
                roomId,
            };
            this.s.insertTeam(doc);
            const exclude = owner ? [owner] : [uid];
            const memberDocs: WsTeamMember[] = resolved
                .map((u) => u._id)
                .filter(Boolean)
                .filter((id) => !exclude.includes(id))
                .map((userId) => ({ _id: objectId(createdAt), teamId: doc._id, userId, createdAt, createdBy: { ...createdBy }, _updatedAt: createdAt }));
            memberDocs.push({
                _id: objectId(createdAt),
                teamId: doc._id,
                userId: owner || uid,
                roles: ['owner'],
                createdAt,
                createdBy: { ...createdBy },
                _updatedAt: createdAt,
            });
            for (const m of memberDocs) this.s.insertTeamMember(m);
            const mainRoom = this.s.room(roomId);
            if (mainRoom) {
                mainRoom.teamId = doc._id;
                mainRoom.teamMain = true;
                mainRoom._updatedAt = this.s.now();
            }
            if (room.id) {
                this.sendSystemMessage('user-converted-to-team', roomId, team.name, createdBy);
            }
            return doc;
        } catch {
            throw failure('error-team-creation');
        }
    }

    /**
     * The writes of upstream `teams.convertToChannel` without `roomsToRemove` (apps/meteor/app/api/server/v1/teams.ts;
     * `Team.unsetTeamIdOfRooms`, `removeAllMembersFromTeam`, `deleteById` in apps/meteor/server/services/team/service.ts):
     * every room of the team loses `teamId` / `teamMain` / `teamDefault` (room types unchanged), the main room gets
     * `user-converted-to-channel` sent as the caller, then the team's members and the team are removed.
     */
    convertTeamToChannel(team: WsTeam, by: WsUser): void {
        const actor: UserRef = { _id: by._id, username: by.username };
        for (const room of this.s.state.rooms.filter((r) => r.teamId === team._id)) {
            delete room.teamId;
            delete room.teamMain;
            delete (room as WsRoom & { teamDefault?: boolean }).teamDefault;
            room._updatedAt = this.s.now();
        }
        this.sendSystemMessage('user-converted-to-channel', team.roomId, team.name, actor);
        this.s.deleteTeam(team._id);
    }

    /** `Room.create` + `createRoom` as far as `Team.create` needs it (every check before any write). */
    createRoom(ownerId: string, type: 'c' | 'p', name: string, memberUsernames: string[], readOnly?: boolean, sidepanel?: WsRoom['sidepanel']): WsRoom {
        const owner = this.s.user(ownerId);
        if (!owner) throw new Error('User not found');
        if (!this.hasPermission(owner, `create-${type}`)) throw new Error('no-permission');
        const validation = this.setting('UTF8_Channel_Names_Validation');
        const pattern = typeof validation === 'string' && validation ? validation : DEFAULT_ROOM_NAME_VALIDATION;
        if (!new RegExp(`^${pattern}$`).test(name)) {
            throw meteorError('error-invalid-room-name', `${name} is not a valid room name`, { function: 'RocketChat.createRoom', room_name: name });
        }
        if (this.s.roomByName(name)) {
            throw meteorError('error-duplicate-channel-name', `A channel with name '${name}' exists`, { function: 'RocketChat.createRoom', channel_name: name });
        }
        const usernames = [...new Set(memberUsernames)];
        if (!usernames.includes(owner.username)) usernames.push(owner.username);
        const users = usernames.map((u) => this.s.userByUsername(u)).filter((u): u is WsUser => Boolean(u));
        const at = this.s.now();
        const room: WsRoom = {
            _id: randomId(),
            fname: name,
            name,
            t: type,
            msgs: 0,
            usersCount: 0,
            u: { _id: owner._id, username: owner.username },
            ts: at,
            _updatedAt: at,
            ro: readOnly === true,
            ...(sidepanel ? { sidepanel: clone(sidepanel) } : {}),
        };
        this.s.insertRoom(room);
        for (const u of users) {
            this.subscribe(room, u, u._id === owner._id ? ['owner'] : undefined);
        }
        return room;
    }

    /**
     * A new subscription of `user` to `room` (room roles optional); keeps `usersCount` right (joined members only). With
     * `invitedBy`, a pending invitation (`status: 'INVITED'`, `inviter`), as native federation invites create them.
     */
    subscribe(room: WsRoom, user: WsUser, roles?: string[], invitedBy?: WsUser): WsSubscription {
        const at = this.s.now();
        const sub: WsSubscription = {
            _id: randomId(),
            rid: room._id,
            u: { _id: user._id, username: user.username, name: user.name },
            t: room.t,
            name: room.name,
            fname: room.fname,
            ...(roles && roles.length ? { roles: [...roles] } : {}),
            open: true,
            alert: false,
            unread: 0,
            ...(invitedBy ? { status: 'INVITED' as const, inviter: { _id: invitedBy._id, username: invitedBy.username, name: invitedBy.name } } : {}),
            ts: at,
            _updatedAt: at,
        };
        this.s.insertSubscription(sub);
        this.countUsers(room);
        room._updatedAt = at;
        return sub;
    }

    /** `usersCount`: the room's joined members (a pending invitation does not count). */
    countUsers(room: WsRoom): void {
        room.usersCount = this.s.subscriptionsOfRoom(room._id).filter((sub) => sub.status !== 'INVITED').length;
    }

    /** The room type of a `RoomType` value, for callers that only know it is a string. */
    static isRoomType(t: unknown): t is RoomType {
        return t === 'c' || t === 'p' || t === 'd' || t === 'l';
    }

    /** Re-throws anything that is not a `RestError` as Rocket.Chat's router would answer it: 400 with the message. */
    static asRestError(e: unknown): RestError {
        if (e instanceof RestError) return e;
        return failure(e instanceof Error ? e.message : String(e));
    }
}
