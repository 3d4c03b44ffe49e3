import type { IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';
import { roomIsAsLeft } from './describe';
import { claimOwnChange, recordChange } from './store';
import type { ChangeOperation, ChangeRecord } from './store';

/** What a system message says changed. */
export interface ObservedChange {
    readonly operation: ChangeOperation;
    readonly from: unknown;
    readonly to: unknown;
    /** The message does not tell the state before (`from` is then null). */
    readonly fromUnknown?: true;
}

type Reading = (room: IRoom) => ObservedChange | undefined;

/**
 * Rocket.Chat's system messages of the changes the app records (interface.md §9; upstream-governance-notes.md §2):
 * - `room_e2e_enabled` / `room_e2e_disabled` (`saveRoomEncrypted.ts`): posted only when the value really changed, so
 *   the state before is known;
 * - `room_changed_privacy` (`saveRoomType.ts`): its text is the new type's word in the actor's language, so the new
 *   type is read from the room; posted whether or not the type changed, so the state before is not known;
 * - `user-converted-to-team` (team service `create`) and `user-converted-to-channel` (`unsetTeamIdOfRooms`): the
 *   room became a team's main room, and back.
 */
const WATCHED: ReadonlyMap<string, Reading> = new Map<string, Reading>([
    ['room_e2e_enabled', () => ({ operation: 'setEncrypted', from: false, to: true })],
    ['room_e2e_disabled', () => ({ operation: 'setEncrypted', from: true, to: false })],
    ['room_changed_privacy', (room) => (room.type === 'c' || room.type === 'p' ? { operation: 'setType', from: null, fromUnknown: true, to: room.type } : undefined)],
    ['user-converted-to-team', () => ({ operation: 'convertToTeam', from: false, to: true })],
    ['user-converted-to-channel', () => ({ operation: 'convertToTeam', from: true, to: false })],
]);

/**
 * Whether a system message is one of a watched change: one map lookup on its type, and nothing else for every other
 * message of the workspace.
 */
export function isWatchedType(type: unknown): boolean {
    return typeof type === 'string' && WATCHED.has(type);
}

/** The change a watched system message reports (undefined for any other message, or a room type not c/p). */
export function observedChange(message: IMessage): ObservedChange | undefined {
    const reading = typeof message.type === 'string' ? WATCHED.get(message.type) : undefined;
    return reading && message.room ? reading(message.room) : undefined;
}

/**
 * Why a watched message does not agree with its room, or undefined when it does (interface.md §9). Rocket.Chat posts
 * these messages after it wrote the change (`saveRoomEncrypted`, `saveRoomType`, the team service's `create`), with
 * the acting user's username as the text of the encryption messages; but another app may post a message of any type,
 * as any sender. So the room must be in the state the message reports (`view`: the room as Rocket.Chat loaded it for
 * the event, or as read again), and an encryption message's text must be its sender's username.
 */
function disagreement(message: IMessage, change: ObservedChange, view: RoomView): string | undefined {
    if (!roomIsAsLeft(view, change)) {
        switch (change.operation) {
            case 'setEncrypted':
                return `the room's encryption is ${view.encrypted === true ? 'on' : 'off'}`;
            case 'setType':
                return `the room's type is ${view.type}`;
            default:
                return change.to === true ? "the room is not a team's main room" : 'the room is in a team';
        }
    }
    if (change.operation === 'setEncrypted' && (!message.sender || message.text !== message.sender.username)) {
        return "its text is not its sender's username (Rocket.Chat's own message says who turned it on or off)";
    }
    return undefined;
}

/**
 * Whether a watched message is to be put on record: undefined when it agrees with its room, else why not. The room as
 * the event carries it first (no read); when that disagrees, the room as it is now (Rocket.Chat posts
 * `user-converted-to-channel` before it takes the room out of the team, so the event's copy may predate the change).
 */
export async function checkObserved(message: IMessage, change: ObservedChange, read: IRead): Promise<string | undefined> {
    const { room } = message;
    if (!room || !room.id) {
        return 'the message names no room';
    }
    if (!disagreement(message, change, toRoomView(room))) {
        return undefined;
    }
    const now = await read.getRoomReader().getById(room.id);
    return now ? disagreement(message, change, toRoomView(now)) : 'the room does not exist';
}

/** A recorded change and whether the app made it (its own record, claimed) or Rocket.Chat reported it (new). */
export interface ObservedRecord {
    readonly record: ChangeRecord;
    readonly own: boolean;
}

/**
 * Puts a watched change on record once (interface.md §9): when it is a change the app made (its record or intent, as
 * the account the message names — the caller over HTTP, the service account otherwise), that record is claimed and
 * nothing new is written; otherwise it is recorded with `door: "rocket.chat"` and the actor Rocket.Chat names.
 */
export async function recordObserved(message: IMessage, change: ObservedChange, read: IRead, persistence: IPersistence): Promise<ObservedRecord | undefined> {
    const { room, sender } = message;
    if (!room || !room.id || !sender || !sender.id) {
        return undefined;
    }
    const serviceUserId = await getAppSetting(read.getEnvironmentReader().getSettings(), SETTING_IDS.serviceUserId);
    const sentBy = { senderId: sender.id, serviceUserId: typeof serviceUserId === 'string' ? serviceUserId.trim() : '' };
    const own = await claimOwnChange(read, persistence, room.id, change.operation, change.to, sentBy);
    if (own) {
        return { record: own, own: true };
    }
    const record = await recordChange(read, persistence, {
        roomId: room.id,
        roomName: room.slugifiedName || '',
        operation: change.operation,
        from: change.from,
        to: change.to,
        ...(change.fromUnknown ? { fromUnknown: true as const } : {}),
        actor: { _id: sender.id, username: sender.username || '' },
        door: 'rocket.chat',
    });
    return { record, own: false };
}
