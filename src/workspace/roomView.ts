import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { mapJson } from './json';

/** Room fields the accessor's room converter does not map arrive here (apps-engine-notes.md §5). */
type RoomWithExtras = IRoom & {
    readonly _unmappedProperties_?: Readonly<Record<string, unknown>>;
    readonly abacAttributes?: unknown;
};

/** What the operations need to know about a room. */
export interface RoomView {
    readonly id: string;
    /** `name` (slugified). */
    readonly name: string;
    readonly fname: string;
    /** `t`: `c`, `p`, `d`, `l`. */
    readonly type: string;
    /** The name Rocket.Chat uses in messages: `fname` for a discussion, else `name`. */
    readonly label: string;
    /** `encrypted` exactly as stored (undefined when the room never had it). */
    readonly encrypted: unknown;
    readonly archived: boolean;
    readonly teamId?: string;
    readonly teamMain: boolean;
    /** Parent room of a discussion. */
    readonly parent?: { readonly id: string; readonly room?: IRoom };
    /** Non-empty `abacAttributes` (ABAC-managed when the server's `ABAC_Enabled` is on). */
    readonly hasAbacAttributes: boolean;
    /**
     * Rocket.Chat marks the room federated: `federated: true` in `_unmappedProperties_` (8.4's room converter does not
     * map it), or the mapped `isFederated` of newer converters. Only federated rooms carry invitations.
     */
    readonly federated: boolean;
}

export function unmappedOf(room: IRoom): Readonly<Record<string, unknown>> {
    const extras = (room as RoomWithExtras)._unmappedProperties_;
    return extras && typeof extras === 'object' ? extras : {};
}

function parentOf(room: IRoom): RoomView['parent'] {
    const parent = room.parentRoom as IRoom | string | undefined;
    if (parent && typeof parent === 'object' && typeof parent.id === 'string') {
        return { id: parent.id, room: parent };
    }
    if (typeof parent === 'string' && parent) {
        return { id: parent };
    }
    const prid = unmappedOf(room).prid;
    return typeof prid === 'string' && prid ? { id: prid } : undefined;
}

export function toRoomView(room: IRoom): RoomView {
    const extras = unmappedOf(room);
    const abac = (room as RoomWithExtras).abacAttributes !== undefined ? (room as RoomWithExtras).abacAttributes : extras.abacAttributes;
    const name = room.slugifiedName || '';
    const fname = room.displayName || name;
    const parent = parentOf(room);
    return {
        id: room.id,
        name,
        fname,
        type: String(room.type),
        label: parent ? fname : name,
        encrypted: extras.encrypted,
        archived: extras.archived === true,
        teamId: room.teamId || undefined,
        teamMain: room.isTeamMain === true,
        parent,
        hasAbacAttributes: Array.isArray(abac) && abac.length > 0,
        federated: isFederated(room),
    };
}

/** Rocket.Chat marks the room federated: the mapped `isFederated` of newer converters, or `federated` in 8.4's extras. */
export function isFederated(room: IRoom): boolean {
    return (room as IRoom & { readonly isFederated?: unknown }).isFederated === true || unmappedOf(room).federated === true;
}

function isoDate(value: unknown): string | undefined {
    const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
    return date && !isNaN(date.getTime()) ? date.toISOString() : undefined;
}

/** A JSON-safe copy: Dates become ISO strings. */
function toJson(value: unknown): unknown {
    return mapJson(value, (leaf) => (leaf instanceof Date ? isoDate(leaf) : leaf));
}

export type RestRoom = Record<string, unknown>;

/**
 * Room fields Rocket.Chat never shows in a REST answer: every room answer reads the room with
 * `{ projection: API.v1.defaultFieldsToExclude }` (upstream `apps/meteor/server/api/ApiClass.ts`).
 */
export const REST_EXCLUDED_ROOM_FIELDS: ReadonlyArray<string> = ['joinCode', 'members', 'importIds', 'e2e'];

/**
 * The room as Rocket.Chat's REST API shows it (`_id`, `name`, `fname`, `t`, `ro`, `u`, `ts`, `_updatedAt`, and
 * every other field the room has), interface.md §5:
 * - never a field Rocket.Chat leaves out of REST answers ({@link REST_EXCLUDED_ROOM_FIELDS});
 * - never a field the room does not have. The app's room converter fills some fields with defaults when the room
 *   has none (`isDefault` false, `displaySystemMessages` true): those are shown only when they cannot be a default
 *   (`default: true`, `sysMes` other than `true`); `encrypted` only when the room has it.
 */
export function toRestRoom(room: IRoom): RestRoom {
    const view = toRoomView(room);
    const rest = toJson(unmappedOf(room)) as RestRoom;
    for (const field of REST_EXCLUDED_ROOM_FIELDS) {
        delete rest[field];
    }
    const creator = room.creator;
    rest._id = view.id;
    rest.name = view.name;
    rest.fname = view.fname;
    rest.t = view.type;
    rest.ro = room.isReadOnly === true;
    rest.u = creator ? { _id: creator.id, username: creator.username } : undefined;
    rest.ts = isoDate(room.createdAt);
    rest._updatedAt = isoDate(room.updatedAt);
    if (room.displaySystemMessages !== undefined && room.displaySystemMessages !== true) {
        rest.sysMes = toJson(room.displaySystemMessages);
    }
    if (room.isDefault === true) {
        rest.default = true;
    }
    if (room.description !== undefined) {
        rest.description = room.description;
    }
    if (room.messageCount !== undefined) {
        rest.msgs = room.messageCount;
    }
    if (view.teamId) {
        rest.teamId = view.teamId;
    }
    if (view.teamMain) {
        rest.teamMain = true;
    }
    if (view.parent) {
        rest.prid = view.parent.id;
    }
    if ((room as RoomWithExtras).abacAttributes !== undefined) {
        rest.abacAttributes = toJson((room as RoomWithExtras).abacAttributes);
    }
    return withoutUndefined(rest);
}

/** JSON has no `undefined`: a field without a value is left out, not shown empty. */
function withoutUndefined(doc: RestRoom): RestRoom {
    const out: RestRoom = {};
    Object.keys(doc).forEach((key) => {
        if (doc[key] !== undefined) {
            out[key] = doc[key];
        }
    });
    return out;
}
