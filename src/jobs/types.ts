/** A bulk job's state (interface.md §8). */
export type JobStatus = 'queued' | 'running' | 'done' | 'cancelled' | 'failed';

/** What happened to one room of a job. */
export type ReceiptResult = 'changed' | 'unchanged' | 'refused' | 'failed' | 'skipped';

/** How the job was asked for. */
export type JobDoor = 'command' | 'endpoint';

export interface JobCounts {
    readonly changed: number;
    readonly unchanged: number;
    readonly refused: number;
    readonly failed: number;
    readonly skipped: number;
}

/** A job as the API shows it (interface.md §8). */
export interface Job extends JobCounts {
    readonly _id: string;
    readonly operation: 'setEncrypted';
    readonly to: boolean;
    readonly startedBy: { readonly _id: string; readonly username: string };
    readonly door: JobDoor;
    readonly createdAt: string;
    readonly finishedAt?: string;
    readonly status: JobStatus;
    readonly total: number;
    /** The job this one undoes (`/encrypt undo --job`, `groups.bulk.undo`). */
    readonly undoes?: string;
}

/** One room's receipt: exactly one per room of a job. `name` is empty for a room reported "not found". */
export interface Receipt {
    readonly roomId: string;
    readonly name: string;
    readonly result: ReceiptResult;
    readonly errorType?: string;
    /** Why it was refused or failed, readable (English, as REST errors are). */
    readonly reason?: string;
    readonly at: string;
}

/** What the app keeps of a job besides what it shows: its place in the queue, its run state. */
export interface StoredJob extends Job {
    /** Creation order (µs since the epoch): jobs run one at a time in this order. */
    readonly seq: number;
    /** The index in the job's room list of the next room without a receipt. */
    readonly next: number;
    /**
     * A batch that began at `next` and may have written before it could store its receipts (an instance stopped
     * mid-batch): its rooms are checked against the history before anything is written again.
     */
    readonly inflight?: number;
    /** Whoever runs the job now, until when (ms): another run waits for it to end or expire. */
    readonly lease?: { readonly token: string; readonly until: number };
    /** Paced writes: the earliest time (ms) of the next write. */
    readonly nextWriteAt?: number;
    /** Batches in a row that could not read the permission table or reach the workspace. */
    readonly troubles?: number;
    /** The starter's language when they started it: the end report's. */
    readonly language?: string;
}

export const NO_COUNTS: JobCounts = { changed: 0, unchanged: 0, refused: 0, failed: 0, skipped: 0 };

/** The job as the API shows it: without the run state. */
export function publicJob(job: StoredJob): Job {
    const { _id, operation, to, startedBy, door, createdAt, finishedAt, status, total, changed, unchanged, refused, failed, skipped, undoes } = job;
    return {
        _id,
        operation,
        to,
        startedBy: { _id: startedBy._id, username: startedBy.username },
        door,
        createdAt,
        ...(finishedAt ? { finishedAt } : {}),
        status,
        total,
        changed,
        unchanged,
        refused,
        failed,
        skipped,
        ...(undoes ? { undoes } : {}),
    };
}

export function isActive(job: Pick<Job, 'status'>): boolean {
    return job.status === 'queued' || job.status === 'running';
}

/** The counts with each receipt added. */
export function addCounts(counts: JobCounts, receipts: ReadonlyArray<Receipt>): JobCounts {
    const next = { ...counts } as { -readonly [K in keyof JobCounts]: number };
    for (const receipt of receipts) {
        next[receipt.result] += 1;
    }
    return next;
}
