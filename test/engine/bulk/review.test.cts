/**
 * Holes a security review found in bulk jobs (interface.md §8), each shown failing before its fix:
 * stale permissions within a batch, a deactivated starter, a queue blocked by ids that are not the person's rooms,
 * receipts naming rooms that left the reader's scope, a raced second job, a bulk confirmation used twice or by
 * someone else.
 */
import { openedViews } from '../../../host/engine/EngineHost.cjs';
import type { RestResponse } from '../../../host/workspace/model.cjs';
import { withoutRateLimits } from '../harness.cjs';
import { useHttpDoor } from '../http/support.cjs';
import type { HttpDoor } from '../http/support.cjs';
import { body, bulkReads, pacedToOneWriteASecond } from './support.cjs';
import type { JobBody, ReceiptBody } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

const { get, ended } = bulkReads(() => door);

/** Calls `then` once, right after the job's first write (`rooms.saveRoomSettings`) was answered; answers the undo. */
function afterFirstWrite(then: () => Promise<void> | void): () => void {
    const ws = door.workspace;
    const handle = ws.handleHttp.bind(ws);
    let writes = 0;
    ws.handleHttp = async (request) => {
        const answer = await handle(request);
        if (request.path.includes('rooms.saveRoomSettings') && ++writes === 1) {
            await then();
        }
        return answer;
    };
    return () => {
        ws.handleHttp = handle;
    };
}

const jobOf = (answer: RestResponse) => (body(answer) as { job: JobBody }).job;

describe('bulk jobs: review findings', () => {
    it('a revocation applies to the job within the staleness bound (a batch lasts at most 2 s)', async () => {
        await door.fresh(withoutRateLimits);
        const restore = afterFirstWrite(async () => {
            door.workspace.setPermissionRoles('edit-room', ['admin']); // owners lose edit-room now
            await new Promise((resolve) => setTimeout(resolve, 2200)); // longer than the bound
        });
        try {
            const start = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true }, 'alice');
            expect(start.status).toBe(202);
            expect(jobOf(start).total).toBeGreaterThan(1);
            const { job, receipts } = await ended(jobOf(start)._id);
            expect(job.changed).toBe(1);
            expect(receipts.slice(1).every((receipt) => receipt.result === 'refused')).toBe(true);
        } finally {
            restore();
        }
    }, 60000);

    it('a starter deactivated during the job: the rest of the rooms fail, the job fails', async () => {
        await door.fresh(pacedToOneWriteASecond);
        const restore = afterFirstWrite(() => door.workspace.setUserActive(door.userId('alice'), false));
        try {
            const start = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true }, 'alice');
            expect(start.status).toBe(202);
            const { job, receipts } = await ended(jobOf(start)._id, 'admin');
            expect(job.changed).toBe(1);
            expect(job.status).toBe('failed');
            expect(receipts.slice(1).map((receipt) => [receipt.result, receipt.errorType])).toEqual(
                receipts.slice(1).map(() => ['failed', 'error-bulk-starter-deactivated']),
            );
        } finally {
            restore();
        }
    }, 60000);

    it('ids that are not the person’s rooms are answered at once, never queued: nobody waits behind them', async () => {
        await door.fresh(pacedToOneWriteASecond);
        const ids = Array.from({ length: 10000 }, (_, i) => `nope${i}`);
        const dave = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: ids }, 'dave');
        expect(dave.status).toBe(202);
        expect(jobOf(dave)).toMatchObject({ status: 'done', total: 10000, refused: 10000 });
        const page = body(await get({ jobId: jobOf(dave)._id, count: '2' }, 'dave')) as { receipts: ReceiptBody[] };
        expect(page.receipts.map((receipt) => [receipt.name, receipt.result, receipt.errorType])).toEqual([
            ['', 'refused', 'error-room-not-found'],
            ['', 'refused', 'error-room-not-found'],
        ]);
        const alice = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true }, 'alice');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(jobOf(await get({ jobId: jobOf(alice)._id }, 'alice')).status).not.toBe('queued');
        await door.post('groups.bulk.cancel', { jobId: jobOf(alice)._id }, 'alice');
        await ended(jobOf(alice)._id);
        // A room named twice is one room of the job; more than 10,000 entries stay a 400.
        const eng = door.workspace.getRoomByName('eng')!._id;
        const twice = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: [eng, eng], dryRun: true }, 'alice');
        expect((body(twice) as { plan: { total: number } }).plan.total).toBe(1);
        const many = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: [...ids, 'one-more'] }, 'dave');
        expect(many.status).toBe(400);
    }, 60000);

    it('receipts of rooms that left the reader’s scope are shown without their names', async () => {
        await door.fresh(withoutRateLimits);
        const start = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true }, 'alice');
        const { receipts } = await ended(jobOf(start)._id);
        expect(receipts.map((receipt) => receipt.name).filter(Boolean).length).toBeGreaterThan(0);
        door.workspace.setPermissionRoles('edit-room', ['admin']); // nothing is in alice's scope any more
        const after = body(await get({ jobId: jobOf(start)._id }, 'alice')) as { receipts: ReceiptBody[] };
        expect(after.receipts.map((receipt) => receipt.name).filter(Boolean)).toEqual([]);
        // The admin still governs every group: names shown.
        const admin = body(await get({ jobId: jobOf(start)._id }, 'admin')) as { receipts: ReceiptBody[] };
        expect(admin.receipts.map((receipt) => receipt.name).filter(Boolean).length).toBeGreaterThan(0);
    }, 60000);

    it('`/encrypt job` names a refused room only while it is in the reader’s scope', async () => {
        await door.fresh(withoutRateLimits);
        door.workspace.setPermissionRoles('toggle-room-e2e-encryption', ['admin']); // alice governs eng but may not toggle it
        const start = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: [door.workspace.getRoomByName('eng')!._id] }, 'alice');
        expect((await ended(jobOf(start)._id)).job).toMatchObject({ refused: 1 });
        expect(await door.reply('alice', 'general', `/encrypt job ${jobOf(start)._id}`)).toContain('#eng');
        door.workspace.setPermissionRoles('edit-room', ['admin']); // eng leaves alice's scope
        expect(await door.reply('alice', 'general', `/encrypt job ${jobOf(start)._id}`)).not.toContain('#eng');
    }, 60000);

    it('two jobs started by one person at the same moment: one is refused 409', async () => {
        await door.fresh(withoutRateLimits);
        const [a, b] = await Promise.all([
            door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: [door.workspace.getRoomByName('eng')!._id] }, 'alice'),
            door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: [door.workspace.getRoomByName('project-x')!._id] }, 'alice'),
        ]);
        expect([a.status, b.status].sort()).toEqual([202, 409]);
        const refused = a.status === 409 ? a : b;
        expect(body(refused).errorType).toBe('error-bulk-job-running');
        await ended(jobOf(a.status === 202 ? a : b)._id);
    }, 60000);

    it('a bulk confirmation is spent by its first submit and only its person may submit it', async () => {
        await door.fresh(withoutRateLimits);
        const run = await door.command('alice', 'general', '/encrypt on --all', 'trigger-1');
        const [modal] = openedViews(run.deliveries);
        const text = (result: { deliveries: ReadonlyArray<{ kind: string; text?: string }> }) => result.deliveries.find((d) => d.kind === 'ephemeral')?.text ?? '';
        // Someone else submits alice's view: nothing starts.
        const byAdmin = await door.host.submitView(modal, door.userId('admin'));
        expect(text(byAdmin)).not.toMatch(/started/);
        expect((body(await get({}, 'admin')) as { jobs: unknown[] }).jobs).toEqual([]);
        const first = await door.host.submitView(modal, door.userId('alice'));
        const id = /Job (\S+) started/.exec(text(first))?.[1] as string;
        expect(id).toBeDefined();
        await ended(id);
        await door.reply('alice', 'general', `/encrypt undo --job ${id}`);
        const [undo] = (body(await get({}, 'alice')) as { jobs: JobBody[] }).jobs;
        await ended(undo._id);
        // The rooms are back as they were: a replay of the view would change them again, but it is spent.
        const again = await door.host.submitView(modal, door.userId('alice'));
        expect(text(again)).not.toMatch(/started/);
        expect(text(again)).toMatch(/already used/);
        expect((body(await get({}, 'alice')) as { jobs: unknown[] }).jobs).toHaveLength(2);
    }, 60000);
});
