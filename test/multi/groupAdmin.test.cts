/**
 * The packaged Group Admin app on two Rocket.Chat instances (test/multi/harness.cts): a change through one instance's
 * door is seen by the other (one workspace, one app persistence), settings saved on one reach both, and an instance
 * that crashed and came back serves the app with its settings. Two-instance tests of the app belong in this file, so
 * they share its two engine processes.
 */
import { withoutRateLimits } from '../engine/harness.cjs';
import { useCluster } from './harness.cjs';
import type { ClusterUnderTest } from './harness.cjs';

describe('Group Admin on two instances', () => {
    let c: ClusterUnderTest;
    useCluster((booted) => (c = booted), { processEvery: 200, lockLifetime: 5000 });

    it('a change through instance 1 is in the workspace and in the history instance 0 reads', async () => {
        await c.fresh(withoutRateLimits);
        await c.commandOn(1, 'alice', 'project-x', '/encrypt on');
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
        const status = await c.replyOn(0, 'alice', 'project-x', '/encrypt status');
        expect(status).toMatch(/^End-to-end encryption is on for project-x\. Last change through Group Admin, .*@alice turned end-to-end encryption on/);
        const http = await c.apiOn(0, 'groups.setEncrypted', { roomName: 'project-x', encrypted: false }, 'alice');
        expect(http.status).toBe(200);
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(false);
        expect(await c.replyOn(1, 'alice', 'project-x', '/encrypt status')).toMatch(/^End-to-end encryption is off for project-x\. Last change through Group Admin, .*@alice turned end-to-end encryption off/);
    });

    it('an instance killed and started again loads the app with the settings saved meanwhile', async () => {
        await c.kill(1);
        await c.fresh(withoutRateLimits, { confirm_changes: true });
        await c.restart(1);
        expect(await c.cluster.instance(1).status()).toMatch(/enabled/);
        expect((await c.cluster.instance(1).settings()).confirm_changes.value).toBe(true);
        await c.commandOn(1, 'alice', 'project-x', '/encrypt on');
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
        // confirm_changes, saved while instance 1 was down: turning encryption off asks first.
        const off = await c.commandOn(1, 'alice', 'project-x', '/encrypt off');
        expect(off.deliveries.some((d) => d.kind === 'uiInteraction')).toBe(true);
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
    });

    it('a bulk job spread over both instances, one of them stopped mid-job: every room changed exactly once, with exactly one receipt', async () => {
        const names = Array.from({ length: 6 }, (_, i) => `bulk-${i}`);
        await c.fresh((fixture) => {
            const alice = fixture.workspace.getUserByUsername('alice')?._id as string;
            names.forEach((name) => fixture.workspace.addRoom({ name, t: 'p', owner: alice }));
            // The service account without api-bypass-rate-limit, 100 calls per 50 s: one write a second, one run each.
            fixture.workspace.setPermissionRoles('api-bypass-rate-limit', []);
            fixture.workspace.setSetting('API_Enable_Rate_Limiter_Limit_Calls_Default', 100);
            fixture.workspace.setSetting('API_Enable_Rate_Limiter_Limit_Time_Default', 50000);
        });
        const runsBefore = c.cluster.jobs.history.length;
        const started = await c.apiOn(0, 'groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: names.map((name) => c.roomId(name)) }, 'alice');
        expect(started.status).toBe(202);
        const jobId = (started.body as { job: { _id: string } }).job._id;
        const progress = async (i: number) => (await c.apiOn(i, 'groups.bulk', undefined, 'alice', 'GET', { jobId, count: '0' })).body as {
            job: { status: string; changed: number; total: number };
            receipts: Array<{ roomId: string; result: string }>;
        };
        // Once the job is under way, stop the instance that ran its last run, between two paced runs: the other one
        // must take the job over.
        const deadline = Date.now() + 60000;
        while ((await progress(0)).receipts.length < 2 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await c.cluster.idle();
        const bulkRuns = () => c.cluster.jobs.history.slice(runsBefore).filter((event) => event.name.startsWith('group-admin-bulk') && event.event === 'end');
        const stopped = Number(bulkRuns().slice(-1)[0].by.replace('instance-', ''));
        const survivor = 1 - stopped;
        await c.kill(stopped);
        let last = await progress(survivor);
        while (!['done', 'cancelled', 'failed'].includes(last.job.status) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            last = await progress(survivor);
        }
        expect(last.job).toMatchObject({ status: 'done', changed: 6, total: 6 });
        expect(last.receipts.map((receipt) => receipt.roomId).sort()).toEqual(names.map((name) => c.roomId(name)).sort());
        expect(last.receipts.every((receipt) => receipt.result === 'changed')).toBe(true);
        expect(names.map((name) => c.workspace.getRoomByName(name)?.encrypted)).toEqual(names.map(() => true));
        // Each room written once, recorded once.
        const writes = c.workspace.restCalls.filter((call) => call.path === '/api/v1/rooms.saveRoomSettings');
        expect(writes).toHaveLength(6);
        for (const name of names) {
            const history = (await c.apiOn(survivor, 'groups.history', undefined, 'alice', 'GET', { roomName: name })).body as { history: Array<{ jobId?: string }> };
            expect(history.history.filter((record) => record.jobId === jobId)).toHaveLength(1);
        }
        // The job's runs went through both instances: the stopped one before, the other after.
        expect(new Set(bulkRuns().map((event) => event.by))).toEqual(new Set(['instance-0', 'instance-1']));
        await c.restart(stopped);
    }, 120000);
});
