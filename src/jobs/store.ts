import type { IPersistence, IPersistenceRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { Receipt, StoredJob } from './types';

/**
 * Jobs and receipts in the app's persistence (interface.md §8): every instance of Rocket.Chat running the app sees
 * the same jobs, and a job survives a restart, an update, a disable and enable. Every write is an upsert of one
 * record named by its associations, so a step that runs twice writes the same record twice, never two records.
 */
const PREFIX = 'group-admin-job';

const misc = (id: string): RocketChatAssociationRecord => new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, id);

/** Every job of the workspace. */
const ALL_JOBS = misc(`${PREFIX}s`);

const jobKey = (jobId: string) => misc(`${PREFIX}:${jobId}`);
const jobsOf = (userId: string) => misc(`${PREFIX}s-of:${userId}`);
const roomsKey = (jobId: string) => misc(`${PREFIX}-rooms:${jobId}`);
const cancelKey = (jobId: string) => misc(`${PREFIX}-cancel:${jobId}`);
const receiptsOf = (jobId: string) => misc(`${PREFIX}-receipts:${jobId}`);
const startLockKey = (userId: string) => misc(`${PREFIX}-start-lock:${userId}`);
const receiptChunk = (jobId: string, start: number) => misc(`${PREFIX}-receipts:${jobId}:${start}`);

function isStoredJob(value: unknown): value is StoredJob {
    const job = value as Partial<StoredJob> | undefined;
    return !!job && typeof job === 'object' && typeof job._id === 'string' && typeof job.seq === 'number' && typeof job.status === 'string';
}

/** The receipts of rooms `start`… of a job, written by the batch that decided them. */
interface ReceiptChunk {
    readonly jobId: string;
    readonly start: number;
    readonly receipts: ReadonlyArray<Receipt>;
}

function isChunk(value: unknown): value is ReceiptChunk {
    const chunk = value as Partial<ReceiptChunk> | undefined;
    return !!chunk && typeof chunk === 'object' && typeof chunk.start === 'number' && Array.isArray(chunk.receipts);
}

/** Someone creating a job now (one job per person, across instances). */
export interface StartLock {
    readonly jobId: string;
    readonly until: number;
}

export class JobStore {
    constructor(
        private readonly reader: IPersistenceRead,
        private readonly persistence?: IPersistence,
    ) {}

    private writer(): IPersistence {
        if (!this.persistence) {
            throw new Error('JobStore: this store only reads');
        }
        return this.persistence;
    }

    /** Writes the job (created or updated). */
    public async saveJob(job: StoredJob): Promise<void> {
        await this.writer().updateByAssociations([jobKey(job._id), ALL_JOBS, jobsOf(job.startedBy._id)], job, true);
    }

    public async job(jobId: string): Promise<StoredJob | undefined> {
        const found = await this.reader.readByAssociations([jobKey(jobId), ALL_JOBS]);
        return found.find(isStoredJob);
    }

    /** Every job of the workspace, oldest first. */
    public async allJobs(): Promise<Array<StoredJob>> {
        return (await this.reader.readByAssociations([ALL_JOBS])).filter(isStoredJob).sort((a, b) => a.seq - b.seq);
    }

    /** The jobs `userId` started, newest first. */
    public async jobsOf(userId: string): Promise<Array<StoredJob>> {
        return (await this.reader.readByAssociations([jobsOf(userId), ALL_JOBS])).filter(isStoredJob).sort((a, b) => b.seq - a.seq);
    }

    /** The job's rooms, fixed when it was created. */
    public async saveRooms(jobId: string, rooms: ReadonlyArray<string>): Promise<void> {
        await this.writer().updateByAssociations([roomsKey(jobId)], { jobId, rooms: [...rooms] }, true);
    }

    public async rooms(jobId: string): Promise<Array<string>> {
        const [found] = await this.reader.readByAssociations([roomsKey(jobId)]);
        const rooms = found ? (found as { rooms?: unknown }).rooms : undefined;
        return Array.isArray(rooms) ? rooms.filter((id): id is string => typeof id === 'string') : [];
    }

    /** The start lock of `userId` (who is creating a job now, until when), when one is stored. */
    public async startLock(userId: string): Promise<StartLock | undefined> {
        const [found] = await this.reader.readByAssociations([startLockKey(userId)]);
        const lock = found as Partial<StartLock> | undefined;
        return lock && typeof lock.jobId === 'string' && typeof lock.until === 'number' ? { jobId: lock.jobId, until: lock.until } : undefined;
    }

    public async saveStartLock(userId: string, lock: StartLock): Promise<void> {
        await this.writer().updateByAssociations([startLockKey(userId)], { ...lock }, true);
    }

    /** Lets the start lock go, when it is still `jobId`'s. */
    public async dropStartLock(userId: string, jobId: string): Promise<void> {
        const lock = await this.startLock(userId);
        if (lock && lock.jobId === jobId) {
            await this.writer().removeByAssociations([startLockKey(userId)]);
        }
    }

    /** Someone asked to cancel the job: it stops before its next room. */
    public async requestCancel(jobId: string, by: string): Promise<void> {
        await this.writer().updateByAssociations([cancelKey(jobId)], { jobId, by, at: new Date().toISOString() }, true);
    }

    public async cancelRequested(jobId: string): Promise<boolean> {
        return (await this.reader.readByAssociations([cancelKey(jobId)])).length > 0;
    }

    /** The receipts of the rooms from `start` on, decided by one batch (written again as they are if it runs again). */
    public async saveReceipts(jobId: string, start: number, receipts: ReadonlyArray<Receipt>): Promise<void> {
        if (receipts.length === 0) {
            return;
        }
        const chunk: ReceiptChunk = { jobId, start, receipts: [...receipts] };
        await this.writer().updateByAssociations([receiptChunk(jobId, start), receiptsOf(jobId)], chunk, true);
    }

    /** Every receipt of the job so far, in the order of its rooms (one per room: a later chunk never covers an earlier one). */
    public async receipts(jobId: string): Promise<Array<Receipt>> {
        const chunks = (await this.reader.readByAssociations([receiptsOf(jobId)])).filter(isChunk).sort((a, b) => a.start - b.start);
        const receipts: Receipt[] = [];
        for (const chunk of chunks) {
            // Chunks start where the one before ended; one written twice by a repeated batch is the same record.
            if (chunk.start === receipts.length) {
                receipts.push(...chunk.receipts);
            }
        }
        return receipts;
    }
}
