/**
 * The host's Agenda (host/engine/scheduler.cts) without an engine: intervals and times as Agenda reads them, and two
 * runners (two instances) over one job collection — each due job claimed by one of them, a claim held until its lock
 * expires, and a one-time job claimed after its lock expired runs again.
 */
import { humanInterval, JobRunner, MemoryJobCollection, nextCronRun, nextRunFor, parseCron, parseWhen } from '../../host/engine/scheduler.cjs';
import type { JobRecord } from '../../host/engine/scheduler.cjs';

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

    it('each due job is claimed by exactly one runner and runs once; a one-time job is not deleted by Agenda itself', async () => {
        const collection = new MemoryJobCollection();
        const ran: Array<[string, string]> = [];
        const work = (name: string) => async (job: JobRecord) => {
            ran.push([name, job._id]);
            await sleep(5);
        };
        // Polls far apart, driven by hand below, so which runner claims what does not depend on the machine's load.
        const a = new JobRunner({ collection, processEvery: 60000, name: 'a' });
        const b = new JobRunner({ collection, processEvery: 60000, name: 'b' });
        for (const [r, name] of [[a, 'a'], [b, 'b']] as const) {
            r.define('work_app', work(name));
            r.start();
            runners.push(r);
        }
        await sleep(20); // the first poll of each (nothing due yet)
        const due = () => collection.insert({ name: 'work_app', type: 'normal', data: {}, nextRunAt: new Date(), lockedAt: null });
        const first = Array.from({ length: 5 }, due);
        b.processJobs();
        a.processJobs(); // finds nothing: every due job is locked by b
        const second = Array.from({ length: 5 }, due);
        a.processJobs();
        b.processJobs();
        await until(() => ran.length >= 10);
        await Promise.all([a.idle(), b.idle()]);
        expect(ran.filter(([name]) => name === 'b').map(([, id]) => id)).toEqual(first);
        expect(ran.filter(([name]) => name === 'a').map(([, id]) => id)).toEqual(second);
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

    it('a one-time job whose run began on a dead instance runs again once its lock expired (new Job: nextRunAt || now)', async () => {
        const collection = new MemoryJobCollection();
        const started = new Date(Date.now() - 60000);
        const id = collection.insert({ name: 'work_app', type: 'normal', data: {}, nextRunAt: null, lockedAt: started, lastRunAt: started });
        const fresh = collection.insert({ name: 'work_app', type: 'normal', data: {}, nextRunAt: null, lockedAt: new Date(), lastRunAt: new Date() });
        const ran: string[] = [];
        runner(collection, 'b', async (job) => void ran.push(job._id), 1000);
        await until(() => ran.length > 0);
        await sleep(200);
        expect(ran).toEqual([id]);
        expect(collection.find({ _id: fresh })[0].lastModifiedBy).toBeUndefined();
    });
});
