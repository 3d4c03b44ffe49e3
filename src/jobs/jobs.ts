import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { randomBytes } from 'crypto';
import { countChangeAttempt } from '../access/rateLimit';
import { GovernanceScope } from '../access/scope';
import { AppError } from '../errors/AppError';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { planBulk } from './plan';
import type { BulkPlan, RefusedRoom } from './plan';
import { SETTLE_MS, paceMs, scheduleRun, sleep } from './runner';
import type { JobEnv } from './runner';
import { JobStore } from './store';
import { NO_COUNTS, addCounts, isActive, publicJob } from './types';
import type { Job, JobDoor, Receipt, StoredJob } from './types';

let lastSeq = 0;

/** Creation order: µs since the epoch, strictly increasing in this process. */
function nextSeq(): number {
    lastSeq = Math.max(Date.now() * 1000, lastSeq + 1);
    return lastSeq;
}

/** The accessors of a request about jobs (a door: an endpoint, a command, a modal). */
export type JobDoorEnv = Pick<JobEnv, 'read' | 'modify' | 'persistence' | 'logger'>;

/** What planning, starting and showing jobs need. */
export interface BulkServices {
    readonly env: JobDoorEnv;
    readonly ctx: OperationContext;
    readonly t: Translator;
}

function storeOf(env: JobDoorEnv): JobStore {
    return new JobStore(env.read.getPersistenceReader(), env.persistence);
}

/** The plan of a bulk encryption change for `user` (a dry run; the service account must be configured). */
export async function planFor(user: IUser, to: boolean, rooms: ReadonlyArray<string> | undefined, services: BulkServices): Promise<BulkPlan> {
    const { ctx, env, t } = services;
    // Without a service account nothing can be decided: `app-not-configured` before anything is read.
    await ctx.workspace.getConfig();
    const scope = await GovernanceScope.of(user, ctx);
    const paceOf = await paceMs(ctx, env.read);
    return planBulk({ user, to, rooms, paceMs: paceOf }, scope, ctx, t);
}

/** The plan without the rooms the job keeps to itself. */
export function shownPlan(plan: BulkPlan): Omit<BulkPlan, 'jobRooms' | 'answered'> {
    const { jobRooms: _rooms, answered: _answered, ...shown } = plan;
    return shown;
}

/** A start lock older than this is let go (a request that died while creating its job). */
const START_LOCK_MS = 15000;

/**
 * Takes `user`'s start lock for `jobId` across instances (the persistence has no compare-and-set): a lock held by
 * another start refuses; else the lock is written, and read back after a pause — of two starts at once, only the one
 * whose write came last holds it, the other is refused 409 like any second job.
 */
async function takeStartLock(store: JobStore, user: IUser, jobId: string): Promise<void> {
    const held = await store.startLock(user.id);
    if (held && held.jobId !== jobId && held.until > Date.now()) {
        throw new AppError('bulk-job-running', { jobId: held.jobId });
    }
    await store.saveStartLock(user.id, { jobId, until: Date.now() + START_LOCK_MS });
    await sleep(SETTLE_MS);
    const mine = await store.startLock(user.id);
    if (!mine || mine.jobId !== jobId) {
        throw new AppError('bulk-job-running', { jobId: mine ? mine.jobId : jobId });
    }
}

/** Refuses a second queued or running job of the same person (409, naming it). */
async function refuseSecondJob(store: JobStore, user: IUser): Promise<void> {
    const running = (await store.jobsOf(user.id)).find(isActive);
    if (running) {
        throw new AppError('bulk-job-running', { jobId: running._id });
    }
}

export interface JobStart {
    readonly user: IUser;
    readonly to: boolean;
    readonly rooms: ReadonlyArray<string>;
    readonly door: JobDoor;
    readonly language: string;
    readonly undoes?: string;
    /** Rooms the plan answered alone (not found): receipts at once, never work (`BulkPlan.answered`). */
    readonly answered?: ReadonlyArray<RefusedRoom>;
}

/**
 * Creates a job over `start.rooms` (fixed now) and asks the scheduler to run it. It counts once toward the starter's
 * chat-door rate limit; one queued or running job per person.
 */
export async function createJob(start: JobStart, services: BulkServices): Promise<Job> {
    const { env, ctx } = services;
    await ctx.workspace.getConfig();
    const store = storeOf(env);
    const jobId = randomBytes(9).toString('base64').replace(/[+/]/g, 'x');
    await takeStartLock(store, start.user, jobId);
    try {
        return await startJob(jobId, start, store, services);
    } finally {
        await store.dropStartLock(start.user.id, jobId);
    }
}

async function startJob(jobId: string, start: JobStart, store: JobStore, services: BulkServices): Promise<Job> {
    const { env, ctx } = services;
    await refuseSecondJob(store, start.user);
    await countChangeAttempt(ctx, start.user, 'setEncrypted');
    const createdAt = new Date().toISOString();
    const empty = start.rooms.length === 0;
    // Rooms answered by the plan come first, their receipts written now, unpaced; the work starts after them.
    const answered: Receipt[] = (start.answered || []).map((room) => ({
        roomId: room._id,
        name: '',
        result: 'refused',
        errorType: room.errorType,
        reason: room.reason,
        at: createdAt,
    }));
    const job: StoredJob = {
        _id: jobId,
        operation: 'setEncrypted',
        to: start.to,
        startedBy: { _id: start.user.id, username: start.user.username },
        door: start.door,
        createdAt,
        status: empty ? 'done' : 'queued',
        ...(empty ? { finishedAt: createdAt } : {}),
        total: answered.length + start.rooms.length,
        ...addCounts(NO_COUNTS, answered),
        seq: nextSeq(),
        next: answered.length,
        language: start.language,
        ...(start.undoes ? { undoes: start.undoes } : {}),
    };
    await store.saveRooms(job._id, [...answered.map((receipt) => receipt.roomId), ...start.rooms]);
    await store.saveReceipts(job._id, 0, answered);
    await store.saveJob(job);
    if (!empty) {
        await scheduleRun(env.modify, env.logger);
    }
    return publicJob(job);
}

/**
 * The job `jobId` as `user` may see it: its starter, or a holder of `view-room-administration`. To anyone else it does
 * not exist (`bulk-job-not-found`, 404).
 */
export async function visibleJob(jobId: unknown, user: IUser, services: Pick<BulkServices, 'env' | 'ctx'>): Promise<StoredJob> {
    const job = typeof jobId === 'string' && jobId ? await storeOf(services.env).job(jobId) : undefined;
    if (!job || (job.startedBy._id !== user.id && !(await services.ctx.access.hasPermission(user, 'view-room-administration')))) {
        throw new AppError('bulk-job-not-found', { jobId: typeof jobId === 'string' ? jobId : '' });
    }
    return job;
}

/**
 * A job and one page of its receipts as `reader` may see them now: the reader's scope is decided again for the page,
 * and a receipt of a room that left it since (or never was in it) is shown without its name (interface.md §8).
 */
export async function jobReceipts(
    job: StoredJob,
    reader: IUser,
    services: Pick<BulkServices, 'env' | 'ctx'>,
    offset: number,
    count: number,
): Promise<{ receipts: Array<Receipt>; total: number }> {
    const all = await storedReceipts(job, services.env);
    return { receipts: await namedInScope(all.slice(offset, offset + count), reader, services), total: all.length };
}

/** Every receipt of a job as stored (names not yet decided for a reader: see {@link namedInScope}). */
export async function storedReceipts(job: StoredJob, env: JobDoorEnv): Promise<Array<Receipt>> {
    return storeOf(env).receipts(job._id);
}

/** The receipts with the name blanked of each room outside `reader`'s scope now (their scope decided once). */
export async function namedInScope(receipts: ReadonlyArray<Receipt>, reader: IUser, services: Pick<BulkServices, 'ctx'>): Promise<Array<Receipt>> {
    if (!receipts.some((receipt) => receipt.name)) {
        return [...receipts];
    }
    const scope = await GovernanceScope.of(reader, services.ctx);
    const shown: Receipt[] = [];
    for (const receipt of receipts) {
        shown.push(receipt.name && !(await scope.decide(receipt.roomId)) ? { ...receipt, name: '' } : receipt);
    }
    return shown;
}

/** The jobs `user` started, newest first. */
export async function jobsOf(user: IUser, env: JobDoorEnv): Promise<Array<StoredJob>> {
    return storeOf(env).jobsOf(user.id);
}

/** Cancels a job before its next room (a job that already ended is answered as it is). */
export async function cancelJob(jobId: unknown, user: IUser, services: BulkServices): Promise<Job> {
    const job = await visibleJob(jobId, user, services);
    if (!isActive(job)) {
        return publicJob(job);
    }
    await storeOf(services.env).requestCancel(job._id, user.id);
    await scheduleRun(services.env.modify, services.env.logger);
    return { ...publicJob(job), status: 'cancelled' };
}

/**
 * Undoes a job: a new job, started by `user`, that reverts each room the job changed (each room decided at its turn:
 * still as the job left it, or refused saying why).
 */
export async function undoJob(jobId: unknown, user: IUser, door: JobDoor, language: string, services: BulkServices): Promise<Job> {
    const job = await visibleJob(jobId, user, services);
    if (isActive(job)) {
        throw new AppError('bulk-job-running', { jobId: job._id });
    }
    const changed = (await storeOf(services.env).receipts(job._id)).filter((receipt) => receipt.result === 'changed').map((receipt) => receipt.roomId);
    return createJob({ user, to: !job.to, rooms: changed, door, language, undoes: job._id }, services);
}
