import type { IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

export type ChangeOperation = 'setEncrypted' | 'setType' | 'convertToTeam';
export type ChangeDoor = 'command' | 'button' | 'endpoint' | 'bulk';

/** One change made through the app (interface.md §7). */
export interface ChangeRecord {
    readonly roomId: string;
    readonly roomName: string;
    readonly operation: ChangeOperation;
    /** encrypted: booleans; type: 'p' | 'c'; team: false → true. */
    readonly from: unknown;
    readonly to: unknown;
    readonly actor: { readonly _id: string; readonly username: string };
    readonly door: ChangeDoor;
    /** When it was recorded (ISO 8601). */
    readonly at: string;
    /** The bulk job that made it (door `bulk`, interface.md §8). */
    readonly jobId?: string;
}

/** How many records a room keeps: the newest. */
export const HISTORY_LIMIT = 100;

/** What is persisted: the record and its place in the order of changes. */
interface StoredRecord extends ChangeRecord {
    readonly seq: number;
}

const HISTORY = 'group-admin-history';

/** Every record of one room. */
function roomAssociations(roomId: string): Array<RocketChatAssociationRecord> {
    return [new RocketChatAssociationRecord(RocketChatAssociationModel.ROOM, roomId), new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, HISTORY)];
}

/** Exactly one record (for pruning it). */
function entryAssociation(roomId: string, seq: number): RocketChatAssociationRecord {
    return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `${HISTORY}:${roomId}:${seq}`);
}

let lastSeq = 0;

/**
 * The next place in the order of changes: microseconds since the epoch, strictly increasing within this process
 * (two changes in the same millisecond keep the order in which they were recorded) and after an app restart (the
 * clock moved on). Below 2^53 until the year 2255.
 */
function nextSeq(): number {
    lastSeq = Math.max(Date.now() * 1000, lastSeq + 1);
    return lastSeq;
}

function isStoredRecord(value: unknown): value is StoredRecord {
    if (!value || typeof value !== 'object') {
        return false;
    }
    const record = value as Partial<StoredRecord>;
    return typeof record.seq === 'number' && typeof record.roomId === 'string' && typeof record.operation === 'string' && typeof record.at === 'string';
}

async function readStored(read: IRead, roomId: string): Promise<Array<StoredRecord>> {
    const found = await read.getPersistenceReader().readByAssociations(roomAssociations(roomId));
    return found.filter(isStoredRecord).sort((a, b) => b.seq - a.seq);
}

function withoutSeq(stored: StoredRecord): ChangeRecord {
    const { roomId, roomName, operation, from, to, actor, door, at, jobId } = stored;
    return { roomId, roomName, operation, from, to, actor: { _id: actor._id, username: actor.username }, door, at, ...(jobId ? { jobId } : {}) };
}

/**
 * Records one change that Rocket.Chat accepted (never call it for a failed write or a dry run). Each change is its
 * own persisted record with its place in the order, so concurrent changes never overwrite each other; records
 * beyond the newest {@link HISTORY_LIMIT} of the room are removed afterwards.
 */
export async function recordChange(read: IRead, persistence: IPersistence, record: Omit<ChangeRecord, 'at'>): Promise<void> {
    const seq = nextSeq();
    const stored: StoredRecord = {
        roomId: record.roomId,
        roomName: record.roomName,
        operation: record.operation,
        from: record.from,
        to: record.to,
        actor: { _id: record.actor._id, username: record.actor.username },
        door: record.door,
        ...(record.jobId ? { jobId: record.jobId } : {}),
        at: new Date(Math.floor(seq / 1000)).toISOString(),
        seq,
    };
    await persistence.createWithAssociations(stored, [...roomAssociations(record.roomId), entryAssociation(record.roomId, seq)]);
    const all = await readStored(read, record.roomId);
    for (const old of all.slice(HISTORY_LIMIT)) {
        await persistence.removeByAssociations([entryAssociation(old.roomId, old.seq)]);
    }
}

/** One page of a room's history, newest first, and how many records it has. */
export interface HistoryPage {
    readonly records: ReadonlyArray<ChangeRecord>;
    readonly total: number;
}

/** The room's recorded changes, newest first: `count` of them from `offset`. */
export async function readHistory(read: IRead, roomId: string, offset = 0, count = HISTORY_LIMIT): Promise<HistoryPage> {
    const all = (await readStored(read, roomId)).slice(0, HISTORY_LIMIT);
    return { records: all.slice(offset, offset + count).map(withoutSeq), total: all.length };
}

/** The newest recorded change of the room by `operation`, if any. */
export async function lastChange(read: IRead, roomId: string, operation: ChangeOperation): Promise<ChangeRecord | undefined> {
    const found = (await readStored(read, roomId)).find((stored) => stored.operation === operation);
    return found ? withoutSeq(found) : undefined;
}
