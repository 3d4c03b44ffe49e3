/**
 * The scheduler bridge through the real engine (Deno runtime) with the scheduler probe app: what upstream's
 * `AppSchedulerBridge` over Agenda does with one-time and recurring jobs, cancels, the app's lifecycle, and the
 * `scheduler` app permission. Agenda's poll is shortened to 150 ms (Rocket.Chat: 5 s).
 */
import { EngineHost } from '../../host/engine/EngineHost.cjs';
import type { JobRecord } from '../../host/engine/scheduler.cjs';
import { demoWorkspace } from '../../host/workspace/demo.cjs';
import { SCHEDULER_PROBE_ID, schedulerProbeZip } from './schedulerProbeApp.cjs';
import type { ProbeRun } from './schedulerProbeApp.cjs';

const POLL_MS = 150;

describe('scheduler bridge (engine + scheduler probe app)', () => {
    let host: EngineHost;

    beforeAll(async () => {
        host = await EngineHost.start({ workspace: demoWorkspace().workspace, scheduler: { processEvery: POLL_MS } });
        await host.install(schedulerProbeZip());
    }, 120000);

    afterAll(async () => {
        await host?.stop();
    });

    afterEach(async () => {
        host.scheduler.cancel({});
        await host.scheduler.idle();
        await call('cancel-all');
        runsSeen += (await runs()).length;
    });

    let runsSeen = 0;

    async function call(path: string, body: object = {}): Promise<Record<string, unknown>> {
        const res = await host.callApi({ path, body });
        expect(res.status).toBe(200);
        return res.body as Record<string, unknown>;
    }

    /** The processor records written since the previous test. */
    async function runs(): Promise<ProbeRun[]> {
        return ((await call('runs')).runs as ProbeRun[]).slice(runsSeen);
    }

    const jobs = (): JobRecord[] => host.scheduler.jobs();
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

    async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, ms = 10000): Promise<T> {
        const end = Date.now() + ms;
        let value = await probe();
        while (!ok(value) && Date.now() < end) {
            await sleep(50);
            value = await probe();
        }
        return value;
    }

    it('scheduleOnce: one new job per call, named <processor>_<app id>; the processor gets data without appId plus jobId; deleted after success', async () => {
        const when = new Date(Date.now() + 60000).toISOString();
        const a = (await call('schedule-once', { id: 'record', when, data: { n: 1 } })).jobId as string;
        const b = (await call('schedule-once', { id: 'record', when, data: { n: 1 } })).jobId as string;
        expect(a).toMatch(/^[0-9a-f]{24}$/);
        expect(b).not.toBe(a);
        expect(jobs().map((j) => [j._id, j.name, j.type, j.data])).toEqual([
            [a, `record_${SCHEDULER_PROBE_ID}`, 'normal', { n: 1, appId: SCHEDULER_PROBE_ID }],
            [b, `record_${SCHEDULER_PROBE_ID}`, 'normal', { n: 1, appId: SCHEDULER_PROBE_ID }],
        ]);
        await call('cancel-all');

        const now = (await call('schedule-once', { id: 'record', when: new Date().toISOString(), data: { n: 2 } })).jobId as string;
        const done = await until(runs, (r) => r.some((x) => x.phase === 'done'));
        expect(done.map((r) => [r.phase, r.context])).toEqual([
            ['start', { n: 2, jobId: now }],
            ['done', { n: 2, jobId: now }],
        ]);
        await host.scheduler.idle();
        expect(jobs()).toEqual([]);
    });

    it('"in 300 ms" style times: a one-time job runs at its time, not before', async () => {
        const started = Date.now();
        await call('schedule-once', { id: 'record', when: 'in 1 second', data: {} });
        const done = await until(runs, (r) => r.some((x) => x.phase === 'done'));
        expect(done[0].at - started).toBeGreaterThanOrEqual(900);
    });

    it('a processor that throws leaves its one-time job failed, never run again', async () => {
        const id = (await call('schedule-once', { id: 'record', when: new Date().toISOString(), data: { fail: true } })).jobId as string;
        await until(async () => jobs()[0]?.failCount, (count) => count === 1);
        await sleep(POLL_MS * 4);
        expect(jobs()).toMatchObject([{ _id: id, failReason: expect.any(String), failCount: 1, nextRunAt: null, lockedAt: null }]);
        expect((await runs()).map((r) => r.phase)).toEqual(['start']);
        expect(host.errorLines().length).toBeGreaterThan(0);
    });

    it('scheduleRecurring: upserts the single job of that name (same id back), runs at once, then every interval; skipImmediate waits', async () => {
        const first = (await call('schedule-recurring', { id: 'tick', interval: '500 ms', data: { v: 1 } })).jobId as string;
        const again = (await call('schedule-recurring', { id: 'tick', interval: '500 ms', data: { v: 2 } })).jobId as string;
        expect(again).toBe(first);
        expect(jobs()).toHaveLength(1);
        expect(jobs()[0]).toMatchObject({ data: { v: 2, appId: SCHEDULER_PROBE_ID }, repeatInterval: '500 ms' });
        const ticks = await until(runs, (r) => r.length >= 3, 5000);
        expect(ticks.length).toBeGreaterThanOrEqual(3);
        expect(ticks.at(-1)?.context).toEqual({ v: 2, jobId: first });
        await call('cancel', { id: 'tick' });
        await host.scheduler.idle();
        expect(jobs()).toEqual([]);

        runsSeen += (await runs()).length;
        await call('schedule-recurring', { id: 'tick', interval: '2 seconds', skipImmediate: true, data: {} });
        expect(jobs()[0].nextRunAt?.getTime()).toBeGreaterThan(Date.now() + 1500);
        await sleep(POLL_MS * 3);
        expect(await runs()).toEqual([]);
        // Agenda's _saveSingleJob: an upsert that would run at once keeps the existing job's next time ($setOnInsert).
        const next = jobs()[0].nextRunAt;
        await call('schedule-recurring', { id: 'tick', interval: '100 ms', data: {} });
        expect(jobs()[0]).toMatchObject({ nextRunAt: next, repeatInterval: '100 ms' });
    });

    it('cron intervals: the next run is the next matching time', async () => {
        await call('schedule-recurring', { id: 'tick', interval: '0 0 1 1 *', skipImmediate: true, data: {} });
        const next = jobs()[0].nextRunAt as Date;
        expect([next.getMonth(), next.getDate(), next.getHours(), next.getMinutes()]).toEqual([0, 1, 0, 0]);
        expect(next.getTime()).toBeGreaterThan(Date.now());
    });

    it('cancelJob by job id removes that job only; by processor id every job of it; cancelAllJobs every job of the app', async () => {
        const later = new Date(Date.now() + 60000).toISOString();
        const a = (await call('schedule-once', { id: 'record', when: later })).jobId as string;
        const b = (await call('schedule-once', { id: 'record', when: later })).jobId as string;
        await call('schedule-recurring', { id: 'tick', interval: '1 hour', skipImmediate: true });
        // Another app's job in the same collection: no cancel of this app touches it.
        host.scheduler.collection.insert({ name: 'other_another-app', type: 'normal', data: {}, nextRunAt: new Date(Date.now() + 60000), lockedAt: null });

        await call('cancel', { id: a });
        expect(jobs().map((j) => j._id)).not.toContain(a);
        expect(jobs().map((j) => j._id)).toContain(b);
        await call('cancel', { id: 'record' });
        expect(jobs().map((j) => j.name).sort()).toEqual(['other_another-app', `tick_${SCHEDULER_PROBE_ID}`]);
        await call('cancel-all');
        expect(jobs().map((j) => j.name)).toEqual(['other_another-app']);
    });

    it('disable keeps the jobs; a one-time job due while disabled resolves without running and is lost; enable: recurring jobs run again', async () => {
        const later = new Date(Date.now() + 800).toISOString();
        await call('schedule-once', { id: 'record', when: later, data: { lost: true } });
        await call('schedule-recurring', { id: 'tick', interval: '1 hour', skipImmediate: true });
        await host.disable();
        expect(jobs()).toHaveLength(2);
        await until(async () => jobs().length, (n) => n === 1, 5000);
        expect(jobs().map((j) => j.type)).toEqual(['single']);
        await host.enable();
        expect(await runs()).toEqual([]);

        await call('cancel', { id: 'tick' });
        await call('schedule-recurring', { id: 'tick', interval: '500 ms' });
        await host.disable();
        await host.scheduler.idle();
        await sleep(1200);
        await host.enable();
        const before = (await runs()).length;
        await until(runs, (r) => r.length > before, 5000);
        expect((await runs()).length).toBeGreaterThan(before);
    });

    it('update keeps the jobs; uninstall cancels them all', async () => {
        await call('schedule-once', { id: 'record', when: new Date(Date.now() + 60000).toISOString() });
        await host.update(schedulerProbeZip('0.0.2'));
        expect(jobs().map((j) => j.name)).toEqual([`record_${SCHEDULER_PROBE_ID}`]);
        await host.uninstall();
        expect(jobs()).toEqual([]);
        await host.install(schedulerProbeZip());
    }, 60000);

    it('without the scheduler permission the bridge refuses silently: no job, the app gets undefined', async () => {
        await host.update(schedulerProbeZip('0.0.3', [{ name: 'api' }, { name: 'persistence' }]));
        expect((await call('schedule-once', { id: 'record', when: new Date().toISOString() })).jobId).toBeNull();
        expect(jobs()).toEqual([]);
    }, 60000);
});

describe('stopping a host while a job runs (the leaked handle at the end of npm test, findings §B11)', () => {
    it('stop() waits for the run in progress: nothing is left calling a runtime that is gone', async () => {
        const host = await EngineHost.start({ workspace: demoWorkspace().workspace, scheduler: { processEvery: POLL_MS } });
        try {
            await host.install(schedulerProbeZip());
            const started = await host.callApi({ path: 'schedule-once', body: { id: 'record', when: new Date().toISOString(), data: { sleepMs: 800 } } });
            expect(started.status).toBe(200);
            const deadline = Date.now() + 10000;
            while (host.scheduler.runsInProgress === 0 && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
            expect(host.scheduler.runsInProgress).toBe(1);
        } finally {
            await host.stop();
        }
        // Before the fix stop() unloaded the app under the run, whose runtime request then held the jest worker open
        // until the engine's request timeout (30 s by default): "A worker process has failed to exit gracefully".
        expect(host.scheduler.runsInProgress).toBe(0);
    }, 60000);
});
