import { randomBytes } from 'crypto';
import type { IPersistence, IPersistenceRead, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import { serialized } from './roomLock';

export type ChangeOperation = 'setEncrypted' | 'setType' | 'convertToTeam';
/** What the audit holds besides changes: a `gap`, a time when the app could not listen (interface.md §9). */
export type AuditOperation = ChangeOperation | 'gap';
/** How a change was asked for; `rocket.chat`: made in Rocket.Chat itself, recorded from its system message. */
export type ChangeDoor = 'command' | 'button' | 'endpoint' | 'bulk' | 'rocket.chat';

/** The settings a change record can be of (what undo reverts). */
export const CHANGE_OPERATIONS: ReadonlyArray<ChangeOperation> = ['setEncrypted', 'setType', 'convertToTeam'];

export const AUDIT_OPERATIONS: ReadonlyArray<AuditOperation> = [...CHANGE_OPERATIONS, 'gap'];

/** One change on record (interface.md §7, §9). */
export interface ChangeRecord {
    /** Stable: used by `undoes`, jobs and the audit export. Records made before 0.3.0 get one when first read. */
    readonly _id: string;
    readonly roomId: string;
    readonly roomName: string;
    readonly operation: AuditOperation;
    /**
     * encrypted: booleans; type: 'p' | 'c'; team: false → true (and back); gap: ISO times. `null` with `fromUnknown`
     * when the state before is not known (a change seen only in its system message).
     */
    readonly from: unknown;
    readonly to: unknown;
    readonly fromUnknown?: true;
    readonly actor: { readonly _id: string; readonly username: string };
    readonly door: ChangeDoor;
    /** When it was recorded (ISO 8601). */
    readonly at: string;
    /** The bulk job that made it. */
    readonly jobId?: string;
    /** The record this change reverts. */
    readonly undoes?: string;
}

/** What a writer gives: everything but the id and time, which the store sets. */
export type NewChange = Omit<ChangeRecord, '_id' | 'at'>;

/** How many records a room keeps by default (setting `history_limit`), and the most it may keep. */
export const HISTORY_LIMIT = 100;
export const HISTORY_LIMIT_MAX = 10000;
export const HISTORY_LIMIT_SETTING = SETTING_IDS.historyLimit;

/** The setting's value as a limit, or undefined when it is not one (a whole number from 1 to 10,000). */
export function parseHistoryLimit(value: unknown): number | undefined {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= HISTORY_LIMIT_MAX ? n : undefined;
}

/**
 * The records each room keeps now: the setting, or the default when it cannot be read or is not a limit. Kept in
 * module memory like the app's other settings (read once, then current through `onSettingUpdated`).
 */
export async function historyLimit(read: IRead): Promise<number> {
    try {
        return parseHistoryLimit(await getAppSetting(read.getEnvironmentReader().getSettings(), SETTING_IDS.historyLimit)) ?? HISTORY_LIMIT;
    } catch {
        return HISTORY_LIMIT;
    }
}

/**
 * What is persisted: the record, its place in the order of changes, and its state.
 * - `pending`: an intent, written before the app asks Rocket.Chat for the change (so a system message arriving first,
 *   on any instance, finds it); hidden from readers until the app confirms it or its system message is seen.
 * - `observed`: its system message was seen (so that message is never recorded a second time).
 */
interface StoredRecord extends ChangeRecord {
    readonly seq: number;
    readonly pending?: boolean;
    readonly observed?: boolean;
}

/*
 * Persistence layout (Rocket.Chat keeps app records in one collection, found by `$all` of their associations):
 * - a record: KIND, ROOM <roomId> (rooms' records), `…:id:<_id>` (exactly it), `…:hour:<YYYY-MM-DDTHH>` (the audit's
 *   pages walk hours newest first, one hour in memory at a time), `…:job:<jobId>` (a job's records);
 * - per hour with records, a marker (HOURS, `…:hours:<hour>`), so the audit knows which hours to read;
 * - per room with records, an index entry (ROOMS, ROOM <roomId>) holding how many records retention trimmed;
 * - per closed hour, a tally (`…:tally:<hour>`) of its records by room, actor and operation, so counting a page's
 *   `total` reads one small record per hour instead of the hour's records; trimming an hour drops its tally.
 * - per record whose system message was seen, a claim (`…:observes:<_id>`, with the record's other associations but
 *   its id, so every read of records brings it along and a rewrite of the record by its id never touches it): the
 *   record is then visible and observed whatever else writes the record (its confirmation, on any instance);
 * - per bulk batch, one list of the rooms it recorded (ROOMS, `…:rooms:list:<key>`) instead of one entry per room.
 * Records made before 0.3.0 (LEGACY, `group-admin-history:<roomId>:<seq>`) are moved to this layout when first read.
 */
const KIND = 'group-admin-record';
const HOURS = `${KIND}-hours`;
const ROOMS = `${KIND}-rooms`;
const LEGACY = 'group-admin-history';

function misc(id: string): RocketChatAssociationRecord {
    return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, id);
}

function roomAssociation(roomId: string): RocketChatAssociationRecord {
    return new RocketChatAssociationRecord(RocketChatAssociationModel.ROOM, roomId);
}

function idAssociation(id: string): RocketChatAssociationRecord {
    return misc(`${KIND}:id:${id}`);
}

function hourAssociation(hour: string): RocketChatAssociationRecord {
    return misc(`${KIND}:hour:${hour}`);
}

function observesAssociation(id: string): RocketChatAssociationRecord {
    return misc(`${KIND}:observes:${id}`);
}

function tallyAssociation(hour: string): RocketChatAssociationRecord {
    return misc(`${KIND}:tally:${hour}`);
}

/** The hour a time falls in, UTC: `2026-12-07T16`. */
function hourOf(at: string): string {
    return at.slice(0, 13);
}

function associationsOf(record: StoredRecord, claim = false): Array<RocketChatAssociationRecord> {
    const list = [misc(KIND), claim ? observesAssociation(record._id) : idAssociation(record._id), hourAssociation(hourOf(record.at))];
    if (record.roomId) {
        list.push(roomAssociation(record.roomId));
    }
    if (record.jobId) {
        list.push(misc(`${KIND}:job:${record.jobId}`));
    }
    return list;
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

function newId(): string {
    return randomBytes(12).toString('hex');
}

function isStoredRecord(value: unknown): value is StoredRecord {
    if (!value || typeof value !== 'object') {
        return false;
    }
    const record = value as Partial<StoredRecord>;
    return typeof record.seq === 'number' && typeof record.roomId === 'string' && typeof record.operation === 'string' && typeof record.at === 'string';
}

/** A system message's claim of a record (see the layout above). */
interface StoredClaim {
    readonly observes: string;
}

function isClaim(value: unknown): value is StoredClaim {
    return !!value && typeof value === 'object' && typeof (value as Partial<StoredClaim>).observes === 'string';
}

/**
 * The records among what a read answered, each with its claim applied: a claimed record is visible (its system
 * message proved the change made) and observed (never claimed a second time).
 */
function resolved(found: ReadonlyArray<unknown>): Array<StoredRecord> {
    const claimed = new Set(found.filter(isClaim).map((claim) => claim.observes));
    return found
        .filter(isStoredRecord)
        .map(withId)
        .map((record) => (claimed.has(record._id) ? observedOf(record) : record));
}

function observedOf(record: StoredRecord): StoredRecord {
    const { pending: _pending, ...rest } = record;
    return { ...rest, observed: true };
}

/** A record made before 0.3.0 has no `_id`: it gets one from what identifies it, the same on every instance. */
function withId(record: StoredRecord): StoredRecord {
    return typeof record._id === 'string' && record._id ? record : { ...record, _id: `legacy-${record.roomId}-${record.seq}` };
}

/** What readers get: the record without the store's bookkeeping. */
function publicRecord(stored: StoredRecord): ChangeRecord {
    const { _id, roomId, roomName, operation, from, to, fromUnknown, actor, door, at, jobId, undoes } = stored;
    return {
        _id,
        roomId,
        roomName,
        operation,
        from,
        to,
        ...(fromUnknown ? { fromUnknown } : {}),
        actor: { _id: actor._id, username: actor.username },
        door,
        at,
        ...(jobId ? { jobId } : {}),
        ...(undoes ? { undoes } : {}),
    };
}

/** Newest first, each `_id` once (two instances moving the same old record both write it). */
function newestFirst(records: Array<StoredRecord>): Array<StoredRecord> {
    const seen = new Set<string>();
    return records
        .sort((a, b) => b.seq - a.seq)
        .filter((record) => {
            if (seen.has(record._id)) {
                return false;
            }
            seen.add(record._id);
            return true;
        });
}

/** Hours this process already marked (a marker is an upsert: writing it again is harmless, only wasted). */
const markedHours = new Set<string>();
/** Rooms this process already put in the room index. */
const indexedRooms = new Set<string>();

async function markHour(persistence: IPersistence, hour: string): Promise<void> {
    if (markedHours.has(hour)) {
        return;
    }
    await persistence.updateByAssociations([misc(HOURS), misc(`${HOURS}:${hour}`)], { hour }, true);
    markedHours.add(hour);
}

interface RoomIndexEntry {
    readonly roomId: string;
    readonly trimmed: number;
}

function roomIndexAssociations(roomId: string): Array<RocketChatAssociationRecord> {
    return [misc(ROOMS), roomAssociation(roomId)];
}

async function readRoomIndex(reader: IPersistenceRead, roomId: string): Promise<RoomIndexEntry | undefined> {
    const found = (await reader.readByAssociations(roomIndexAssociations(roomId))) as Array<Partial<RoomIndexEntry>>;
    const entry = found.find((item) => item && item.roomId === roomId);
    return entry ? { roomId, trimmed: typeof entry.trimmed === 'number' ? entry.trimmed : 0 } : undefined;
}

async function indexRoom(read: IRead, persistence: IPersistence, roomId: string): Promise<void> {
    if (!roomId || indexedRooms.has(roomId)) {
        return;
    }
    if (!(await readRoomIndex(read.getPersistenceReader(), roomId))) {
        await persistence.updateByAssociations(roomIndexAssociations(roomId), { roomId, trimmed: 0 }, true);
    }
    indexedRooms.add(roomId);
}

/**
 * The rooms a bulk batch recorded (their intents confirmed with `indexedByCaller`), put in the room index with one
 * write for the batch (`key`: the job and the batch's first room; writing it again is harmless).
 */
export async function indexRooms(persistence: IPersistence, key: string, roomIds: ReadonlyArray<string>): Promise<void> {
    const rooms = [...new Set(roomIds)].filter((roomId) => roomId !== '');
    if (!rooms.some((roomId) => !indexedRooms.has(roomId))) {
        return;
    }
    await persistence.updateByAssociations([misc(ROOMS), misc(`${ROOMS}:list:${key}`)], { roomIds: rooms }, true);
    rooms.forEach((roomId) => indexedRooms.add(roomId));
}

/** A record written into an hour that is already closed (an old record moved) makes that hour's tally stale. */
async function dropTally(persistence: IPersistence, hour: string): Promise<void> {
    await persistence.removeByAssociations([tallyAssociation(hour)]);
}

/** Writes a record; an intent does not enter the room index (its room may not exist: see `recordIntent`). */
async function writeStored(read: IRead, persistence: IPersistence, stored: StoredRecord): Promise<void> {
    const hour = hourOf(stored.at);
    await persistence.createWithAssociations(stored, associationsOf(stored));
    await markHour(persistence, hour);
    if (!stored.pending) {
        await indexRoom(read, persistence, stored.roomId);
    }
    if (hour < hourOf(new Date().toISOString())) {
        await dropTally(persistence, hour);
    }
}

/** Records made before 0.3.0 of one room (or of every room), moved to the current layout with their stable `_id`. */
async function moveLegacy(read: IRead, persistence: IPersistence, roomId?: string): Promise<void> {
    const wanted = roomId ? [roomAssociation(roomId), misc(LEGACY)] : [misc(LEGACY)];
    const legacy = (await read.getPersistenceReader().readByAssociations(wanted)).filter(isStoredRecord);
    for (const old of legacy) {
        const record = withId(old);
        await writeStored(read, persistence, record);
        await persistence.removeByAssociations([misc(`${LEGACY}:${old.roomId}:${old.seq}`)]);
    }
}

/** Every stored record of a room, newest first, each once (a room holds at most `history_limit` plus intents). */
async function readRoomStored(read: IRead, roomId: string): Promise<Array<StoredRecord>> {
    const reader = read.getPersistenceReader();
    const [current, legacy] = await Promise.all([reader.readByAssociations([roomAssociation(roomId), misc(KIND)]), reader.readByAssociations([roomAssociation(roomId), misc(LEGACY)])]);
    return newestFirst(resolved([...current, ...legacy]));
}

/**
 * How many visible records each room holds, as far as this process knows: set by every read of the room's records
 * here, raised by every record written here. A room is read (and trimmed) only when that count passes the limit, not
 * on every write. Another instance's writes are not counted here, so a room may hold more than `history_limit`
 * records (at most the limit more per instance) until a count passes it: readers never show more than the limit and
 * count the surplus as trimmed ({@link readHistory}), and the next trim removes it.
 */
const roomCounts = new Map<string, number>();

/** One more visible record in the room (written here): trimmed when the count passes the limit. */
async function counted(read: IRead, persistence: IPersistence, roomId: string): Promise<void> {
    if (!roomId) {
        return;
    }
    const count = (roomCounts.get(roomId) || 0) + 1;
    roomCounts.set(roomId, count);
    const limit = await historyLimit(read);
    if (count > limit) {
        await trimRoom(read, persistence, roomId, limit);
    }
}

/** An intent older than this that was never confirmed belongs to a write that never finished (a crash): ignored. */
export const INTENT_TTL_MS = 10 * 60 * 1000;

function visible(record: StoredRecord): boolean {
    return !record.pending;
}

/**
 * Removes the room's records beyond the newest `limit` (oldest first) and counts them in the room's `trimmed`.
 * Intents are not counted against the limit; an intent abandoned long ago is removed.
 */
async function trimRoom(read: IRead, persistence: IPersistence, roomId: string, limit: number, known?: ReadonlyArray<StoredRecord>): Promise<void> {
    if (!roomId) {
        return;
    }
    const all = known || (await readRoomStored(read, roomId));
    roomCounts.set(roomId, Math.min(limit, all.filter(visible).length));
    const abandonedBefore = Date.now() * 1000 - INTENT_TTL_MS * 1000;
    const extra = [...all.filter(visible).slice(limit), ...all.filter((record) => record.pending && record.seq < abandonedBefore)];
    if (!extra.length) {
        return;
    }
    let trimmed = 0;
    const hours = new Set<string>();
    for (const old of extra) {
        const removed = await persistence.removeByAssociations([idAssociation(old._id)]);
        if (old.observed) {
            await persistence.removeByAssociations([observesAssociation(old._id)]);
        }
        const legacyRemoved = old._id.startsWith('legacy-') ? await persistence.removeByAssociations([misc(`${LEGACY}:${old.roomId}:${old.seq}`)]) : undefined;
        if (!old.pending && ((removed && removed.length) || (legacyRemoved && legacyRemoved.length))) {
            trimmed++;
        }
        hours.add(hourOf(old.at));
    }
    for (const hour of hours) {
        await dropTally(persistence, hour);
    }
    if (trimmed) {
        const entry = await readRoomIndex(read.getPersistenceReader(), roomId);
        await persistence.updateByAssociations(roomIndexAssociations(roomId), { roomId, trimmed: (entry ? entry.trimmed : 0) + trimmed }, true);
    }
}

function storedOf(change: NewChange, pending: boolean): StoredRecord {
    const seq = nextSeq();
    return {
        _id: newId(),
        roomId: change.roomId,
        roomName: change.roomName,
        operation: change.operation,
        from: change.from,
        to: change.to,
        ...(change.fromUnknown ? { fromUnknown: true as const } : {}),
        actor: { _id: change.actor._id, username: change.actor.username },
        door: change.door,
        at: new Date(Math.floor(seq / 1000)).toISOString(),
        ...(change.jobId ? { jobId: change.jobId } : {}),
        ...(change.undoes ? { undoes: change.undoes } : {}),
        seq,
        ...(pending ? { pending: true } : {}),
    };
}

/**
 * Records one change that Rocket.Chat accepted (never call it for a failed write or a dry run). Each change is its
 * own persisted record with its place in the order, so concurrent changes never overwrite each other; records
 * beyond the room's newest `history_limit` are removed afterwards (and counted). Answers the record.
 *
 * A change the app asks Rocket.Chat for should rather be recorded with {@link recordIntent} before the write, so its
 * system message is never recorded a second time.
 */
export async function recordChange(read: IRead, persistence: IPersistence, change: NewChange): Promise<ChangeRecord> {
    const stored = storedOf(change, false);
    await writeStored(read, persistence, stored);
    await counted(read, persistence, change.roomId);
    await ensureHistoryLimitApplied(read, persistence);
    return publicRecord(stored);
}

/**
 * The key under which this process updates a room's records one at a time (confirm, claim, drop read and rewrite a
 * record); distinct from the chat doors' room key, which is held during the whole change.
 */
function recordKey(roomId: string): string {
    return `history-record:${roomId}`;
}

/** A change the app is about to ask Rocket.Chat for: its `_id` is known before the write. */
export interface Intent {
    readonly _id: string;
    readonly roomId: string;
    readonly operation: AuditOperation;
    /** The intent as written: its confirmation rewrites it without reading it back. */
    readonly stored?: Readonly<Record<string, unknown>>;
}

/**
 * This process's intents not claimed yet, by room: a system message of this process's own change is claimed without
 * reading the room's records (each is forgotten when claimed, dropped, or `INTENT_TTL_MS` old).
 */
const openIntents = new Map<string, Array<StoredRecord>>();

function rememberIntent(stored: StoredRecord): void {
    const since = (Date.now() - INTENT_TTL_MS) * 1000;
    if (openIntents.size >= 1000) {
        // Rooms whose system message never came here (another instance claimed them): forget what is past its time.
        for (const [roomId, list] of openIntents) {
            const current = list.filter((record) => record.seq >= since);
            if (current.length) {
                openIntents.set(roomId, current);
            } else {
                openIntents.delete(roomId);
            }
        }
    }
    const list = (openIntents.get(stored.roomId) || []).filter((record) => record.seq >= since);
    list.push(stored);
    openIntents.set(stored.roomId, list);
}

/** Intents this process claimed (their claim written), until confirmed or dropped. */
const claimedHere = new Set<string>();

function forgetIntent(roomId: string, id: string): void {
    const list = (openIntents.get(roomId) || []).filter((record) => record._id !== id);
    if (list.length) {
        openIntents.set(roomId, list);
    } else {
        openIntents.delete(roomId);
    }
}

/**
 * Writes the change the app is about to ask Rocket.Chat for, before the write (interface.md §9): a system message
 * that arrives before the app heard Rocket.Chat's answer — on any instance — finds it and is not recorded again.
 * Then exactly one of {@link confirmIntent} (Rocket.Chat accepted it) or {@link dropIntent} (it did not). The room
 * need not exist (the HTTP door writes one for every forwarded change, so that a hidden room and a missing one cost
 * the same): an intent enters the room index only when confirmed or claimed.
 */
export async function recordIntent(read: IRead, persistence: IPersistence, change: NewChange): Promise<Intent> {
    const stored = storedOf(change, true);
    await writeStored(read, persistence, stored);
    rememberIntent(stored);
    return { _id: stored._id, roomId: stored.roomId, operation: stored.operation, stored: { ...stored } };
}

async function readById(read: IRead, id: string): Promise<StoredRecord | undefined> {
    const reader = read.getPersistenceReader();
    const [records, claims] = await Promise.all([reader.readByAssociations([idAssociation(id)]), reader.readByAssociations([observesAssociation(id)])]);
    return resolved([...records, ...claims]).sort((a, b) => b.seq - a.seq)[0];
}

async function rewrite(persistence: IPersistence, stored: StoredRecord): Promise<void> {
    await persistence.updateByAssociations([idAssociation(stored._id)], stored, false);
}

/**
 * Rocket.Chat accepted the intended change: the record becomes visible, with what is now known of it (the state
 * before and after as Rocket.Chat answered, the room's name). Answers the record.
 */
export async function confirmIntent(
    read: IRead,
    persistence: IPersistence,
    intent: Intent,
    known: Partial<Pick<ChangeRecord, 'roomName' | 'from' | 'to'>> = {},
    options: { readonly indexedByCaller?: boolean } = {},
): Promise<ChangeRecord | undefined> {
    const confirmed = await serialized(recordKey(intent.roomId), async () => {
        // The intent as written (or, from an older caller, as read back): rewritten by its id alone, which its claim
        // does not carry, so a claim written meanwhile on any instance stays.
        const stored = isStoredRecord(intent.stored) ? withId(intent.stored) : await readById(read, intent._id);
        const claimedFirst = claimedHere.delete(intent._id);
        if (!stored) {
            return undefined;
        }
        const { pending: _pending, ...rest } = stored;
        const updated: StoredRecord = { ...rest, ...known };
        // Claimed here already (its claim written: visible and observed) with what the confirmation knows: no write.
        const same = (Object.keys(known) as Array<keyof typeof known>).every((key) => known[key] === stored[key]);
        if (!(claimedFirst && same)) {
            await rewrite(persistence, updated);
        }
        return updated;
    });
    if (!confirmed) {
        return undefined;
    }
    if (!options.indexedByCaller) {
        await indexRoom(read, persistence, confirmed.roomId);
    }
    await counted(read, persistence, intent.roomId);
    return publicRecord(confirmed);
}

/**
 * Rocket.Chat refused (or nothing changed): the intent is removed, as if never written — unless its system message
 * already claimed it (then Rocket.Chat made the change, whatever the app heard back, and the record stays).
 */
export async function dropIntent(read: IRead, persistence: IPersistence, intent: Intent): Promise<void> {
    await serialized(recordKey(intent.roomId), async () => {
        const stored = await readById(read, intent._id);
        if (stored && !stored.observed) {
            await persistence.removeByAssociations([idAssociation(intent._id)]);
        }
        forgetIntent(intent.roomId, intent._id);
        claimedHere.delete(intent._id);
    });
}

/** Who a system message names as the actor, and the service account the chat doors and jobs write as. */
export interface MessageSender {
    readonly senderId: string;
    readonly serviceUserId: string;
}

/**
 * Whether the app's record could be the change a system message reports: Rocket.Chat names the account that made the
 * request — the caller for the HTTP door (their request was forwarded), the service account for every other door.
 */
function madeBy(record: StoredRecord, sender: MessageSender): boolean {
    if (record.door === 'endpoint') {
        return record.actor._id === sender.senderId;
    }
    return !!sender.serviceUserId && sender.senderId === sender.serviceUserId;
}

/**
 * A system message of a change (operation, room, new state) arrived: the app's own record of it, if the app made
 * that change within `INTENT_TTL_MS`, as the account the message names, and no earlier message claimed it — claimed
 * now (`observed`). An intent so claimed is confirmed too: Rocket.Chat made the change, whatever became of the app's
 * wait for its answer. Answers undefined when the change was not the app's: the caller records it from the message.
 * `to` undefined: any new state (a state the message does not tell).
 */
export async function claimOwnChange(read: IRead, persistence: IPersistence, roomId: string, operation: ChangeOperation, to: unknown, sender: MessageSender): Promise<ChangeRecord | undefined> {
    return serialized(recordKey(roomId), () => claim(read, persistence, roomId, operation, to, sender));
}

async function claim(read: IRead, persistence: IPersistence, roomId: string, operation: ChangeOperation, to: unknown, sender: MessageSender): Promise<ChangeRecord | undefined> {
    const since = (Date.now() - INTENT_TTL_MS) * 1000;
    const candidate = (record: StoredRecord): boolean =>
        record.operation === operation && !record.observed && record.door !== 'rocket.chat' && record.seq >= since && (to === undefined || record.to === to) && madeBy(record, sender);
    // This process's own intent of the room (oldest first), without a read; otherwise the room's records, read.
    let mine = (openIntents.get(roomId) || []).find(candidate);
    const own = !!mine;
    if (!mine) {
        const all = await readRoomStored(read, roomId);
        const candidates = all.filter(candidate);
        // The oldest unclaimed one: Rocket.Chat applies (and reports) changes of a room in the order it received them.
        mine = candidates[candidates.length - 1];
        // The read counts the room's records: trimmed now if they pass the limit (no second read).
        const limit = await historyLimit(read);
        const claimedNow = all.map((record) => (record === mine ? observedOf(record) : record));
        if (claimedNow.filter(visible).length > limit) {
            await trimRoom(read, persistence, roomId, limit, claimedNow);
        } else {
            roomCounts.set(roomId, all.filter(visible).length);
        }
    }
    if (!mine) {
        return undefined;
    }
    const claimed = observedOf(mine);
    await persistence.createWithAssociations({ observes: claimed._id, roomId: claimed.roomId, seq: claimed.seq }, associationsOf(claimed, true));
    forgetIntent(roomId, claimed._id);
    if (own) {
        // Its confirmation, on this process, then has nothing left to write.
        claimedHere.add(claimed._id);
    }
    return publicRecord(claimed);
}

/** One page of records, newest first, how many match, and how many of the room's records retention removed. */
export interface HistoryPage {
    readonly records: ReadonlyArray<ChangeRecord>;
    readonly total: number;
    readonly trimmed: number;
}

/** How many records retention removed from a room (0 when none, or the room has no records). */
export async function trimmedCount(read: IRead, roomId: string): Promise<number> {
    const entry = await readRoomIndex(read.getPersistenceReader(), roomId);
    return entry ? entry.trimmed : 0;
}

/** The room's recorded changes, newest first: `count` of them from `offset`. Records made before 0.3.0 move here. */
export async function readHistory(read: IRead, roomId: string, offset = 0, count = HISTORY_LIMIT, persistence?: IPersistence): Promise<HistoryPage> {
    if (persistence) {
        await moveLegacy(read, persistence, roomId);
    }
    const limit = await historyLimit(read);
    const stored = await readRoomStored(read, roomId);
    const every = stored.filter(visible);
    // Records past the limit not removed yet (written on another instance since this one last counted) are not shown
    // and count as trimmed; with persistence at hand they are removed now.
    const surplus = Math.max(0, every.length - limit);
    if (persistence && surplus) {
        await trimRoom(read, persistence, roomId, limit, stored);
        const all = every.slice(0, limit);
        return { records: all.slice(offset, offset + count).map(publicRecord), total: all.length, trimmed: await trimmedCount(read, roomId) };
    }
    roomCounts.set(roomId, Math.min(limit, every.length));
    const all = every.slice(0, limit);
    return { records: all.slice(offset, offset + count).map(publicRecord), total: all.length, trimmed: (await trimmedCount(read, roomId)) + surplus };
}

/** The newest recorded change of the room by `operation`, if any. */
export async function lastChange(read: IRead, roomId: string, operation: ChangeOperation): Promise<ChangeRecord | undefined> {
    const found = (await readRoomStored(read, roomId)).find((stored) => visible(stored) && stored.operation === operation);
    return found ? publicRecord(found) : undefined;
}

/** One record by its `_id` (an intent too, until it is confirmed or dropped: `pending` says so). */
export async function readRecord(read: IRead, id: string): Promise<(ChangeRecord & { readonly pending: boolean }) | undefined> {
    const found = await readById(read, id);
    return found ? { ...publicRecord(found), pending: !!found.pending } : undefined;
}

const APPLIED_LIMIT = `${KIND}-applied-limit`;

/**
 * The limit in force is applied to every room once after it was lowered: Rocket.Chat gives `onSettingUpdated` no
 * persistence, so the next write or audit read (on any instance) notices that the limit is below the one last
 * applied (kept in persistence) and trims every room.
 */
export async function ensureHistoryLimitApplied(read: IRead, persistence: IPersistence): Promise<void> {
    const limit = await historyLimit(read);
    if (limitApplied === limit) {
        // This process applied (or found applied) this limit: only a change of the setting makes it look again.
        return;
    }
    const stored = (await read.getPersistenceReader().readByAssociation(misc(APPLIED_LIMIT))) as Array<{ limit?: unknown }>;
    const applied = stored.map((item) => item && item.limit).find((value): value is number => typeof value === 'number');
    if (applied !== limit) {
        if (applied !== undefined && limit < applied) {
            await applyHistoryLimit(read, persistence, limit);
        }
        await persistence.updateByAssociations([misc(APPLIED_LIMIT)], { limit }, true);
    }
    limitApplied = limit;
}

/** The limit this process last saw applied to every room. */
let limitApplied: number | undefined;

/** `history_limit` was lowered: every room keeps only its newest `limit` records now (counted as trimmed). */
export async function applyHistoryLimit(read: IRead, persistence: IPersistence, limit: number): Promise<void> {
    const rooms = (await read.getPersistenceReader().readByAssociation(misc(ROOMS))) as Array<Partial<RoomIndexEntry> & { roomIds?: unknown }>;
    const ids = new Set(
        rooms.flatMap((entry) => (entry && Array.isArray(entry.roomIds) ? entry.roomIds : [entry && entry.roomId])).filter((id): id is string => typeof id === 'string' && id !== ''),
    );
    for (const roomId of ids) {
        await trimRoom(read, persistence, roomId, limit);
    }
}

/** What the audit is asked for (interface.md §9); times are ISO 8601, already checked. */
export interface AuditFilter {
    readonly since?: string;
    readonly until?: string;
    readonly roomId?: string;
    /** A username or a user id. */
    readonly actor?: string;
    readonly operation?: AuditOperation;
}

function matches(record: StoredRecord, filter: AuditFilter): boolean {
    return (
        visible(record) &&
        (!filter.roomId || record.roomId === filter.roomId) &&
        (!filter.actor || record.actor._id === filter.actor || record.actor.username === filter.actor) &&
        (!filter.operation || record.operation === filter.operation) &&
        (!filter.since || record.at >= filter.since) &&
        (!filter.until || record.at <= filter.until)
    );
}

/** An hour's records by room, actor and operation: [roomId, actor id, username, operation, count]. */
type TallyRow = [string, string, string, string, number];
interface Tally {
    readonly hour: string;
    readonly rows: ReadonlyArray<TallyRow>;
}

function tallyOf(hour: string, records: ReadonlyArray<StoredRecord>): Tally {
    const counts = new Map<string, TallyRow>();
    for (const record of records.filter(visible)) {
        const key = JSON.stringify([record.roomId, record.actor._id, record.actor.username, record.operation]);
        const row = counts.get(key);
        if (row) {
            row[4]++;
        } else {
            counts.set(key, [record.roomId, record.actor._id, record.actor.username, record.operation, 1]);
        }
    }
    return { hour, rows: [...counts.values()] };
}

function countInTally(tally: Tally, filter: AuditFilter): number {
    return tally.rows
        .filter(([roomId, actorId, username, operation]) => (!filter.roomId || roomId === filter.roomId) && (!filter.actor || actorId === filter.actor || username === filter.actor) && (!filter.operation || operation === filter.operation))
        .reduce((sum, row) => sum + row[4], 0);
}

/** An hour's records (of one room when the filter names it), newest first. */
async function readHour(read: IRead, hour: string, filter: AuditFilter): Promise<Array<StoredRecord>> {
    const wanted = [hourAssociation(hour), misc(KIND), ...(filter.roomId ? [roomAssociation(filter.roomId)] : [])];
    return newestFirst(resolved(await read.getPersistenceReader().readByAssociations(wanted)));
}

/** A closed hour wholly inside the filter's time range is counted from its tally (written on first need). */
async function countHour(read: IRead, persistence: IPersistence, hour: string, filter: AuditFilter, closedBefore: string): Promise<{ count: number; records?: Array<StoredRecord> }> {
    const whole = (!filter.since || hourOf(filter.since) < hour) && (!filter.until || hourOf(filter.until) > hour);
    if (whole && hour < closedBefore) {
        const stored = (await read.getPersistenceReader().readByAssociations([tallyAssociation(hour)])) as Array<Partial<Tally>>;
        const tally = stored.find((item) => item && item.hour === hour && Array.isArray(item.rows)) as Tally | undefined;
        if (tally) {
            return { count: countInTally(tally, filter) };
        }
        const all = await readHour(read, hour, {});
        await persistence.updateByAssociations([tallyAssociation(hour)], tallyOf(hour, all), true);
        const records = all.filter((record) => matches(record, filter));
        return { count: records.length, records };
    }
    const records = (await readHour(read, hour, filter)).filter((record) => matches(record, filter));
    return { count: records.length, records };
}

/**
 * One page of the workspace's records, newest first (interface.md §9), without holding more than one hour of records
 * in memory: the hours with records are walked newest first, closed hours counted from their tallies, and only the
 * hours the page falls in are read. `trimmed`: records retention removed (of the room, or of every room).
 */
export async function readAudit(read: IRead, persistence: IPersistence, filter: AuditFilter, offset: number, count: number): Promise<HistoryPage> {
    await moveLegacy(read, persistence);
    await ensureHistoryLimitApplied(read, persistence);
    const markers = (await read.getPersistenceReader().readByAssociation(misc(HOURS))) as Array<{ hour?: unknown }>;
    const hours = [...new Set(markers.map((marker) => marker && marker.hour).filter((hour): hour is string => typeof hour === 'string'))]
        .filter((hour) => (!filter.since || hour >= hourOf(filter.since)) && (!filter.until || hour <= hourOf(filter.until)))
        .sort()
        .reverse();
    // An hour is closed (no record can be added to it any more) ten minutes after it ends: clocks of instances differ.
    const closedBefore = hourOf(new Date(Date.now() - 70 * 60 * 1000).toISOString());
    const page: Array<ChangeRecord> = [];
    let skip = offset;
    let total = 0;
    for (const hour of hours) {
        const counted = await countHour(read, persistence, hour, filter, closedBefore);
        total += counted.count;
        if (page.length >= count || skip >= counted.count) {
            skip = page.length >= count ? skip : skip - counted.count;
            continue;
        }
        const records = counted.records || (await readHour(read, hour, filter)).filter((record) => matches(record, filter));
        page.push(...records.slice(skip, skip + count - page.length).map(publicRecord));
        skip = 0;
    }
    return { records: page, total, trimmed: await trimmedOf(read, filter.roomId) };
}

async function trimmedOf(read: IRead, roomId?: string): Promise<number> {
    if (roomId) {
        return trimmedCount(read, roomId);
    }
    const rooms = (await read.getPersistenceReader().readByAssociation(misc(ROOMS))) as Array<Partial<RoomIndexEntry>>;
    return rooms.reduce((sum, entry) => sum + (entry && typeof entry.trimmed === 'number' ? entry.trimmed : 0), 0);
}

/** Forget what this process remembers of the store (tests). */
export function forgetStoreMemory(): void {
    markedHours.clear();
    indexedRooms.clear();
    roomCounts.clear();
    openIntents.clear();
    claimedHere.clear();
    limitApplied = undefined;
}
