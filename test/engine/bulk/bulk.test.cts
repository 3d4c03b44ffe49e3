/**
 * Bulk jobs in the real engine (interface.md §8): the plan, a job run by the scheduler, receipts, cancel, job undo,
 * who may see a job, bad input — over HTTP and in chat.
 */
import { openedViews } from '../../../host/engine/EngineHost.cjs';
import { withoutRateLimits } from '../harness.cjs';
import { NO_SERVICE_ACCOUNT, useHttpDoor } from '../http/support.cjs';
import type { HttpDoor } from '../http/support.cjs';
import { body, bulkReads, pacedToOneWriteASecond } from './support.cjs';
import type { JobBody, ReceiptBody } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

const { get, ended } = bulkReads(() => door);

/** A room's history, newest first, as alice reads it. */
async function historyOf(roomName: string): Promise<Array<{ _id: string; jobId?: string; undoes?: string }>> {
    const answer = await door.host.callApi({ method: 'GET', path: 'groups.history', query: { roomName }, headers: door.headersOf('alice') });
    return body(answer).history as Array<{ _id: string; jobId?: string; undoes?: string }>;
}

function encrypted(name: string): unknown {
    return door.workspace.getRoomByName(name)?.encrypted;
}

/** Alice owns project-x, eng and eng-secrets (and the archived old-stuff). */
const ALICE_GROUPS = ['eng', 'eng-secrets', 'project-x'];

describe('POST groups.bulk: bad input is a 400 and starts nothing', () => {
    beforeEach(async () => {
        await door.fresh(withoutRateLimits);
    });

    it.each([
        ['unknown operation', { operation: 'setType', encrypted: true }, 'operation'],
        ['no operation', { encrypted: true }, 'operation'],
        ['encrypted "true"', { operation: 'setEncrypted', encrypted: 'true' }, 'encrypted'],
        ['rooms not an array', { operation: 'setEncrypted', encrypted: true, rooms: 'abc' }, 'rooms'],
        ['rooms with a number', { operation: 'setEncrypted', encrypted: true, rooms: ['a', 1] }, 'rooms'],
        ['10,001 rooms', { operation: 'setEncrypted', encrypted: true, rooms: Array.from({ length: 10001 }, (_, i) => `r${i}`) }, 'rooms'],
    ])('%s', async (_label, request, param) => {
        const answer = await door.post('groups.bulk', request, 'alice');
        expect(answer.status).toBe(400);
        expect(body(answer)).toMatchObject({ success: false, errorType: 'error-invalid-params' });
        expect(String(body(answer).error)).toContain(`"${param}"`);
        expect(body(await get({}, 'alice'))).toMatchObject({ jobs: [], total: 0 });
    });

    it('dryRun "yes" → 400 error-invalid-param', async () => {
        const answer = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, dryRun: 'yes' }, 'alice');
        expect(answer.status).toBe(400);
        expect(body(answer).errorType).toBe('error-invalid-param');
    });

    it.each([[{ count: '-1' }], [{ offset: 'x' }]])('GET with %p → 400', async (query) => {
        const answer = await get(query, 'alice');
        expect(answer.status).toBe(400);
        expect(body(answer)).toMatchObject({ success: false, errorType: 'error-invalid-params' });
    });

    it('without a service account: 503 error-app-not-configured, nothing started', async () => {
        await door.fresh(withoutRateLimits, NO_SERVICE_ACCOUNT);
        const answer = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true }, 'alice');
        expect(answer.status).toBe(503);
        expect(body(answer).errorType).toBe('error-app-not-configured');
        expect((await get({}, 'alice')).status).toBe(503);
        expect(ALICE_GROUPS.map(encrypted)).not.toContain(true);
    });
});

describe('a bulk job over HTTP', () => {
    beforeEach(async () => {
        await door.fresh(withoutRateLimits);
    });

    it('dry run: the plan of the groups in scope, a room outside it refused unnamed, archived skipped; nothing changes', async () => {
        const answer = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, dryRun: true }, 'alice');
        expect(answer.status).toBe(200);
        const { plan } = body(answer) as { plan: Record<string, unknown> };
        expect(plan).toMatchObject({ operation: 'setEncrypted', to: true, total: 4, unchanged: 0, willFail: [] });
        expect((plan.willChange as Array<{ name: string }>).map((room) => room.name).sort()).toEqual(ALICE_GROUPS);
        expect(plan.skipped).toEqual([{ _id: door.roomId('old-stuff'), name: 'old-stuff', reason: 'archived' }]);
        expect((plan.warnings as string[]).length).toBe(2);
        // Unpaced (the service account holds api-bypass-rate-limit): three rooms at the measured rate, about a second.
        expect(plan.estimatedSeconds).toBe(1);
        expect(plan).not.toHaveProperty('jobRooms');
        expect(plan).not.toHaveProperty('answered');

        // Dave governs nothing: a room named by him is "not found", never named.
        const named = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, dryRun: true, rooms: [door.roomId('project-x')] }, 'dave');
        expect((body(named).plan as { willFail: unknown[] }).willFail).toEqual([
            { _id: door.roomId('project-x'), name: '', errorType: 'error-room-not-found', reason: expect.stringContaining('does not match any group') },
        ]);
        expect(ALICE_GROUPS.map(encrypted)).not.toContain(true);
        expect(body(await get({}, 'alice')).jobs).toEqual([]);
    });

    it('an admin governs every private group, members or not (groups.listAll); someone governing nothing gets an empty plan', async () => {
        const answer = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, dryRun: true }, 'admin');
        const { plan } = body(answer) as { plan: { willChange: Array<{ name: string }>; skipped: Array<{ name: string }>; total: number } };
        expect(plan.willChange.map((room) => room.name).sort()).toEqual(ALICE_GROUPS);
        expect(plan.skipped.map((room) => room.name)).toEqual(['old-stuff']);
        const none = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, dryRun: true }, 'dave');
        expect(body(none).plan).toMatchObject({ total: 0, willChange: [], willFail: [], skipped: [] });
    });

    it('job: 202, each room changed once with one receipt, recorded (door bulk, jobId), announced, a direct message at the end; 404 to others', async () => {
        // Announced in a room now encrypted only where the workspace allows unencrypted messages (interface.md §9).
        door.workspace.setSetting('E2E_Allow_Unencrypted_Messages', true);
        const outsider = door.roomId('general');
        const started = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: [...ALICE_GROUPS.map((name) => door.roomId(name)), outsider, 'no-such-room'] }, 'alice');
        expect(started.status).toBe(202);
        const { job } = body(started) as { job: JobBody };
        expect(job).toMatchObject({ status: 'queued', total: 5 });
        const { job: done, receipts } = await ended(job._id);
        expect(done).toMatchObject({ status: 'done', total: 5, changed: 3, refused: 2, failed: 0, skipped: 0 });
        // The rooms the plan answered alone ("not found": written at creation, never queued) come first.
        expect(receipts.map((receipt) => receipt.roomId)).toEqual([outsider, 'no-such-room', ...ALICE_GROUPS.map((name) => door.roomId(name))]);
        expect(receipts.slice(0, 2)).toEqual([
            expect.objectContaining({ roomId: outsider, name: '', result: 'refused', errorType: 'error-room-not-found' }),
            expect.objectContaining({ roomId: 'no-such-room', name: '', result: 'refused', errorType: 'error-room-not-found' }),
        ]);
        expect(ALICE_GROUPS.map(encrypted)).toEqual([true, true, true]);
        // Written by the service account, once per room.
        const writes = door.restCalls().filter((call) => call.path === '/api/v1/rooms.saveRoomSettings');
        expect(writes).toHaveLength(3);
        expect(new Set(writes.map((call) => call.userId))).toEqual(new Set([door.serviceAccount.userId]));
        // On record and announced.
        const history = await door.host.callApi({ method: 'GET', path: 'groups.history', query: { roomName: 'project-x' }, headers: door.headersOf('alice') });
        // One record, the job's: Rocket.Chat's own system message of the change is matched to it, never recorded again.
        expect(body(history).history).toEqual([expect.objectContaining({ door: 'bulk', jobId: job._id, to: true, actor: { _id: door.userId('alice'), username: 'alice' } })]);
        expect(door.workspace.getMessages(door.roomId('project-x')).some((message) => String(message.msg).includes('alice'))).toBe(true);
        // The end report: a direct message from the app's bot, with the counts.
        const dm = door.workspace.findDirectRoom(['group-admin.bot', 'alice']);
        expect(dm).toBeDefined();
        expect(door.workspace.getMessages(dm?._id as string).map((message) => message.msg).join('\n')).toContain(job._id);

        // Seen by the starter and admins; to anyone else it does not exist.
        expect((await get({ jobId: job._id }, 'admin')).status).toBe(200);
        const hidden = await get({ jobId: job._id }, 'bob');
        expect(hidden.status).toBe(404);
        expect(body(hidden).errorType).toBe('error-bulk-job-not-found');
        expect((await door.post('groups.bulk.cancel', { jobId: job._id }, 'bob')).status).toBe(404);
        expect(body(await get({}, 'alice')).jobs).toEqual([expect.objectContaining({ _id: job._id, status: 'done' })]);
        expect(body(await get({}, 'bob')).jobs).toEqual([]);
    });

    it('job undo: reverts each room still as the job left it; a room changed since is refused, naming that change', async () => {
        const { job } = body(await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: ALICE_GROUPS.map((name) => door.roomId(name)) }, 'alice')) as { job: JobBody };
        await ended(job._id);
        // Someone changes eng back by hand, then on again: eng is encrypted, but not as the job left it.
        await door.post('groups.setEncrypted', { roomName: 'eng', encrypted: false }, 'alice');
        await door.post('groups.setEncrypted', { roomName: 'eng', encrypted: true }, 'alice');
        const undo = await door.post('groups.bulk.undo', { jobId: job._id }, 'alice');
        expect(undo.status).toBe(202);
        const { job: undoJob } = body(undo) as { job: JobBody };
        expect(undoJob).toMatchObject({ undoes: job._id, total: 3 });
        const { job: done, receipts } = await ended(undoJob._id);
        expect(done).toMatchObject({ status: 'done', changed: 2, refused: 1 });
        expect(receipts.find((receipt) => receipt.name === 'eng')).toMatchObject({ result: 'refused', errorType: 'error-room-changed-since', reason: expect.stringContaining('alice') });
        expect(ALICE_GROUPS.map(encrypted)).toEqual([true, false, false]);
        // Each revert is on record with `undoes`: the _id of the record the undone job wrote for that room (§8 "Undo").
        for (const name of ['eng-secrets', 'project-x']) {
            const [newest, ...older] = await historyOf(name);
            const undone = older.find((record) => record.jobId === job._id);
            expect(undone).toBeDefined();
            expect(newest).toMatchObject({ door: 'bulk', jobId: undoJob._id, to: false, undoes: undone?._id });
        }
        expect((await door.post('groups.bulk.undo', { jobId: job._id }, 'bob')).status).toBe(404);
    });

    it('paced to half the rate limit when the service account lacks api-bypass-rate-limit; one job per person (409 naming it)', async () => {
        await door.fresh(pacedToOneWriteASecond);
        // Half of 100 calls per 50 s: one write a second, and the plan says so.
        const dry = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, dryRun: true, rooms: [door.roomId('eng'), door.roomId('eng-secrets')] }, 'alice');
        expect((body(dry).plan as { estimatedSeconds: number }).estimatedSeconds).toBe(2);
        const { job } = body(await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: [door.roomId('eng'), door.roomId('eng-secrets')] }, 'alice')) as { job: JobBody };
        const second = await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: false, rooms: [door.roomId('eng')] }, 'alice');
        expect(second.status).toBe(409);
        expect(body(second)).toMatchObject({ errorType: 'error-bulk-job-running' });
        expect(String(body(second).error)).toContain(job._id);
        const { job: done, receipts } = await ended(job._id);
        expect(done).toMatchObject({ status: 'done', changed: 2 });
        const [first, next] = receipts.map((receipt) => Date.parse((receipt as ReceiptBody & { at: string }).at));
        expect(next - first).toBeGreaterThanOrEqual(900);
    });

    it('cancel: the job stops before its next room; every room left gets a skipped receipt', async () => {
        await door.fresh(pacedToOneWriteASecond);
        const { job } = body(await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: ALICE_GROUPS.map((name) => door.roomId(name)) }, 'alice')) as { job: JobBody };
        const cancelled = await door.post('groups.bulk.cancel', { jobId: job._id }, 'alice');
        expect(cancelled.status).toBe(200);
        expect((body(cancelled).job as JobBody).status).toBe('cancelled');
        const { job: done, receipts } = await ended(job._id);
        expect(done.status).toBe('cancelled');
        expect(done.skipped).toBeGreaterThanOrEqual(2);
        expect(receipts).toHaveLength(3);
        expect(receipts.filter((receipt) => receipt.result === 'changed')).toHaveLength(ALICE_GROUPS.map(encrypted).filter((value) => value === true).length);
    });
});

describe('a bulk job survives the app', () => {
    it('disabled mid-job (its one-time run fires while disabled and is lost) and enabled again: it goes on where it stopped, each room changed once', async () => {
        await door.fresh(pacedToOneWriteASecond);
        const { job } = body(await door.post('groups.bulk', { operation: 'setEncrypted', encrypted: true, rooms: ALICE_GROUPS.map((name) => door.roomId(name)) }, 'alice')) as { job: JobBody };
        // Between two paced runs (the first room's receipt is stored): the next run is due in about a second.
        const deadline = Date.now() + 20000;
        while (Number(body(await get({ jobId: job._id }, 'alice')).total) < 1 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await door.host.disable();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await door.host.enable();
        const { job: done, receipts } = await ended(job._id);
        expect(done).toMatchObject({ status: 'done', changed: 3 });
        expect(receipts.map((receipt) => receipt.result)).toEqual(['changed', 'changed', 'changed']);
        expect(door.restCalls().filter((call) => call.path === '/api/v1/rooms.saveRoomSettings')).toHaveLength(3);
    });
});

describe('a bulk job in chat', () => {
    beforeEach(async () => {
        await door.fresh(withoutRateLimits);
    });

    it('--dry-run answers the plan; --all asks in a modal whatever confirm_changes says; Confirm starts the job with one reply', async () => {
        const plan = await door.reply('alice', 'general', '/encrypt on --all --dry-run');
        expect(plan).toContain('3 groups would change');
        expect(plan).toContain('1 skipped');
        const run = await door.command('alice', 'general', '/encrypt on --all', 'trigger-1');
        const [modal] = openedViews(run.deliveries);
        expect(modal).toBeDefined();
        expect(run.deliveries.filter((delivery) => delivery.kind === 'ephemeral')).toEqual([]);
        expect(ALICE_GROUPS.map(encrypted)).not.toContain(true);
        const confirmed = await door.host.submitView(modal, door.userId('alice'));
        const replies = confirmed.deliveries.filter((delivery) => delivery.kind === 'ephemeral');
        expect(replies).toHaveLength(1);
        const jobId = /Job (\S+) started/.exec(replies[0].text ?? '')?.[1] as string;
        expect(jobId).toBeTruthy();
        await ended(jobId);
        expect(ALICE_GROUPS.map(encrypted)).toEqual([true, true, true]);
        expect(await door.reply('alice', 'general', '/encrypt job')).toContain(`Job ${jobId} (encryption on): done: 3 changed`);
        expect(await door.reply('bob', 'general', `/encrypt job ${jobId}`)).toBe(`There is no job ${jobId}.`);
        const undo = await door.reply('alice', 'general', `/encrypt undo --job ${jobId}`);
        const undoId = /Job (\S+) started/.exec(undo)?.[1] as string;
        await ended(undoId);
        expect(ALICE_GROUPS.map(encrypted)).toEqual([false, false, false]);
        expect(await door.reply('alice', 'general', '/encrypt cancel --job nope')).toBe('There is no job nope.');
        expect(await door.reply('alice', 'general', '/encrypt cancel')).toBe('Name the job: `--job <id>`.');
    });
});
