/**
 * The scheduled encryption report (interface.md §4, §9; issue 16): `report_schedule` (`off` | `daily` | `weekly`)
 * keeps one recurring scheduler job (cron at 08:00 server time, weekly on Mondays, `skipImmediate`), and each firing
 * posts the report's summary in `alert_room` — only where alerts may go — never at start-up. The job is fired by driving
 * the host's Agenda (host/engine/scheduler.cts) directly, not by waiting for 08:00.
 */
import type { JobRecord } from '../../../host/engine/scheduler.cjs';
import type { EngineUnderTest, Fixture } from '../harness.cjs';
import { APP_ID, useEngine, withoutRateLimits } from '../harness.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

/** The job's name in `rocketchat_apps_scheduler`: `<processor id>_<app id>`. */
const JOB_NAME = `group-admin-scheduled-report_${APP_ID}`;

/** A private group `security` of admins only (admin and the service account), as in policy.test.cts. */
function withAlertRoom(fixture: Fixture): void {
    withoutRateLimits(fixture);
    const admin = fixture.workspace.getUserByUsername('admin')?._id as string;
    fixture.workspace.addRoom({ name: 'security', t: 'p', owner: admin });
}

/** Each test starts with the schedule off (the engine, and its job collection, outlive `fresh()`). */
function fresh(settings: Record<string, unknown>, prepare: (fixture: Fixture) => void = withAlertRoom): Promise<Fixture> {
    return engine.fresh(prepare, { alert_room: 'security', report_schedule: 'off', ...settings });
}

function reportJobs(): JobRecord[] {
    return engine.host.scheduler.jobs({ name: JOB_NAME });
}

function botLines(room = 'security'): string[] {
    return engine.workspace
        .getMessages(engine.roomId(room))
        .filter((m) => !m.t && m.u.username.endsWith('.bot'))
        .map((m) => m.msg);
}

/** Makes the report's job due now and lets this instance's Agenda claim and run it, as at 08:00. */
async function fire(): Promise<void> {
    const runner = engine.host.scheduler;
    const [job] = reportJobs();
    expect(job).toBeDefined();
    runner.collection.update(job._id, { nextRunAt: new Date(Date.now() - 1000) });
    runner.processJobs();
    await runner.idle();
}

/** A poll of this instance's Agenda, and whatever it ran. */
async function poll(): Promise<void> {
    engine.host.scheduler.processJobs();
    await engine.host.scheduler.idle();
}

function expectNextAt8(job: JobRecord, weekday?: number): void {
    const next = job.nextRunAt as Date;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual((weekday === undefined ? 1 : 7) * 24 * 3600 * 1000);
    expect([next.getHours(), next.getMinutes(), next.getSeconds()]).toEqual([8, 0, 0]);
    if (weekday !== undefined) {
        expect(next.getDay()).toBe(weekday);
    }
}

describe('report_schedule: the recurring job', () => {
    it('daily, then weekly: one job, upserted, its cron at 08:00 (Mondays), skipImmediate; nothing runs now', async () => {
        await fresh({});
        expect(reportJobs()).toEqual([]);
        const every = jest.spyOn(engine.host.scheduler, 'every');
        try {
            await engine.host.setSettings({ report_schedule: 'daily' });
            const [daily] = reportJobs();
            expect(reportJobs()).toHaveLength(1);
            expect(daily).toMatchObject({ type: 'single', repeatInterval: '0 8 * * *', data: { appId: APP_ID } });
            expect(daily.failReason).toBeUndefined();
            expectNextAt8(daily);

            await engine.host.setSettings({ report_schedule: 'weekly' });
            const [weekly] = reportJobs();
            expect(reportJobs()).toHaveLength(1);
            expect(weekly._id).toBe(daily._id);
            expect(weekly.repeatInterval).toBe('0 8 * * 1');
            expectNextAt8(weekly, 1);

            const calls = every.mock.calls.filter(([, name]) => name === JOB_NAME);
            expect(calls.map(([interval, , , options]) => [interval, options])).toEqual([
                ['0 8 * * *', { skipImmediate: true }],
                ['0 8 * * 1', { skipImmediate: true }],
            ]);
        } finally {
            every.mockRestore();
        }
        await poll();
        expect(botLines()).toEqual([]);
    });

    it('off cancels the job', async () => {
        await fresh({ report_schedule: 'daily' });
        expect(reportJobs()).toHaveLength(1);
        await engine.host.setSettings({ report_schedule: 'off' });
        expect(reportJobs()).toEqual([]);
    });

    it('a value that is no schedule: the setting and the job stay as they were, and the app log says why', async () => {
        await fresh({ report_schedule: 'daily' });
        const lines = await engine.logLinesDuring(() => engine.host.setSettings({ report_schedule: 'hourly' }));
        expect(engine.host.settings().report_schedule.value).toBe('daily');
        expect(reportJobs().map((job) => job.repeatInterval)).toEqual(['0 8 * * *']);
        expect(lines.some((line) => line.severity === 'warning' && line.text.includes('report_schedule') && line.text.includes('"hourly"'))).toBe(true);
    });

    it('start-up (enable): the job is in place again, its next run at 08:00 — a firing missed while down is not run now', async () => {
        await fresh({ report_schedule: 'daily' });
        await engine.host.disable();
        // What another instance, or a restore, may leave: no job at all — and one overdue from a missed 08:00.
        engine.host.scheduler.cancel({ name: JOB_NAME });
        await engine.host.enable();
        expect(reportJobs()).toHaveLength(1);
        expectNextAt8(reportJobs()[0]);

        await engine.host.disable();
        const [job] = reportJobs();
        engine.host.scheduler.collection.update(job._id, { nextRunAt: new Date(Date.now() - 3600 * 1000) });
        await engine.host.enable();
        await poll();
        await engine.host.settled();
        expect(botLines()).toEqual([]);
        expectNextAt8(reportJobs()[0]);
    });
});

describe('report_schedule: a firing', () => {
    it("posts one message in alert_room: the summary of every private group, as the report counts them", async () => {
        await fresh({ report_schedule: 'daily' });
        await fire();
        const lines = botLines();
        expect(lines).toHaveLength(1);
        const report = await engine.host.callApi({ method: 'GET', path: 'groups.encryptionReport', query: { count: '1' }, headers: engine.headersOf('admin') });
        const summary = (report.body as { summary: Record<string, number> }).summary;
        // The demo's private groups and the alert room: project-x, old-stuff (archived), eng, eng-secrets, security.
        expect(summary).toMatchObject({ privateGroups: 5, archived: 1 });
        expect(lines[0]).toContain(
            `${summary.privateGroups} private groups — ${summary.encrypted} encrypted, ${summary.unencrypted} not encrypted; ${summary.changeable} an administrator can change now; ${summary.archived} archived, ${summary.federated} federated.`,
        );
        expect(lines[0]).toMatch(/^Encryption report, \d{4}-\d\d-\d\d \d\d:\d\d UTC:/);
        expect(lines[0]).toContain(`/api/apps/public/${APP_ID}/groups.encryptionReport`);
        // The job ran and goes on: not failed, next at 08:00.
        const [job] = reportJobs();
        expect(job.failReason).toBeUndefined();
        expectNextAt8(job);
    });

    it("in the server's language", async () => {
        await fresh({ report_schedule: 'daily' }, (f) => {
            withAlertRoom(f);
            f.workspace.setSetting('Language', 'de');
        });
        await fire();
        expect(botLines()).toEqual([expect.stringMatching(/^Verschlüsselungsbericht, .*: 5 private Gruppen — .*\nDie Liste: `\/encrypt report` oder GET /)]);
    });

    it('E2E_Enable off: the summary says so', async () => {
        await fresh({ report_schedule: 'daily' }, (f) => {
            withAlertRoom(f);
            f.workspace.setSetting('E2E_Enable', false);
        });
        await fire();
        const lines = botLines();
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('0 an administrator can change now');
        expect(lines[0]).toContain('End-to-end encryption is off in this workspace');
    });

    it.each([
        ['a member without view-room-administration', 'security', (f: Fixture) => f.workspace.addMember(f.workspace.getRoomByName('security')?._id as string, f.workspace.getUserByUsername('carol')?._id as string), 'a member of the room does not hold view-room-administration'],
        ['a public room', 'general', () => undefined, 'not a private group'],
        ['a room that does not exist', 'nowhere', () => undefined, 'does not exist'],
        ['no alert room', '', () => undefined, 'alert_room is empty'],
    ])('%s: nothing posted, a setup warning naming why, the job goes on', async (_label, alertRoom, prepare, why) => {
        await fresh({ report_schedule: 'daily', alert_room: alertRoom }, (f) => {
            withAlertRoom(f);
            prepare(f);
        });
        const lines = await engine.logLinesDuring(fire);
        expect(botLines('security')).toEqual([]);
        expect(botLines('general')).toEqual([]);
        expect(lines.some((line) => line.severity === 'warning' && line.text.includes('alert_room') && line.text.includes('scheduled encryption report') && line.text.includes(why))).toBe(true);
        expect(reportJobs()[0].failReason).toBeUndefined();
    });

    it('a job left from before the setting went off posts nothing', async () => {
        await fresh({ report_schedule: 'daily' });
        await engine.host.setSettings({ report_schedule: 'off' });
        // The job as an instance that missed the change would have left it.
        engine.host.scheduler.every('0 8 * * *', JOB_NAME, { appId: APP_ID }, { skipImmediate: true });
        await fire();
        expect(botLines()).toEqual([]);
        engine.host.scheduler.cancel({ name: JOB_NAME });
    });
});
