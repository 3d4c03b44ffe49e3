/**
 * The host's Agenda (host/engine/scheduler.ts) without an engine: intervals and times as Agenda reads them, and two
 * runners (two instances) over one job collection — each due job claimed by one of them, a claim held until its lock
 * expires, and what upstream's queue does with a one-time job claimed after its lock expired.
 */
import { humanInterval, JobRunner, MemoryJobCollection, nextCronRun, nextRunFor, parseCron, parseWhen } from '../../host/engine/scheduler';
import type { JobRecord } from '../../host/engine/scheduler';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(ok: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!ok() && Date.now() < end) {
        await sleep(20);
    }
}

describe('intervals and times', () => {
    it('human-interval: numbers, units, words and sums; anything else is none', () => {
        expect(humanInterval(5000)).toBe(5000);
        expect(humanInterval('5000')).toBe(5000);
        expect(humanInterval('5 seconds')).toBe(5000);
        expect(humanInterval('500 ms')).toBe(500);
        expect(humanInterval('one minute and 30 seconds')).toBe(90000);
        expect(humanInterval('2 hours')).toBe(7200000);
        expect(humanInterval('soon')).toBeUndefined();
        expect(humanInterval('')).toBeUndefined();
    });

    it('cron: 5 and 6 fields, steps, ranges and lists; a bad expression is none', () => {
        const from = new Date(2026, 0, 1, 10, 7, 30);
        expect(nextCronRun(parseCron('*/15 * * * *')!, from)).toEqual(new Date(2026, 0, 1, 10, 15, 0));
        expect(nextCronRun(parseCron('0 9-17/4 * * 1-5')!, from)).toEqual(new Date(2026, 0, 1, 13, 0, 0));
        expect(nextCronRun(parseCron('*/10 * * * * *')!, from)).toEqual(new Date(2026, 0, 1, 10, 7, 40));
        expect(nextCronRun(parseCron('0 0 29 2 *')!, from)).toEqual(new Date(2028, 1, 29, 0, 0, 0));
        expect(parseCron('5 seconds')).toBeUndefined();
        expect(parseCron('61 * * * *')).toBeUndefined();
    });

    it('a recurring job first runs now (human-interval) or at the next cron time, then one interval after its last run', () => {
        const now = new Date(2026, 0, 1, 10, 0, 0);
        expect(nextRunFor('1 minute', undefined, now)).toEqual(now);
        expect(nextRunFor('1 minute', now, now)).toEqual(new Date(2026, 0, 1, 10, 1, 0));
        expect(nextRunFor('0 12 * * *', undefined, now)).toEqual(new Date(2026, 0, 1, 12, 0, 0));
        expect(nextRunFor('whenever', undefined, now)).toBeUndefined();
    });

    it('when: a date, "in …", "… from now"; anything else is now', () => {
        const now = new Date(2026, 0, 1, 10, 0, 0);
        expect(parseWhen('2026-02-01T00:00:00.000Z', now)).toEqual(new Date('2026-02-01T00:00:00.000Z'));
        expect(parseWhen('in 5 minutes', now)).toEqual(new Date(2026, 0, 1, 10, 5, 0));
        expect(parseWhen('2 hours from now', now)).toEqual(new Date(2026, 0, 1, 12, 0, 0));
        expect(parseWhen('someday', now)).toEqual(now);
    });
});

describe('two runners over one collection', () => {
    const runners: JobRunner[] = [];
    afterEach(() => runners.splice(0).forEach((r) => r.stop()));

    function runner(collection: MemoryJobCollection, name: string, processor: (job: JobRecord) => Promise<void>, lockLifetime?: number): JobRunner {
        const r = new JobRunner({ collection, processEvery: 50, lockLifetime, name });
        r.define('work_app', processor);
        r.start();
        runners.push(r);
        return r;
    }

    it('each due job is claimed by exactly one runner and runs once; jobs due over time spread over both; a one-time job is not deleted by Agenda itself', async () => {
        const collection = new MemoryJobCollection();
        const ran: Array<[string, string]> = [];
        const slow = (name: string) => async (job: JobRecord) => {
            ran.push([name, job._id]);
            await sleep(5);
        };
        const a = runner(collection, 'a', slow('a'));
        await sleep(25); // the instances poll out of phase, as two servers do
        runner(collection, 'b', slow('b'));
        // Agenda claims every job due before its next scan in one go: jobs due at different times spread over both.
        for (let i = 0; i < 40; i++) {
            a.schedule(new Date(Date.now() + 100 + i * 20), 'work_app', { i });
        }
        await until(() => ran.length >= 40);
        await sleep(200);
        expect(ran).toHaveLength(40);
        expect(new Set(ran.map(([, id]) => id)).size).toBe(40);
        expect(new Set(ran.map(([name]) => name))).toEqual(new Set(['a', 'b']));
        // Agenda keeps a finished one-time job (nextRunAt null); the apps bridge is what deletes it.
        expect(collection.find().every((j) => j.nextRunAt === null && j.lockedAt === null && j.lastFinishedAt)).toBe(true);
    });

    it('a claim is held until its lock expires: a recurring job of a dead runner runs elsewhere only after the lock lifetime', async () => {
        const collection = new MemoryJobCollection();
        let runsOnB = 0;
        const dead = new JobRunner({ collection, processEvery: 50, name: 'dead' });
        dead.define('work_app', () => new Promise<void>(() => undefined)); // never ends: the process "died" mid-run
        dead.start();
        runners.push(dead);
        const job = dead.every('1 second', 'work_app', {});
        await until(() => collection.find()[0].lockedAt !== null);
        // The dead runner is gone without releasing its claim (no stop(): a killed process does not unlock).
        runner(collection, 'b', async () => void runsOnB++, 400);
        await sleep(200);
        expect(runsOnB).toBe(0);
        await until(() => runsOnB > 0, 3000);
        expect(runsOnB).toBeGreaterThan(0);
        expect(collection.find({ _id: job._id })[0].lastModifiedBy).toBe('b');
    });

    it('a one-time job claimed after its lock expired never runs again, and stalls that runner (upstream JobProcessingQueue)', async () => {
        const collection = new MemoryJobCollection();
        const id = collection.insert({ name: 'work_app', type: 'normal', data: {}, nextRunAt: null, lockedAt: new Date(Date.now() - 60000), lastRunAt: new Date(Date.now() - 60000) });
        const ran: string[] = [];
        const b = runner(collection, 'b', async (job) => void ran.push(job._id), 1000);
        await until(() => !!b.stalledBy);
        expect(b.stalledBy?._id).toBe(id);
        b.schedule(new Date(), 'work_app', {});
        await sleep(200);
        expect(ran).toEqual([]);
    });
});
