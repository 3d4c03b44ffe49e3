import { AppError } from '../errors/AppError';
import type { WorkspaceGateway } from '../workspace/gateway';
import { AnswerTimes } from './answerTimes';

/** Permission id → roles that hold it. */
export type PermissionTable = ReadonlyMap<string, ReadonlyArray<string>>;

export const PERMISSIONS_PATH = '/api/v1/permissions.listAll';

/**
 * How far before its watermark the next read starts (`updatedSince`). The watermark is the newest change Rocket.Chat
 * reported, but never later than the time the last read was answered (Rocket.Chat's `Date` header, else the app's
 * clock when it asked): one document stamped in the future (a restore or import with a bad clock, a server clock
 * stepped back, an instance whose clock runs ahead) would otherwise push every later read past the changes made
 * meanwhile, for good. Rocket.Chat answers changes strictly after `updatedSince`; a change stamped in the same
 * millisecond as the watermark, or a little earlier by an instance whose clock lags, is therefore read again rather
 * than missed (the `Date` header has whole seconds: it is at most 1 s early). Reading a change twice is harmless
 * (merging is idempotent).
 */
export const UPDATED_SINCE_MARGIN_MS = 10000;

/**
 * The longest time between two full reads (by the app's clock). Clocks of Rocket.Chat instances that disagree by more
 * than the margin can still hide a change from the reads `updatedSince` (an instance an hour ahead answers and stamps,
 * another one on time changes a permission); a full read at least this often bounds how long such a change can go
 * unseen. A full read is one round trip too, only a bigger answer.
 */
export const FULL_READ_INTERVAL_MS = 5 * 60 * 1000;

interface Known {
    readonly table: Map<string, ReadonlyArray<string>>;
    /** The newest Rocket.Chat timestamp seen (ms); undefined when no answer carried one. */
    newest?: number;
    /** When the read that made this state was answered (ms): Rocket.Chat's `Date` header, else the app's clock when it asked. */
    readonly answeredAt: number;
    /** When the last full read was asked for, by the app's clock (ms). */
    readonly fullReadAt: number;
    /** The read whose answer made this state (reads are numbered as they start). */
    readNumber: number;
}

/** Numbers reads as they start, so that an answer overtaken by a later read never overwrites it. */
let reads = 0;

/** Module memory, keyed by workspace base URL + service user id: the table as last read, kept current. */
const memory = new Map<string, Known>();

interface Entry {
    readonly id: string;
    /** Rocket.Chat's `_updatedAt` / `_deletedAt` in ms, when it sent a valid one. */
    readonly at?: number;
}

interface Update extends Entry {
    readonly roles: ReadonlyArray<string>;
}

interface Answer {
    readonly update: ReadonlyArray<Update>;
    readonly remove: ReadonlyArray<Entry>;
}

function timeOf(value: unknown): number | undefined {
    if (typeof value !== 'string' && typeof value !== 'number' && !(value instanceof Date)) {
        return undefined;
    }
    const ms = new Date(value).getTime();
    return isNaN(ms) ? undefined : ms;
}

/** `{ update: [{ _id, roles, _updatedAt }], remove: [{ _id, _deletedAt }] }`, or undefined when it is not that. */
function parseAnswer(data: unknown): Answer | undefined {
    if (!data || typeof data !== 'object') {
        return undefined;
    }
    const { update, remove } = data as { update?: unknown; remove?: unknown };
    if (!Array.isArray(update) || (remove !== undefined && !Array.isArray(remove))) {
        return undefined;
    }
    const updates: Update[] = [];
    for (const doc of update as unknown[]) {
        const { _id, roles, _updatedAt } = (doc && typeof doc === 'object' ? doc : {}) as { _id?: unknown; roles?: unknown; _updatedAt?: unknown };
        if (typeof _id !== 'string' || !Array.isArray(roles)) {
            return undefined;
        }
        updates.push({ id: _id, roles: roles.filter((role): role is string => typeof role === 'string'), at: timeOf(_updatedAt) });
    }
    const removes: Entry[] = [];
    for (const doc of (remove || []) as unknown[]) {
        const { _id, _deletedAt } = (doc && typeof doc === 'object' ? doc : {}) as { _id?: unknown; _deletedAt?: unknown };
        if (typeof _id !== 'string') {
            return undefined;
        }
        removes.push({ id: _id, at: timeOf(_deletedAt) });
    }
    return { update: updates, remove: removes };
}

/**
 * Applies one answer. Rocket.Chat answers each document as it is now: an id in `update` exists with those roles (even
 * when `remove` also lists it: deleted, then created again), an id only in `remove` is gone. Applying an answer twice
 * changes nothing.
 */
function merge(known: Known, answer: Answer): void {
    const stamps: number[] = [];
    for (const entry of answer.remove) {
        known.table.delete(entry.id);
        if (entry.at !== undefined) {
            stamps.push(entry.at);
        }
    }
    for (const entry of answer.update) {
        known.table.set(entry.id, entry.roles);
        if (entry.at !== undefined) {
            stamps.push(entry.at);
        }
    }
    if (stamps.length) {
        known.newest = Math.max(known.newest ?? -Infinity, ...stamps);
    }
}

/**
 * `updatedSince` of a read asked for at `now` (the app's clock): the newest change Rocket.Chat reported, capped at
 * the time the last read was answered, minus the margin. Undefined (a full read) when nothing is known, when no
 * answer carried a timestamp, when the last full read is `FULL_READ_INTERVAL_MS` old, or when the app's clock went
 * back since it.
 */
function sinceOf(known: Known | undefined, now: number): string | undefined {
    if (!known || known.newest === undefined || now < known.fullReadAt || now - known.fullReadAt >= FULL_READ_INTERVAL_MS) {
        return undefined;
    }
    return new Date(Math.min(known.newest, known.answeredAt) - UPDATED_SINCE_MARGIN_MS).toISOString();
}

/** Why the table could not be read, for the log (no secret in it). */
export type UnreadableTable = (why: string) => void;

/**
 * The workspace's permission table, brought up to date on every call: `GET /api/v1/permissions.listAll` as the
 * service account, with `updatedSince` once a table is known (its `update` merged, its `remove` dropped), a full read
 * otherwise and at least every `FULL_READ_INTERVAL_MS`. A permission granted or revoked in Rocket.Chat therefore
 * applies to the very next operation. The time of the answer is its `Date` header when the gateway has answer
 * times attached (`AnswerTimes`, as every operation context's has); otherwise the app's clock when it asked.
 *
 * Fails closed: when the table cannot be read (no answer, a timeout, a 5xx, any other status, an unexpected body),
 * nothing can be decided and `permissions-unavailable` is thrown — never a stale table, never Rocket.Chat's
 * defaults. A missing configuration or rejected credentials keep their own errors.
 */
export async function loadPermissionTable(gateway: WorkspaceGateway, unreadable: UnreadableTable = () => undefined): Promise<PermissionTable> {
    const { baseUrl, userId } = await gateway.getConfig();
    const key = `${baseUrl}\n${userId}`;
    const known = memory.get(key);
    const requestedAt = Date.now();
    const since = sinceOf(known, requestedAt);
    const readNumber = ++reads;
    const url = baseUrl + PERMISSIONS_PATH;
    const answers = AnswerTimes.of(gateway);
    // Forget the time of any earlier answer from the same URL: only this read's answer counts.
    answers?.take(url);
    let answer: Answer | undefined;
    let answeredAt = requestedAt;
    let why: string;
    try {
        const read = await gateway.read(PERMISSIONS_PATH, since ? { updatedSince: since } : {});
        answeredAt = answers?.take(url) ?? requestedAt;
        answer = read.status === 200 ? parseAnswer(read.data) : undefined;
        why = read.status === 200 ? 'an unexpected answer' : `HTTP ${read.status}`;
    } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'workspace-request-failed') {
            throw error;
        }
        why = 'no answer, or a server error';
    }
    if (!answer) {
        unreadable(`${PERMISSIONS_PATH} could not be read (${why}): nothing is decided until it can be read again`);
        throw new AppError('permissions-unavailable');
    }
    // A full read replaces what was known; a partial one is merged into what it was asked against.
    const result: Known =
        known && since
            ? { table: new Map(known.table), newest: known.newest, answeredAt, fullReadAt: known.fullReadAt, readNumber }
            : { table: new Map(), answeredAt, fullReadAt: requestedAt, readNumber };
    merge(result, answer);
    const current = memory.get(key);
    if (!current || current.readNumber < readNumber) {
        // Kept unless a read that started later has already answered (this answer may be older than that one).
        memory.set(key, result);
    }
    return new Map(result.table);
}

/** Forgets every table read so far (the service account or the server URL changed; tests). */
export function clearPermissionCache(): void {
    memory.clear();
}
