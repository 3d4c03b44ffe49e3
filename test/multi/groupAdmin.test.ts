/**
 * The packaged Group Admin app on two Rocket.Chat instances (test/multi/harness.ts): a change through one instance's
 * door is seen by the other (one workspace, one app persistence), settings saved on one reach both, and an instance
 * that crashed and came back serves the app with its settings. Two-instance tests of the app belong in this file, so
 * they share its two engine processes.
 */
import { withoutRateLimits } from '../engine/harness';
import { useCluster } from './harness';
import type { ClusterUnderTest } from './harness';

describe('Group Admin on two instances', () => {
    let c: ClusterUnderTest;
    useCluster((booted) => (c = booted), { processEvery: 200, lockLifetime: 5000 });

    it('a change through instance 1 is in the workspace and in the history instance 0 reads', async () => {
        await c.fresh(withoutRateLimits);
        await c.command(1, 'alice', 'project-x', '/encrypt on');
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
        const status = await c.reply(0, 'alice', 'project-x', '/encrypt status');
        expect(status).toMatch(/^End-to-end encryption is on for project-x\. Last change through Group Admin, .*@alice turned end-to-end encryption on/);
        const http = await c.api(0, 'groups.setEncrypted', { roomName: 'project-x', encrypted: false }, 'alice');
        expect(http.status).toBe(200);
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(false);
        expect(await c.reply(1, 'alice', 'project-x', '/encrypt status')).toMatch(/^End-to-end encryption is off for project-x\. Last change through Group Admin, .*@alice turned end-to-end encryption off/);
    });

    it('an instance killed and started again loads the app with the settings saved meanwhile', async () => {
        await c.kill(1);
        await c.fresh(withoutRateLimits, { confirm_changes: true });
        await c.restart(1);
        expect(await c.cluster.instance(1).status()).toMatch(/enabled/);
        expect((await c.cluster.instance(1).settings()).confirm_changes.value).toBe(true);
        await c.command(1, 'alice', 'project-x', '/encrypt on');
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
        // confirm_changes, saved while instance 1 was down: turning encryption off asks first.
        const off = await c.command(1, 'alice', 'project-x', '/encrypt off');
        expect(off.deliveries.some((d) => d.kind === 'uiInteraction')).toBe(true);
        expect(c.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
    });
});
