import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { randomBytes } from 'crypto';
import { limitOf } from '../access/rateLimit';
import { GovernanceScope } from '../access/scope';
import { AppError, RocketChatRefusal, isKnownFailure } from '../errors/AppError';
import type { KnownFailure } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { announceChange, announcementWanted } from '../history/announce';
import { recordLine } from '../history/describe';
import { serialized } from '../history/roomLock';
import { confirmIntent, dropIntent, indexRooms, lastChange, recordChange, recordIntent } from '../history/store';
import type { Intent, NewChange } from '../history/store';
import { translator } from '../i18n/translate';
import { createOperationContext } from '../operations/context';
import type { OperationContext } from '../operations/context';
import { setEncrypted } from '../operations/setEncrypted';
import { toRoomView } from '../workspace/roomView';
import { isFatal, reachOf, refOf, refusalOf, shownName } from './plan';
import { reportJobEnd } from './report';
import { JobStore } from './store';
import { addCounts, isActive } from './types';
import type { Receipt, StoredJob } from './types';

/** The processor every run goes through: one-time runs (a job created, a batch continued) and the recurring tick. */
export const RUN_PROCESSOR = 'group-admin-bulk-run';
export const TICK_PROCESSOR = 'group-admin-bulk-tick';
/** How often the tick looks for a job nobody is running (a one-time run lost while the app was disabled, an instance stopped mid-batch). */
export const TICK_INTERVAL = '30 seconds';

/**
 * A batch stops taking new rooms after this long (well under the 30 s an Apps-Engine processor call may last). It is
 * also the bound on how stale a job's permissions may be: a batch reads the permission table, the starter and their
 * rooms and roles once, so a revocation or a deactivation applies from the next batch on, at most this long (plus the
 * room being changed) after it happened (docs/bulk-jobs.md "Staleness").
 */
export const BATCH_BUDGET_MS = 2000;
/** At most this many rooms per batch. */
export const BATCH_ROOMS = 200;
/** A run holds its job this long (longer than a processor call can last); a run that died lets go when it expires. */
export const LEASE_MS = 40000;
/**
 * A paced batch waits for its next write only this long; a longer wait ends the batch and schedules the next run at
 * that time, so processor calls stay short (a disable or an update never finds one sleeping through its pacing).
 */
const MAX_WAIT_MS = 500;
/**
 * After taking a lease (or a request its start lock, jobs.ts), it waits this long and reads it back: of two taken at
 * once, the later write wins.
 */
export const SETTLE_MS = 150;
/** Batches in a row that may fail to read the permission table or reach the workspace before the job fails. */
const MAX_TROUBLES = 3;
/** How long a batch waits after a transient failure, or after Rocket.Chat answered 429. */
const RETRY_MS = 10000;

export interface JobEnv {
    readonly read: IRead;
    readonly modify: IModify;
    readonly http: IHttp;
    readonly persistence: IPersistence;
    readonly logger: ILogger;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rocket.Chat answered 429 to a write: the batch ends and the room is tried again later. */
class RetryLater extends Error {}

/** Asks the scheduler for a run at `at` (ms); a lost request is picked up by the tick. */
export async function scheduleRun(modify: IModify, logger: ILogger, at: number = Date.now()): Promise<void> {
    try {
        await modify.getScheduler().scheduleOnce({ id: RUN_PROCESSOR, when: new Date(Math.max(at, Date.now())) });
    } catch (error) {
        logFailure(logger, 'warn', 'bulk jobs: a run could not be scheduled (the recurring tick will pick the job up)', error);
    }
}

/** Milliseconds between two writes of a job: half the service account's REST limit, 0 when it is not limited. */
export async function paceMs(ctx: OperationContext, read: IRead): Promise<number> {
    const { userId } = await ctx.workspace.getConfig();
    const account = await read.getUserReader().getById(userId);
    const rule = await limitOf(ctx, account || ({ id: userId, roles: [] } as unknown as IUser));
    return rule ? Math.ceil((2 * rule.intervalMs) / rule.calls) : 0;
}

/** One batch of one job, by the run that holds its lease. */
class Batch {
    private readonly ctx: OperationContext;

    private readonly store: JobStore;

    private announce = true;

    /** Rooms whose change this batch confirmed on record: put in the history's room index once, at the batch's end. */
    private readonly recorded: string[] = [];
    /** Writes this batch sent to Rocket.Chat (only they are paced). */
    private writes = 0;

    constructor(
        private readonly env: JobEnv,
        private readonly job: StoredJob,
        /** The batch starts where an earlier one may have written without storing receipts. */
        private readonly recovering: boolean,
    ) {
        this.ctx = createOperationContext(env.read, env.http, env.logger);
        this.store = new JobStore(env.read.getPersistenceReader(), env.persistence);
    }

    /** The starter's scope, read once per batch (the permission table with it). */
    private scope?: GovernanceScope;

    /** Runs the batch; answers when the next run is due (undefined: the job ended). */
    public async run(): Promise<number | undefined> {
        const { job, store } = this;
        const rooms = await store.rooms(job._id);
        if (await store.cancelRequested(job._id)) {
            return this.finish(job.next, 'cancelled', rooms, [], job.nextWriteAt);
        }
        const starter = await this.env.read.getUserReader().getById(job.startedBy._id);
        let pace = 0;
        try {
            // Read once per batch: the permission table and E2E_Enable (the scope), the settings, the service account.
            this.scope = starter ? await GovernanceScope.of(starter, this.ctx) : undefined;
            pace = await paceMs(this.ctx, this.env.read);
            this.announce = await announcementWanted(this.env.read);
        } catch (error) {
            return this.trouble(error, rooms, job.next, []);
        }
        if (starter && !starter.isEnabled) {
            // Deactivated since the job started: nothing more is done in their name.
            const { errorType, reason } = refusalOf(new AppError('bulk-starter-deactivated'));
            return this.finish(rooms.length, 'failed', rooms, rooms.slice(job.next).map((roomId) => this.failed(roomId, errorType, reason)), job.nextWriteAt);
        }
        const receipts: Receipt[] = [];
        const deadline = Date.now() + BATCH_BUDGET_MS;
        let nextWriteAt = job.nextWriteAt || 0;
        let index = job.next;
        let cancelled = false;
        while (index < rooms.length && receipts.length < BATCH_ROOMS && Date.now() < deadline) {
            if (index > job.next && (await store.cancelRequested(job._id))) {
                cancelled = true;
                break;
            }
            if (pace > 0) {
                const wait = nextWriteAt - Date.now();
                if (wait > MAX_WAIT_MS || wait > deadline - Date.now()) {
                    break;
                }
                if (wait > 0) {
                    await sleep(wait);
                }
            }
            let receipt: Receipt;
            const writes = this.writes;
            try {
                receipt = starter && this.scope ? await this.room(rooms[index], starter, this.scope) : this.failed(rooms[index], 'error-user-not-found', 'The person who started the job no longer exists');
            } catch (error) {
                if (error instanceof RetryLater) {
                    nextWriteAt = Date.now() + Math.max(pace, RETRY_MS);
                    break;
                }
                return this.trouble(error, rooms, index, receipts);
            }
            receipts.push(receipt);
            index += 1;
            if (pace > 0 && this.writes > writes) {
                // Paced: only a room that reached Rocket.Chat's write (changed, or refused by Rocket.Chat).
                nextWriteAt = Date.now() + pace;
            }
        }
        if (cancelled || index >= rooms.length) {
            return this.finish(index, cancelled ? 'cancelled' : 'done', rooms, receipts, nextWriteAt);
        }
        await this.indexRecorded();
        await store.saveReceipts(job._id, job.next, receipts);
        await store.saveJob({ ...job, ...addCounts(job, receipts), next: index, inflight: undefined, lease: undefined, nextWriteAt, troubles: 0, status: 'running' });
        return Math.max(nextWriteAt, Date.now());
    }

    /** The history's room index learns this batch's recorded rooms with one write (a failure is logged: see `indexRooms`). */
    private async indexRecorded(): Promise<void> {
        try {
            await indexRooms(this.env.persistence, `${this.job._id}:${this.job.next}`, this.recorded);
        } catch (error) {
            logFailure(this.env.logger, 'warn', `bulk job ${this.job._id}: the history's room index could not be updated`, error);
        }
    }

    /** A receipt `failed` for a room the job could not go on with. */
    private failed(roomId: string, errorType: string, reason: string): Receipt {
        return { roomId, name: '', result: 'failed', errorType, reason, at: new Date().toISOString() };
    }

    /**
     * The batch could not go on. A permission table that cannot be read or a workspace that does not answer may be
     * passing: the job waits and tries again, a few batches in a row; after that, or when the service account is
     * missing or rejected, the job fails and its remaining rooms get `failed` receipts saying why.
     */
    private async trouble(error: unknown, rooms: ReadonlyArray<string>, index: number, receipts: ReadonlyArray<Receipt>): Promise<number | undefined> {
        const { job, store } = this;
        const failure: KnownFailure = isKnownFailure(error) ? error : new AppError('internal');
        if (failure !== error) {
            logFailure(this.env.logger, 'error', `bulk job ${job._id} failed unexpectedly`, error);
        }
        const troubles = (job.troubles || 0) + 1;
        const passing = failure instanceof AppError && (failure.code === 'permissions-unavailable' || failure.code === 'workspace-request-failed');
        await this.indexRecorded();
        if (passing && troubles < MAX_TROUBLES) {
            await store.saveReceipts(job._id, job.next, receipts);
            await store.saveJob({ ...job, ...addCounts(job, receipts), next: index, inflight: undefined, lease: undefined, troubles, status: 'running' });
            return Date.now() + RETRY_MS;
        }
        const { errorType, reason } = refusalOf(failure);
        const rest = rooms.slice(index).map((roomId) => this.failed(roomId, errorType, reason));
        return this.finish(rooms.length, 'failed', rooms, [...receipts, ...rest], job.nextWriteAt);
    }

    /** The job ends: the receipts of this batch (and `skipped` for every room a cancel left), the job, the report. */
    private async finish(
        index: number,
        status: 'done' | 'cancelled' | 'failed',
        rooms: ReadonlyArray<string>,
        receipts: ReadonlyArray<Receipt>,
        nextWriteAt: number | undefined,
    ): Promise<undefined> {
        const { job, store } = this;
        const at = new Date().toISOString();
        const skipped: Receipt[] = rooms.slice(index).map((roomId) => ({ roomId, name: '', result: 'skipped', at }));
        const all = [...receipts, ...skipped];
        await this.indexRecorded();
        await store.saveReceipts(job._id, job.next, all);
        const ended: StoredJob = { ...job, ...addCounts(job, all), next: rooms.length, inflight: undefined, lease: undefined, nextWriteAt, status, finishedAt: at };
        await store.saveJob(ended);
        try {
            await reportJobEnd(ended, await store.receipts(job._id), this.env);
        } catch (error) {
            logFailure(this.env.logger, 'warn', `bulk job ${job._id} ended, but its report could not be sent`, error);
        }
        return undefined;
    }

    /** One room, decided now for the starter and changed by the service account; its receipt. */
    private async room(roomId: string, starter: IUser, scope: GovernanceScope): Promise<Receipt> {
        const room = roomId ? await this.ctx.rooms.getById(roomId) : undefined;
        return serialized(roomId, () => this.decide(roomId, room, starter, scope));
    }

    private async decide(roomId: string, room: IRoom | undefined, starter: IUser, scope: GovernanceScope): Promise<Receipt> {
        const { job, ctx } = this;
        const at = (): string => new Date().toISOString();
        const view = room ? toRoomView(room) : undefined;
        if (room && view && view.encrypted === job.to && (this.recovering || job.undoes)) {
            // In the target state already: this job's own change, made by a run that stopped before its receipt?
            const last = await lastChange(this.env.read, roomId, 'setEncrypted');
            if (last && last.jobId === job._id) {
                this.recorded.push(roomId);
                return { roomId, name: view.label, result: 'changed', at: at() };
            }
        }
        const group = room ? await scope.decideRoom(room) : undefined;
        /** A job undo: the undone job's record for this room, which the revert's record names in `undoes` (§8 "Undo"). */
        let undone: string | undefined;
        if (job.undoes && room && group) {
            const asLeft = await this.stillAsLeft(roomId, room);
            if ('result' in asLeft) {
                return asLeft;
            }
            undone = asLeft.undone;
        }
        if (view && group && !group.archived && !group.federated && view.encrypted === job.to) {
            return { roomId, name: view.label, result: 'unchanged', at: at() };
        }
        const intents: Intent[] = [];
        try {
            const outcome = await setEncrypted(
                { user: starter, room: refOf(roomId, room), encrypted: job.to, dryRun: false, reach: reachOf(scope), counted: true },
                room ? this.recordingIntent(room, starter, intents, undone) : ctx,
            );
            const changed = !outcome.dryRun && Object.keys(outcome.result.changes).length > 0;
            if (changed && room) {
                await this.keepOnRecord(room, starter, intents[intents.length - 1], undone);
            } else {
                await this.dropIntents(intents);
            }
            return { roomId, name: outcome.label, result: changed ? 'changed' : 'unchanged', at: at() };
        } catch (error) {
            await this.dropIntents(intents);
            if (error instanceof RocketChatRefusal && error.status === 429) {
                throw new RetryLater();
            }
            if (!isKnownFailure(error) || isFatal(error)) {
                throw error;
            }
            return { roomId, name: shownName(error, room), result: 'refused', ...refusalOf(error), at: at() };
        }
    }

    /**
     * The batch's context whose write first records the change's intent (door `bulk`, the job's id; interface.md §9),
     * so Rocket.Chat's system message, reaching any instance first, finds it and is never recorded a second time.
     */
    private recordingIntent(room: IRoom, starter: IUser, intents: Intent[], undone: string | undefined): OperationContext {
        const { job, env } = this;
        const workspace = this.ctx.workspace.withBeforeWrite(async () => {
            this.writes += 1;
            try {
                intents.push(await recordIntent(env.read, env.persistence, this.changeOf(room, starter, undone)));
            } catch (error) {
                logFailure(env.logger, 'warn', `bulk job ${job._id}: ${room.id}: the intent could not be recorded before the write`, error);
            }
        });
        return { ...this.ctx, workspace };
    }

    /** The job's change of `room` as the history records it (door `bulk`, the job's id; an undo names the record it undoes). */
    private changeOf(room: IRoom, starter: IUser, undone: string | undefined): NewChange {
        const { job } = this;
        return {
            roomId: room.id,
            roomName: toRoomView(room).name,
            operation: 'setEncrypted',
            from: !job.to,
            to: job.to,
            actor: { _id: starter.id, username: starter.username },
            door: 'bulk',
            jobId: job._id,
            ...(undone ? { undoes: undone } : {}),
        };
    }

    private async dropIntents(intents: ReadonlyArray<Intent>): Promise<void> {
        for (const intent of intents) {
            await dropIntent(this.env.read, this.env.persistence, intent).catch((error: unknown) =>
                logFailure(this.env.logger, 'warn', `bulk job ${this.job._id}: an unused intent could not be removed`, error),
            );
        }
    }

    /**
     * A job undo reverts a room only while it is as the undone job left it: in the state that job set, with that
     * job's change as the room's newest recorded encryption change: answers that change's record `_id`. Otherwise
     * `refused`, naming the change since. Only for a room in the starter's scope (any other is the core's "not found").
     */
    private async stillAsLeft(roomId: string, room: IRoom): Promise<Receipt | { readonly undone: string }> {
        const view = toRoomView(room);
        const last = await lastChange(this.env.read, roomId, 'setEncrypted');
        if (last && last.jobId === this.job.undoes && view.encrypted === !this.job.to) {
            return { undone: last._id };
        }
        const t = translator('en');
        const reason = last && last.jobId !== this.job.undoes ? `Changed since: ${recordLine(last, t)}` : 'Changed since the job (its encryption is not as the job left it)';
        return { roomId, name: view.label, result: 'refused', errorType: 'error-room-changed-since', reason, at: new Date().toISOString() };
    }

    /** The change is on record (door `bulk`, the job's id) and announced in its room; a change made stays made. */
    private async keepOnRecord(room: IRoom, starter: IUser, intent: Intent | undefined, undone: string | undefined): Promise<void> {
        const { job, env } = this;
        try {
            if (intent) {
                await confirmIntent(env.read, env.persistence, intent, { from: !job.to, to: job.to }, { indexedByCaller: true });
                this.recorded.push(room.id);
            } else {
                await recordChange(env.read, env.persistence, this.changeOf(room, starter, undone));
            }
        } catch (error) {
            logFailure(env.logger, 'error', `bulk job ${job._id}: ${room.id} was changed but could not be recorded`, error);
        }
        if (!this.announce) {
            return;
        }
        try {
            await announceChange(env.read, env.modify, this.ctx, room, job.to ? 'encrypt-on' : 'encrypt-off', starter.username, 'bulk');
        } catch (error) {
            logFailure(env.logger, 'warn', `bulk job ${job._id}: ${room.id} was changed but could not be announced`, error);
        }
    }
}

/**
 * One run of the job queue (a scheduler processor call): the oldest queued or running job of the workspace gets one
 * short batch, by whichever instance runs this, unless another run holds it. Then the next run is scheduled: more of
 * this job (at once, or when its pacing allows), or the next job.
 */
export async function runJobs(env: JobEnv): Promise<void> {
    const store = new JobStore(env.read.getPersistenceReader(), env.persistence);
    const job = (await store.allJobs()).filter(isActive)[0];
    if (!job) {
        return;
    }
    const now = Date.now();
    if (job.lease && job.lease.until > now) {
        return; // another run has it, and schedules what follows
    }
    if (job.nextWriteAt && job.nextWriteAt > now + MAX_WAIT_MS) {
        await scheduleRun(env.modify, env.logger, job.nextWriteAt);
        return;
    }
    const token = randomBytes(12).toString('hex');
    const recovering = job.inflight !== undefined;
    await store.saveJob({ ...job, status: 'running', lease: { token, until: now + LEASE_MS }, inflight: job.next });
    await sleep(SETTLE_MS);
    const held = await store.job(job._id);
    if (!held || !held.lease || held.lease.token !== token) {
        return;
    }
    const next = await new Batch(env, held, recovering).run();
    if (next !== undefined) {
        await scheduleRun(env.modify, env.logger, next);
    } else if ((await store.allJobs()).some(isActive)) {
        await scheduleRun(env.modify, env.logger);
    }
}
