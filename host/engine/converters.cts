/**
 * Rocket.Chat's app converters (`apps/meteor/app/apps/server/converters/{rooms,users}`), for the in-memory workspace:
 * what the Apps-Engine hands an app when it reads a room or a user. Known fields are renamed; every other field of
 * the room document is copied into `_unmappedProperties_` (`encrypted`, `archived`, `broadcast`, `abacAttributes` on
 * 8.4, …), exactly as `transformMappedData` does upstream.
 */
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom, IRoomRaw } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

import type { Workspace } from '../workspace/Workspace.cjs';
import type { WsMessage, WsRoom, WsUser } from '../workspace/model.cjs';

const ROOM_TYPE: Record<string, string> = { c: 'c', p: 'p', d: 'd', l: 'l' };

/** Room document field → IRoom field, for the plain renames of the upstream map. */
const ROOM_RENAMES: Record<string, string> = {
    _id: 'id',
    fname: 'displayName',
    name: 'slugifiedName',
    msgs: 'messageCount',
    ts: 'createdAt',
    _updatedAt: 'updatedAt',
    description: 'description',
    teamId: 'teamId',
    teamMain: 'isTeamMain',
};

export function convertUser(user: WsUser | undefined): IUser | undefined {
    if (!user) {
        return undefined;
    }
    const converted = {
        id: user._id,
        username: user.username,
        emails: user.emails ?? [],
        type: user.type,
        isEnabled: user.active,
        name: user.name,
        roles: [...user.roles],
        status: user.status ?? 'offline',
        statusConnection: user.status ?? 'offline',
        utcOffset: 0,
        createdAt: user.createdAt,
        updatedAt: user._updatedAt,
        lastLoginAt: user._updatedAt,
        settings: { preferences: { ...(user.language ? { language: user.language } : {}) } },
    };
    return converted as unknown as IUser;
}

/**
 * `transformMappedData`'s plain renames: each field of `data` named in `renames` moves to `out` under its new name
 * (an undefined value is dropped) and leaves `data`, whose remaining fields become `_unmappedProperties_`.
 */
function moveRenamed(data: Record<string, unknown>, renames: Record<string, string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [from, to] of Object.entries(renames)) {
        if (from in data) {
            if (data[from] !== undefined) {
                out[to] = data[from];
            }
            delete data[from];
        }
    }
    return out;
}

export function convertRoom(workspace: Workspace, room: WsRoom | undefined, depth = 0): IRoom | undefined {
    if (!room) {
        return undefined;
    }
    const data: Record<string, unknown> = { ...room };
    const out = moveRenamed(data, ROOM_RENAMES);
    out.isDefault = !!data.default;
    delete data.default;
    out.isReadOnly = !!data.ro;
    delete data.ro;
    out.displaySystemMessages = data.sysMes === undefined ? true : data.sysMes;
    delete data.sysMes;
    out.type = ROOM_TYPE[room.t] ?? room.t;
    delete data.t;
    out.creator = convertUser(workspace.getUser(room.u._id));
    delete data.u;
    if (room.prid !== undefined) {
        // Upstream converts the parent room recursively; one level is all a discussion ever has.
        out.parentRoom = depth < 2 ? convertRoom(workspace, workspace.getRoom(room.prid), depth + 1) : undefined;
    }
    delete data.prid;
    out._unmappedProperties_ = data;
    return out as unknown as IRoom;
}

/** Message document field → IMessage field, the plain renames of `AppMessagesConverter.convertMessage`. */
const MESSAGE_RENAMES: Record<string, string> = {
    _id: 'id',
    tmid: 'threadId',
    msg: 'text',
    ts: 'createdAt',
    _updatedAt: 'updatedAt',
    groupable: 'groupable',
    blocks: 'blocks',
    attachments: 'attachments',
    t: 'type',
};

/**
 * `AppMessagesConverter.convertMessage` (`apps/meteor/app/apps/server/converters/messages.ts`): known fields renamed
 * (`t` → `type`, `msg` → `text`, `ts` → `createdAt`), `rid` → the converted `room`, `u` → the converted `sender` (the
 * user read by id; a user no longer there → `u` as it is, `convertToApp`), every other field in
 * `_unmappedProperties_`.
 */
export function convertMessage(workspace: Workspace, message: WsMessage): IMessage {
    const data: Record<string, unknown> = { ...message };
    const out = moveRenamed(data, MESSAGE_RENAMES);
    out.room = convertRoom(workspace, workspace.getRoom(message.rid));
    delete data.rid;
    out.sender = convertUser(workspace.getUser(message.u._id)) ?? { id: message.u._id, username: message.u.username, name: message.u.name };
    delete data.u;
    out._unmappedProperties_ = data;
    return out as unknown as IMessage;
}

/**
 * A room as `IRoomRaw` (`convertRoomRaw` of upstream `apps/meteor/app/apps/server/converters/rooms.ts`, what
 * `getAllRooms` answers): the document's own fields under the app's names, the creator as `{ _id, username }` only, no
 * lookups — and, as the bridge projects it, no `encrypted`, `archived` or `e2eKeyId`.
 */
export function convertRoomRaw(room: WsRoom): IRoomRaw {
    const raw: Record<string, unknown> = {
        id: room._id,
        slugifiedName: room.name,
        displayName: room.fname,
        type: ROOM_TYPE[room.t] ?? room.t,
        creator: { _id: room.u._id, username: room.u.username },
        isDefault: !!room.default,
        isReadOnly: !!room.ro,
        displaySystemMessages: room.sysMes === undefined ? true : room.sysMes,
        messageCount: room.msgs,
        createdAt: room.ts,
        updatedAt: room._updatedAt,
        description: room.description,
        parentRoomId: room.prid,
        teamId: room.teamId,
        isTeamMain: room.teamMain,
    };
    for (const key of Object.keys(raw)) {
        if (raw[key] === undefined) delete raw[key];
    }
    return raw as unknown as IRoomRaw;
}
