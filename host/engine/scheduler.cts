/**
 * The Apps-Engine scheduler of the in-memory Rocket.Chat server: Agenda over one shared job collection, and the
 * scheduler bridge on top of it. Modelled on upstream (RocketChat/Rocket.Chat):
 *
 * - `apps/meteor/app/apps/server/bridges/scheduler.ts` (commit 102bc2f809e4395c7202465a2116050c1af47009): the
 *   bridge — job name `<processor id>_<app id>` (the engine's `AppSchedulerManager` appends the app id), `scheduleOnce`
 *   = `agenda.schedule` (a new one-time job per call), `scheduleRecurring` = `agenda.every` (the single recurring job of
 *   that name, upserted), the processor gets the job's data without `appId` plus `jobId`, a one-time job is deleted
 *   after its processor succeeds, `cancelJob` by job id (an ObjectId before the first `_`) or else by name,
 *   `cancelAllJobs` = every job whose name ends in `_<app id>`.
 * - `packages/agenda/src/Agenda.ts` (commit 07a8f573f44a270fda8edafb341da88cb005e2a7) and `packages/agenda/src/Job.ts`
 *   (21f80158530f6d35bc97cd308932634cabac8144), `JobProcessingQueue.ts`: one Agenda per server process over the collection
 *   `rocketchat_apps_scheduler`; every `processEvery` (5 s) each defined job name claims the next due job with one
 *   atomic find-and-lock (`lockedAt`), looking `processEvery` ahead; a job saved due before the next scan is locked
 *   "on the fly" by the instance that saved it; `defaultConcurrency: 1` (one running job per name per process); a lock
 *   expires after `lockLifetime` (10 minutes) and is never renewed, so a run longer than that can be claimed again by
 *   another instance (a job claimed that way runs at once, its `nextRunAt` defaulted to now by `new Job`); `Job.run`
 *   computes `nextRunAt` before running (null for a one-time job), so a one-time job whose processor throws stays
 *   failed and never runs again, a recurring one runs at its next time.
 * - `packages/apps-engine/src/server/managers/AppSchedulerManager.ts` (commit 53a243c24e463ec483d84cf98b4748623de3a355,
 *   the engine's own code, not repeated here): the processor the bridge gets calls the app's Deno runtime
 *   (`scheduler:<id>`, the 30 s per-call timeout) and resolves without running while the app is disabled.
 * - `apps/meteor/ee/server/apps/orchestrator.js`: the scheduler starts once the apps are loaded.
 *
 * The collection is {@link JobCollection}: in one process a {@link MemoryJobCollection}; with several instances
 * (host/multi/) every instance's {@link JobRunner} works on the workspace process's collection, whose operations are
 * atomic because that process runs each one whole.
 */
import { randomBytes } from 'crypto';

import type { IJobContext, IOnetimeSchedule, IProcessor, IRecurringSchedule } from '@rocket.chat/apps-engine/definition/scheduler';
import { StartupType } from '@rocket.chat/apps-engine/definition/scheduler';
import { SchedulerBridge } from '@rocket.chat/apps-engine/server/bridges/SchedulerBridge';

import { describeError } from './describeError.cjs';

/** Agenda's defaults, as Rocket.Chat leaves them. */
export const PROCESS_EVERY_MS = 5000;
export const LOCK_LIFETIME_MS = 10 * 60 * 1000;

/** One document of `rocketchat_apps_scheduler` (Agenda's `IJob`, the fields this model uses). */
export interface JobRecord {
    _id: string;
    name: string;
    /** `normal`: one-time (`schedule`); `single`: the one recurring job of its name (`every`). */
    type: 'normal' | 'single';
    data: Record<string, unknown>;
    nextRunAt: Date | null;
    lockedAt: Date | null;
    repeatInterval?: string | number;
    lastRunAt?: Date;
    lastFinishedAt?: Date;
    failedAt?: Date;
    failReason?: string;
    failCount?: number;
    /** The Agenda (instance) that saved it last. */
    lastModifiedBy?: string;
}

/** Which jobs a cancel or a listing means (the Mongo queries the bridge and Agenda use). */
export type JobQuery = { _id: string } | { name: string } | { nameEndsWith: string } | { name: string; type: JobRecord['type'] } | Record<string, never>;

/**
 * The shared job collection. Every method is one atomic operation on it (what one MongoDB command does), and takes and
 * returns plain data, so a workspace process can serve it to instance processes.
 */
export interface JobCollection {
    /** `insertOne`: a new job; answers its id. */
    insert(job: Omit<JobRecord, '_id'>): string;
    /**
     * Agenda's `_saveSingleJob`: upsert by `{ name, type: 'single' }`; `nextRunAt` is only set on insert when it is
     * already due (an existing job keeps its time), otherwise set. Answers the stored job.
     */
    upsertSingle(job: Omit<JobRecord, '_id'>, now: Date): JobRecord;
    /** `findOneAndUpdate({ _id }, { $set })` without upsert: false when the job is gone (cancelled meanwhile). */
    update(id: string, set: Partial<Omit<JobRecord, '_id'>>): boolean;
    /** `deleteMany`: answers how many jobs went. */
    remove(query: JobQuery): number;
    /**
     * Agenda's `_findAndLockNextJob`: the first job of `name` (by `nextRunAt`) that is unlocked and due by `scanUntil`,
     * or whose lock is older than `lockDeadline`; it is locked (`lockedAt = now`) in the same step.
     */
    findAndLock(name: string, scanUntil: Date, lockDeadline: Date, now: Date): JobRecord | undefined;
    /** Agenda's `_lockOnTheFly`: locks that job if it is still unlocked and still due at `nextRunAt`. */
    lockIfFree(id: string, nextRunAt: Date, now: Date): JobRecord | undefined;
    /** `updateMany({ _id: { $in } }, { lockedAt: null })` (Agenda's `stop`). */
    unlock(ids: string[]): void;
    /** `find(query)`, sorted by `nextRunAt`. */
    find(query?: JobQuery): JobRecord[];
}

function matches(job: JobRecord, query: JobQuery): boolean {
    if ('_id' in query) {
        return job._id === query._id;
    }
    if ('nameEndsWith' in query) {
        return job.name.endsWith(query.nameEndsWith);
    }
    if ('name' in query) {
        return job.name === query.name && (!('type' in query) || job.type === query.type);
    }
    return true;
}

function copy(job: JobRecord): JobRecord {
    return structuredClone(job);
}

/** A MongoDB ObjectId's hex form: 4 bytes of seconds, then 8 random bytes. */
function objectId(): string {
    return Math.floor(Date.now() / 1000).toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

const byNextRun = (a: JobRecord, b: JobRecord): number => (a.nextRunAt?.getTime() ?? Infinity) - (b.nextRunAt?.getTime() ?? Infinity);

/** A run's start or end as the collection saw it (not in Agenda: a record for tests of several instances). */
export interface JobEvent {
    at: Date;
    jobId: string;
    name: string;
    /** The instance (`lastModifiedBy`) that saved it. */
    by: string;
    event: 'start' | 'end' | 'fail';
}

/** `rocketchat_apps_scheduler` in memory. */
export class MemoryJobCollection implements JobCollection {
    private readonly jobs = new Map<string, JobRecord>();
    /** Every run's start and end (the last 10,000), also of jobs deleted since; whoever ran it. */
    readonly history: JobEvent[] = [];

    insert(job: Omit<JobRecord, '_id'>): string {
        const _id = objectId();
        this.jobs.set(_id, copy({ ...job, _id }));
        return _id;
    }

    upsertSingle(job: Omit<JobRecord, '_id'>, now: Date): JobRecord {
        const existing = [...this.jobs.values()].find((j) => j.name === job.name && j.type === 'single');
        const { nextRunAt, ...set } = job;
        const keepTime = !!nextRunAt && nextRunAt <= now;
        if (existing) {
            Object.assign(existing, copy(set as JobRecord), keepTime ? {} : { nextRunAt });
            return copy(existing);
        }
        const _id = objectId();
        const created = copy({ ...job, _id });
        this.jobs.set(_id, created);
        return copy(created);
    }

    update(id: string, set: Partial<Omit<JobRecord, '_id'>>): boolean {
        const job = this.jobs.get(id);
        this.record(id, job, set);
        if (!job) {
            return false;
        }
        Object.assign(job, structuredClone(set));
        return true;
    }

    /** Notes a run's start (`lastRunAt` saved) or end (`lastFinishedAt` saved) in {@link history}. */
    private record(id: string, job: JobRecord | undefined, set: Partial<JobRecord>): void {
        const by = set.lastModifiedBy ?? job?.lastModifiedBy ?? '';
        const name = job?.name ?? this.history.find((e) => e.jobId === id)?.name ?? '';
        if (set.lastRunAt) {
            this.history.push({ at: set.lastRunAt, jobId: id, name, by, event: 'start' });
        } else if (set.lastFinishedAt) {
            this.history.push({ at: set.lastFinishedAt, jobId: id, name, by, event: set.failReason !== undefined ? 'fail' : 'end' });
        }
        if (this.history.length > 10000) {
            this.history.splice(0, this.history.length - 10000);
        }
    }

    remove(query: JobQuery): number {
        let removed = 0;
        for (const [id, job] of this.jobs) {
            if (matches(job, query)) {
                this.jobs.delete(id);
                removed++;
            }
        }
        return removed;
    }

    findAndLock(name: string, scanUntil: Date, lockDeadline: Date, now: Date): JobRecord | undefined {
        const job = [...this.jobs.values()]
            .filter((j) => j.name === name)
            .filter((j) => (j.lockedAt === null && j.nextRunAt !== null && j.nextRunAt <= scanUntil) || (j.lockedAt !== null && j.lockedAt <= lockDeadline))
            .sort(byNextRun)[0];
        if (!job) {
            return undefined;
        }
        job.lockedAt = now;
        return copy(job);
    }

    lockIfFree(id: string, nextRunAt: Date, now: Date): JobRecord | undefined {
        const job = this.jobs.get(id);
        if (!job || job.lockedAt !== null || job.nextRunAt?.getTime() !== nextRunAt.getTime()) {
            return undefined;
        }
        job.lockedAt = now;
        return copy(job);
    }

    unlock(ids: string[]): void {
        for (const id of ids) {
            const job = this.jobs.get(id);
            if (job) {
                job.lockedAt = null;
            }
        }
    }

    find(query: JobQuery = {}): JobRecord[] {
        return [...this.jobs.values()].filter((j) => matches(j, query)).sort(byNextRun).map(copy);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Intervals and times: Agenda reads `interval` as cron (the `cron` package's CronTime) and, when that fails, as
// human-interval (`5 seconds`, `1 minute and 30 seconds`, a number of ms); `when` as a Date, or else with date.js.

const UNITS: Record<string, number> = {
    millisecond: 1,
    ms: 1,
    second: 1000,
    minute: 60_000,
    hour: 3_600_000,
    day: 86_400_000,
    week: 604_800_000,
    month: 2_592_000_000,
    year: 31_536_000_000,
};
const WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

/** human-interval: `5000`, `'5000'`, `'5 seconds'`, `'one minute and 30 seconds'` → ms; undefined when it is none. */
export function humanInterval(interval: string | number): number | undefined {
    if (typeof interval === 'number') {
        return Number.isFinite(interval) ? interval : undefined;
    }
    const text = interval.trim().toLowerCase();
    if (/^\d+(\.\d+)?$/.test(text)) {
        return Number(text);
    }
    const parts = text.split(/\s*(?:,|\band\b)\s*/).filter(Boolean);
    let total = 0;
    for (const part of parts) {
        const m = /^(\d+(?:\.\d+)?|[a-z]+)\s*([a-z]+)$/.exec(part);
        const amount = m ? (WORDS[m[1]] ?? Number(m[1])) : NaN;
        const unit = m ? (UNITS[m[2]] ?? UNITS[m[2].replace(/s$/, '')]) : undefined;
        if (!Number.isFinite(amount) || unit === undefined) {
            return undefined;
        }
        total += amount * unit;
    }
    return parts.length ? total : undefined;
}

/** A cron field (`*`, `5`, `1-5`, `*\/15`, `1,2,10-20/2`) as the set of values it allows. */
function cronField(field: string, min: number, max: number): Set<number> | undefined {
    const values = new Set<number>();
    for (const item of field.split(',')) {
        const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(item);
        if (!m) {
            return undefined;
        }
        let [from, to] = [min, max];
        if (m[1] !== '*') {
            const [a, b] = m[1].split('-').map(Number);
            [from, to] = [a, b ?? (m[2] ? max : a)];
        }
        const step = m[2] ? Number(m[2]) : 1;
        if (from < min || to > max || from > to || step < 1) {
            return undefined;
        }
        for (let v = from; v <= to; v += step) {
            values.add(v);
        }
    }
    return values;
}

interface Cron {
    seconds: Set<number>;
    minutes: Set<number>;
    hours: Set<number>;
    days: Set<number>;
    months: Set<number>;
    weekdays: Set<number>;
}

/** A 5-field (`m h dom mon dow`) or 6-field (seconds first, as the `cron` package reads it) cron expression. */
export function parseCron(expression: string): Cron | undefined {
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== 5 && fields.length !== 6) {
        return undefined;
    }
    const all = fields.length === 5 ? ['0', ...fields] : fields;
    const limits: Array<[number, number]> = [[0, 59], [0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
    const sets = all.map((f, i) => cronField(f, ...limits[i]));
    if (sets.some((s) => !s)) {
        return undefined;
    }
    const [seconds, minutes, hours, days, months, weekdays] = sets as Set<number>[];
    if (weekdays.has(7)) {
        weekdays.add(0);
    }
    return { seconds, minutes, hours, days, months, weekdays };
}

/** The first time after `from` (local time, whole seconds) that the cron expression allows. */
export function nextCronRun(cron: Cron, from: Date): Date | null {
    const t = new Date(from.getTime());
    t.setMilliseconds(0);
    t.setSeconds(t.getSeconds() + 1);
    const limit = from.getTime() + 366 * 86_400_000 * 5;
    while (t.getTime() <= limit) {
        if (!cron.months.has(t.getMonth() + 1) || !cron.days.has(t.getDate()) || !cron.weekdays.has(t.getDay())) {
            t.setDate(t.getDate() + 1);
            t.setHours(0, 0, 0, 0);
        } else if (!cron.hours.has(t.getHours())) {
            t.setHours(t.getHours() + 1, 0, 0, 0);
        } else if (!cron.minutes.has(t.getMinutes())) {
            t.setMinutes(t.getMinutes() + 1, 0, 0);
        } else if (!cron.seconds.has(t.getSeconds())) {
            t.setSeconds(t.getSeconds() + 1, 0);
        } else {
            return t;
        }
    }
    return null;
}

/**
 * `Job.computeNextRunAt` for a recurring job: cron → its next time after the last run; human-interval → now for a job
 * that never ran, else last run + interval. Undefined when the interval is neither (Agenda fails the job).
 */
export function nextRunFor(interval: string | number, lastRunAt: Date | undefined, now: Date): Date | undefined {
    const cron = typeof interval === 'string' ? parseCron(interval) : undefined;
    if (cron) {
        return nextCronRun(cron, lastRunAt ?? now) ?? undefined;
    }
    const ms = humanInterval(interval);
    if (!ms) {
        return undefined;
    }
    return lastRunAt ? new Date(lastRunAt.getTime() + ms) : now;
}

/** `Job.schedule(when)`: a Date (or a string `new Date` reads); else date.js's `in 5 minutes` / `5 minutes from now`; else now. */
export function parseWhen(when: string | Date, now: Date = new Date()): Date {
    const date = new Date(when);
    if (!Number.isNaN(date.getTime())) {
        return date;
    }
    const text = String(when).trim().toLowerCase();
    const m = /^in\s+(.+)$/.exec(text) ?? /^(.+?)\s+from now$/.exec(text);
    const ms = m ? humanInterval(m[1]) : undefined;
    return ms !== undefined ? new Date(now.getTime() + ms) : now;
}

// ---------------------------------------------------------------------------------------------------------------

/** What a job definition runs (Agenda's `JobDefinition.fn`): resolve = success, throw = the job fails. */
export type JobProcessor = (job: JobRecord) => Promise<void>;

export interface JobRunnerOptions {
    collection: JobCollection;
    /** Poll interval (Agenda's `processEvery`, default 5 s); tests shorten it. */
    processEvery?: number;
    /** How long a claim holds (Agenda's `defaultLockLifetime`, default 10 minutes); tests shorten it. */
    lockLifetime?: number;
    /** The instance's name, stored as `lastModifiedBy`. */
    name?: string;
    /**
     * Where in the poll interval this instance polls: that many ms past a multiple of `processEvery` on the clock
     * (default: at once, then every `processEvery`). Independent Rocket.Chat processes poll out of step; instances a
     * test starts one after another can poll within milliseconds of each other, and one of them then claims nearly
     * every job.
     */
    phase?: number;
    /** Where a failed job is reported (Agenda emits `fail`). */
    onFail?: (job: JobRecord, error: unknown) => void;
}

/** One instance's Agenda: definitions, the poll, the claims it holds and the jobs it runs (one at a time per name). */
export class JobRunner {
    readonly collection: JobCollection;
    readonly processEvery: number;
    readonly lockLifetime: number;
    readonly name: string;
    private readonly definitions = new Map<string, JobProcessor>();
    /** Claimed (locked) jobs waiting to run, per name, and whether that name's loop is busy. */
    private readonly queues = new Map<string, JobRecord[]>();
    private readonly busy = new Set<string>();
    private readonly locked = new Map<string, JobRecord>();
    private pollTimer?: NodeJS.Timeout;
    private readonly phase?: number;
    /** Between `start()` and `stop()`. */
    private active = false;
    private readonly timers = new Set<NodeJS.Timeout>();
    private nextScanAt?: Date;
    private readonly onFail?: (job: JobRecord, error: unknown) => void;
    /** Runs in progress (settled when each ends), so `stop` and tests can wait for them. */
    private readonly running = new Set<Promise<void>>();

    constructor(options: JobRunnerOptions) {
        this.collection = options.collection;
        this.processEvery = options.processEvery ?? PROCESS_EVERY_MS;
        this.lockLifetime = options.lockLifetime ?? LOCK_LIFETIME_MS;
        this.name = options.name ?? 'instance';
        this.phase = options.phase;
        this.onFail = options.onFail;
    }

    get started(): boolean {
        return this.active;
    }

    /** `agenda.define(name, fn)`: this instance can now claim and run jobs of that name. */
    define(name: string, processor: JobProcessor): void {
        this.definitions.set(name, processor);
    }

    /** `agenda.schedule(when, name, data)`: a new one-time job. */
    schedule(when: string | Date, name: string, data: Record<string, unknown>): JobRecord {
        const now = new Date();
        const job: Omit<JobRecord, '_id'> = { name, type: 'normal', data, nextRunAt: parseWhen(when, now), lockedAt: null, lastModifiedBy: this.name };
        const saved = { ...job, _id: this.collection.insert(job) };
        this.processSaved(saved);
        return saved;
    }

    /** `agenda.every(interval, name, data, { skipImmediate })`: upserts the recurring job of that name. */
    every(interval: string | number, name: string, data: Record<string, unknown>, options: { skipImmediate?: boolean } = {}): JobRecord {
        const now = new Date();
        let nextRunAt: Date | null;
        if (options.skipImmediate) {
            // Job.repeatEvery: compute from "last run = now", so the first run is one interval away.
            nextRunAt = nextRunFor(interval, now, now) ?? null;
        } else {
            nextRunAt = nextRunFor(interval, undefined, now) ?? null;
        }
        const job: Omit<JobRecord, '_id'> = {
            name,
            type: 'single',
            data,
            nextRunAt,
            lockedAt: null,
            repeatInterval: interval,
            lastModifiedBy: this.name,
            ...(nextRunAt ? {} : { failReason: 'failed to calculate nextRunAt due to invalid repeat interval', failCount: 1, failedAt: now }),
        };
        const saved = this.collection.upsertSingle(job, now);
        this.processSaved(saved);
        return saved;
    }

    cancel(query: JobQuery): number {
        return this.collection.remove(query);
    }

    jobs(query: JobQuery = {}): JobRecord[] {
        return this.collection.find(query);
    }

    /**
     * `agenda.start()`: poll now and every `processEvery` after — at the `phase` of every interval on the clock when one
     * is set (each poll timed from the clock, so that the instances' polls do not drift into step).
     */
    start(): void {
        if (this.active) {
            return;
        }
        this.active = true;
        setImmediate(() => this.processJobs());
        const every = this.processEvery;
        const phase = this.phase ?? Date.now() % every;
        const next = (): void => {
            this.pollTimer = setTimeout(() => {
                this.processJobs();
                if (this.active) {
                    next();
                }
            }, (((phase - Date.now()) % every) + every) % every || every);
            this.pollTimer.unref();
        };
        next();
    }

    /** `agenda.stop()`: no more polls; the claims this instance holds are released (a killed process never does this). */
    stop(): void {
        this.active = false;
        clearTimeout(this.pollTimer);
        this.pollTimer = undefined;
        this.timers.forEach(clearTimeout);
        this.timers.clear();
        this.collection.unlock([...this.locked.keys()]);
        this.locked.clear();
        this.queues.clear();
    }

    /** How many job runs are in progress on this instance. */
    get runsInProgress(): number {
        return this.running.size;
    }

    /** Resolves when the runs in progress have ended (tests, and `EngineHost.stop` before it unloads the app). */
    async idle(): Promise<void> {
        while (this.running.size) {
            await Promise.allSettled([...this.running]);
        }
    }

    /** `processJobs()`: for each defined name, claim every job due before the next scan. */
    processJobs(): void {
        if (!this.active) {
            return;
        }
        for (const name of this.definitions.keys()) {
            const now = new Date();
            this.nextScanAt = new Date(now.getTime() + this.processEvery);
            const lockDeadline = new Date(now.getTime() - this.lockLifetime);
            let job: JobRecord | undefined;
            while ((job = this.collection.findAndLock(name, this.nextScanAt, lockDeadline, now))) {
                this.enqueue(job);
            }
        }
    }

    /** `_processDbResult`: a job saved due before the next scan is locked on the fly by the instance that saved it. */
    private processSaved(job: JobRecord): void {
        if (!this.active || !this.definitions.has(job.name) || !job.nextRunAt || !this.nextScanAt || job.nextRunAt >= this.nextScanAt) {
            return;
        }
        const locked = this.collection.lockIfFree(job._id, job.nextRunAt, new Date());
        if (locked) {
            this.enqueue(locked);
        }
    }

    private enqueue(job: JobRecord): void {
        this.locked.set(job._id, job);
        // Agenda's `createJob` → `new Job({ nextRunAt: attrs.nextRunAt || new Date() })`: a claimed job without a next
        // run (a one-time job whose run began on an instance that died, or is still running after the lock lifetime —
        // Job.run cleared its nextRunAt) runs now, again.
        job.nextRunAt ??= new Date();
        const queue = this.queues.get(job.name) ?? [];
        queue.push(job);
        queue.sort(byNextRun);
        this.queues.set(job.name, queue);
        this.drain(job.name);
    }

    /** `_jobProcessing` with concurrency 1 per name: the next claimed job runs at its `nextRunAt`. */
    private drain(name: string): void {
        if (this.busy.has(name) || !this.active) {
            return;
        }
        const queue = this.queues.get(name) ?? [];
        const job = queue[0];
        if (!job) {
            return;
        }
        const wait = (job.nextRunAt?.getTime() ?? 0) - Date.now();
        if (wait > 0) {
            const timer = setTimeout(() => {
                this.timers.delete(timer);
                this.drain(name);
            }, wait);
            timer.unref();
            this.timers.add(timer);
            return;
        }
        queue.shift();
        this.busy.add(name);
        const run = this.runJob(job).finally(() => {
            this.running.delete(run);
            this.busy.delete(name);
            this.drain(name);
        });
        this.running.add(run);
    }

    /** `_runOrRetry` + `Job.run`. */
    private async runJob(job: JobRecord): Promise<void> {
        this.locked.delete(job._id);
        // A claim older than the lock lifetime is dropped here (another instance may own it now).
        if (job.lockedAt && job.lockedAt.getTime() < Date.now() - this.lockLifetime) {
            return;
        }
        const processor = this.definitions.get(job.name);
        job.lastRunAt = new Date();
        job.nextRunAt = job.type === 'single' && job.repeatInterval !== undefined ? (nextRunFor(job.repeatInterval, job.lastRunAt, job.lastRunAt) ?? null) : null;
        this.save(job, { lastRunAt: job.lastRunAt, nextRunAt: job.nextRunAt });
        let error: unknown;
        try {
            if (!processor) {
                throw new Error('Undefined job');
            }
            await processor(job);
        } catch (e) {
            error = e;
        }
        const now = new Date();
        const end: Partial<JobRecord> = error
            ? { failReason: describeError(error), failCount: (job.failCount ?? 0) + 1, failedAt: now, lastFinishedAt: now }
            : { lastFinishedAt: now };
        this.save(job, { ...end, lockedAt: null });
        if (error) {
            this.onFail?.(job, error);
        }
    }

    /** `job.save()` for a job that has an id: an update, never an upsert (a job cancelled meanwhile stays gone). */
    private save(job: JobRecord, set: Partial<JobRecord>): void {
        Object.assign(job, set);
        this.collection.update(job._id, { ...set, lastModifiedBy: this.name });
    }
}

/** Upstream's `_callProcessor`: the job's data without `appId`, plus `jobId`; a one-time job is deleted once it succeeded. */
function callProcessor(runner: JobRunner, processor: IProcessor['processor']): JobProcessor {
    return async (job) => {
        const { appId: _appId, ...data } = job.data;
        const context: IJobContext = { ...data, jobId: job._id };
        await (processor as (jobContext: IJobContext) => Promise<void>)(context);
        if (job.type === 'normal') {
            runner.cancel({ _id: job._id });
        }
    };
}

/** Upstream `AppSchedulerBridge` over this host's Agenda. */
export class HostSchedulerBridge extends SchedulerBridge {
    constructor(
        readonly runner: JobRunner,
        private readonly logError: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
    ) {
        super();
    }

    protected async registerProcessors(processors: IProcessor[] = [], appId: string): Promise<void | string[]> {
        const runAfterRegister: Array<Promise<void | string>> = [];
        for (const { id, processor, startupSetting } of processors) {
            this.runner.define(id, callProcessor(this.runner, processor));
            if (!startupSetting) {
                continue;
            }
            if (startupSetting.type === StartupType.ONETIME) {
                // scheduleOnceAfterRegister: only when no one-time job of that processor is pending.
                if (!this.runner.jobs({ name: id, type: 'normal' }).length) {
                    runAfterRegister.push(this.scheduleOnce({ id, when: startupSetting.when, data: startupSetting.data }, appId));
                }
            } else if (startupSetting.type === StartupType.RECURRING) {
                runAfterRegister.push(
                    this.scheduleRecurring({ id, interval: startupSetting.interval, skipImmediate: startupSetting.skipImmediate, data: startupSetting.data }, appId),
                );
            } else {
                this.logError('Unknown startup setting type', (startupSetting as { type?: unknown }).type);
            }
        }
        if (runAfterRegister.length) {
            return (await Promise.all(runAfterRegister)) as string[];
        }
    }

    protected async scheduleOnce({ id, when, data }: IOnetimeSchedule, appId: string): Promise<void | string> {
        try {
            this.runner.start();
            return this.runner.schedule(when, id, { ...data, appId })._id;
        } catch (error) {
            this.logError(`scheduleOnce ${id} failed`, error);
        }
    }

    protected async scheduleRecurring({ id, interval, skipImmediate = false, data }: IRecurringSchedule, appId: string): Promise<void | string> {
        try {
            this.runner.start();
            return this.runner.every(interval, id, { ...data, appId }, { skipImmediate })._id;
        } catch (error) {
            this.logError(`scheduleRecurring ${id} failed`, error);
        }
    }

    /**
     * By job id when the part before the first `_` is an ObjectId (upstream: `new ObjectId(jobId.split('_')[0])`),
     * else every job of that name (the engine hands `<id>_<app id>`). Like upstream it does not check whose job it is.
     */
    protected async cancelJob(jobId: string, _appId: string): Promise<void> {
        this.runner.start();
        const head = jobId.split('_')[0];
        try {
            this.runner.cancel(/^[0-9a-f]{24}$/i.test(head) ? { _id: head.toLowerCase() } : { name: jobId });
        } catch (error) {
            this.logError(`cancelJob ${jobId} failed`, error);
        }
    }

    protected async cancelAllJobs(appId: string): Promise<void> {
        this.runner.start();
        try {
            this.runner.cancel({ nameEndsWith: `_${appId}` });
        } catch (error) {
            this.logError(`cancelAllJobs ${appId} failed`, error);
        }
    }
}
