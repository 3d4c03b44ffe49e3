/**
 * Issue 15's and issue 16's "done when", end to end on `npm start` as a user drives it: ONE started workspace (the demo,
 * a private group `security` that only admin is in — for `alert_room` — and `--seed-groups 1500`), real logins over
 * HTTP (what `curl` sends) and the terminal chat through stdin.
 *
 * Issue 15 (interface.md §8): the encryption report as admin / as an owner / as someone governing nothing (chat, JSON,
 * CSV), the bulk plan (dry run), a job (202), its receipts until done, the job's undo, a single undo — over HTTP and in
 * the chat (where the plan's modal is confirmed with `:confirm`, the submit button a terminal cannot show).
 * Issue 16 (§9): a change made with Rocket.Chat's own `/api/v1/groups.setEncrypted` is in `groups.history` with door
 * `rocket.chat` and its actor; a change through the app's HTTP door is recorded exactly once; `groups.audit` answers
 * admins (JSON, CSV) and 403 to others; `alert_room` set through Rocket.Chat's app-settings endpoint and an
 * encryption-off change → one alert line there.
 *
 * Tests run in order on the one workspace; each says what it changes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { DEMO_SEED } from '../../host/workspace/demo.cjs';
import { APP_ID, launch } from './child.cjs';
import type { Json, StartedWorkspace } from './child.cjs';

const GROUPS = 1500;
const APP = `/api/apps/public/${APP_ID}`;

interface Job {
    _id: string;
    status: string;
    total: number;
    changed: number;
    refused: number;
    failed: number;
    undoes?: string;
}
interface HistoryRecord {
    _id: string;
    roomId: string;
    roomName: string;
    operation: string;
    from: unknown;
    to: unknown;
    actor: { _id: string; username: string };
    door: string;
    jobId?: string;
    undoes?: string;
}

let ws: StartedWorkspace;
let dir: string;
const as: Record<string, Record<string, string>> = {};

beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'group-admin-governance-'));
    const seed = path.join(dir, 'seed.json');
    // The demo plus `security`, a private group only admin is in: an alert_room every member of which may read alerts.
    writeFileSync(seed, JSON.stringify({ ...DEMO_SEED, rooms: [...DEMO_SEED.rooms, { name: 'security', type: 'private', owner: 'admin' }] }));
    ws = launch(['--seed', seed, '--seed-groups', String(GROUPS)], { env: { GROUP_ADMIN_SCHEDULER_POLL_MS: '250' } });
    await ws.ready(90000);
    for (const user of ['admin', 'alice', 'dave']) {
        as[user] = await ws.login(user);
    }
}, 120000);

afterAll(async () => {
    await ws?.kill();
    rmSync(dir, { recursive: true, force: true });
});

async function get(endpoint: string, user: string, query: Record<string, string | number> = {}): Promise<{ status: number; body: Json; text: string; type: string }> {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const answer = await ws.get(`${APP}/${endpoint}${search ? `?${search}` : ''}`, as[user]);
    return { status: answer.status, body: answer.body, text: answer.text, type: answer.headers['content-type'] ?? '' };
}

/** Polls `GET groups.bulk?jobId=` until the job is done (at most 30 s): the job and its receipts' total. */
async function finished(jobId: string, user: string): Promise<{ job: Job; receipts: number; results: Set<string> }> {
    const until = Date.now() + 30000;
    for (;;) {
        const answer = await get('groups.bulk', user, { jobId, count: 1000 });
        expect(answer.status).toBe(200);
        const job = answer.body.job as Job;
        if (!['queued', 'running'].includes(job.status)) {
            const receipts = answer.body.receipts as Array<{ result: string }>;
            return { job, receipts: answer.body.total as number, results: new Set(receipts.map((r) => r.result)) };
        }
        if (Date.now() > until) {
            throw new Error(`job ${jobId} still ${job.status} after 30 s: ${JSON.stringify(job)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

async function history(roomName: string, user = 'alice'): Promise<HistoryRecord[]> {
    const answer = await get('groups.history', user, { roomName, count: 100 });
    expect(answer.status).toBe(200);
    return answer.body.history as HistoryRecord[];
}

describe(`issue 15 over HTTP, ${GROUPS} seeded groups`, () => {
    test('GET groups.encryptionReport: admin every private group, alice the groups she owns, dave nothing (JSON and CSV)', async () => {
        const admin = await get('groups.encryptionReport', 'admin', { count: 5 });
        expect(admin.status).toBe(200);
        const summary = admin.body.summary as Record<string, number>;
        // The demo's project-x, old-stuff, eng, eng-secrets, the seed's security, and the generated groups.
        expect(summary.privateGroups).toBe(GROUPS + 5);
        expect(summary.encrypted + summary.unencrypted).toBe(summary.privateGroups);
        expect(admin.body).toMatchObject({ offset: 0, count: 5, total: GROUPS + 5, success: true });

        const alice = await get('groups.encryptionReport', 'alice', { encrypted: 'false', count: 1 });
        expect(alice.status).toBe(200);
        const mine = alice.body.summary as Record<string, number>;
        expect(mine.privateGroups).toBeGreaterThan(GROUPS / 3);
        expect(mine.privateGroups).toBeLessThan(summary.privateGroups);
        expect(alice.body.total).toBe(mine.unencrypted);
        expect((alice.body.rooms as Array<{ encrypted: boolean }>)[0].encrypted).toBe(false);

        const csv = await get('groups.encryptionReport', 'alice', { format: 'csv', count: 10000 });
        expect(csv.status).toBe(200);
        expect(csv.type).toMatch(/^text\/csv/);
        const lines = csv.text.trim().split(/\r?\n/);
        expect(lines[0]).toBe('_id,name,fname,encrypted,keyEstablished,changeable,archived,federated,teamId,teamMain,prid,usersCount,lastChange,lastChangeBy');
        expect(lines).toHaveLength(mine.privateGroups + 1);

        const dave = await get('groups.encryptionReport', 'dave');
        expect(dave.body).toMatchObject({ rooms: [], total: 0, summary: { privateGroups: 0 }, success: true });
        const daveCsv = await get('groups.encryptionReport', 'dave', { format: 'csv' });
        expect(daveCsv.text.trim().split(/\r?\n/)).toHaveLength(1);
    });

    let jobId = '';
    let willChange = 0;

    test('POST groups.bulk dry run: the plan, nothing started or changed', async () => {
        const before = (await get('groups.encryptionReport', 'alice', { count: 1 })).body.summary as Record<string, number>;
        const plan = await ws.app('groups.bulk', { operation: 'setEncrypted', encrypted: true, dryRun: true }, as.alice);
        expect(plan.status).toBe(200);
        expect(plan.body).toMatchObject({ dryRun: true, success: true, plan: { operation: 'setEncrypted', to: true, willFail: [] } });
        const body = plan.body.plan as { willChange: unknown[]; skipped: Array<{ reason: string }>; unchanged: number; warnings: string[]; estimatedSeconds: number };
        willChange = body.willChange.length;
        expect(willChange).toBe(before.unencrypted - body.skipped.length);
        expect(body.unchanged).toBe(before.encrypted);
        expect(body.skipped.every((s) => s.reason === 'archived')).toBe(true);
        expect(body.warnings.length).toBeGreaterThan(0);
        expect((await get('groups.encryptionReport', 'alice', { count: 1 })).body.summary).toEqual(before);
        expect((await get('groups.bulk', 'alice')).body.total).toBe(0);
    });

    test('POST groups.bulk: 202 and a job; GET groups.bulk receipts until done, one per room; each room recorded once (door bulk)', async () => {
        const started = await ws.app('groups.bulk', { operation: 'setEncrypted', encrypted: true }, as.alice);
        expect(started.status).toBe(202);
        const job = started.body.job as Job;
        expect(job).toMatchObject({ status: 'queued', total: willChange, changed: 0 });
        jobId = job._id;

        // Someone else does not see it.
        expect((await get('groups.bulk', 'dave', { jobId })).status).toBe(404);

        const done = await finished(jobId, 'alice');
        expect(done.job).toMatchObject({ status: 'done', changed: willChange, refused: 0, failed: 0 });
        expect(done.receipts).toBe(willChange);
        expect([...done.results]).toEqual(['changed']);
        expect((await get('groups.encryptionReport', 'alice', { encrypted: 'false', count: 1 })).body.total).toBe(
            ((await get('groups.encryptionReport', 'alice', { count: 1 })).body.summary as Record<string, number>).archived,
        );
        // Recorded once, as alice's bulk change: Rocket.Chat's system message of the write is not recorded again.
        const records = await history('project-x');
        expect(records.map((r) => `${r.door} ${r.actor.username} ${String(r.to)} ${r.jobId ?? ''}`)).toEqual([`bulk alice true ${jobId}`]);
    });

    test('POST groups.bulk.undo: a new job reverting each room (202), done with one receipt per room', async () => {
        const undo = await ws.app('groups.bulk.undo', { jobId }, as.alice);
        expect(undo.status).toBe(202);
        const job = undo.body.job as Job;
        expect(job).toMatchObject({ undoes: jobId, total: willChange });
        const done = await finished(job._id, 'alice');
        expect(done.job).toMatchObject({ status: 'done', changed: willChange, refused: 0, failed: 0 });
        expect(done.receipts).toBe(willChange);
        const records = await history('project-x');
        expect(records.map((r) => `${r.door} ${String(r.to)} ${r.jobId ?? ''}`)).toEqual([`bulk false ${job._id}`, `bulk true ${jobId}`]);
    });

    test("POST groups.undo: project-x's newest change reverted with alice's own credentials, recorded once with undoes", async () => {
        const [newest] = await history('project-x');
        const undo = await ws.app('groups.undo', { roomName: 'project-x', operation: 'setEncrypted' }, as.alice);
        expect(undo.status).toBe(200);
        expect(undo.body.success).toBe(true);
        const records = await history('project-x');
        expect(records).toHaveLength(3);
        expect(records[0]).toMatchObject({ door: 'endpoint', to: true, actor: { username: 'alice' }, undoes: newest._id });
        // dave, who cannot access it, gets the room's not-found.
        const dave = await ws.app('groups.undo', { roomName: 'project-x', operation: 'setEncrypted' }, as.dave);
        expect(dave.status).toBe(400);
        expect(dave.body.errorType).toBe('error-room-not-found');
    });
});

describe(`issue 15 in the terminal chat, ${GROUPS} seeded groups`, () => {
    test('/encrypt report as admin, as alice (owner), as dave (governs nothing)', async () => {
        await ws.say(':user admin', 'You are now admin');
        const admin = await ws.say('/encrypt report', 'Next step');
        expect(admin).toMatch(/\(only you\) \d+ of the \d+ private groups you can change are not encrypted\./);
        expect(admin).toMatch(/more you govern but cannot change/);
        await ws.say(':user alice', 'You are now alice');
        await ws.say(':room project-x', 'Now in #project-x');
        const alice = await ws.say('/encrypt report', 'Next step');
        expect(alice).toMatch(/\(only you\) \d+ of the \d+ private groups you can change are not encrypted\./);
        expect(alice).toContain('groups.encryptionReport?encrypted=false');
        await ws.say(':user dave', 'You are now dave');
        const dave = await ws.say('/encrypt report', '(only you)');
        expect(dave).toContain('You govern no private groups: there is nothing to report.');
        await ws.say(':user alice', 'You are now alice');
        await ws.say(':room project-x', 'Now in #project-x');
    });

    let jobId = '';

    test('/encrypt on --all --dry-run, then /encrypt on --all: the plan in a dialog, :confirm starts the job, a direct message when it ends', async () => {
        const plan = await ws.say('/encrypt on --all --dry-run', 'To start it');
        expect(plan).toMatch(/Dry run, nothing was changed/);
        const count = Number(/(\d+) groups would change/.exec(plan)?.[1]);
        expect(count).toBeGreaterThan(100);

        const dialog = await ws.say('/encrypt on --all', ':confirm');
        expect(dialog).toContain(`The app opened "Encryption on in ${count} groups?" to confirm; nothing is changed yet.`);
        const from = ws.stdout.length;
        const started = await ws.say(':confirm', /Job (\S+) started: (\d+) groups/);
        const match = /Job (\S+) started: (\d+) groups/.exec(started)!;
        jobId = match[1];
        expect(Number(match[2])).toBe(count);
        // The end comes by itself, as the bot's direct message (shown as it arrives).
        await ws.waitFor(new RegExp(`group-admin\\.bot: Your bulk job has ended\\.\\nJob ${jobId} \\(encryption on\\): done: ${count} changed`), 30000, from);
        const status = await ws.say(`/encrypt job ${jobId}`, '(only you)');
        expect(status).toContain(`Job ${jobId} (encryption on): done: ${count} changed, 0 unchanged, 0 refused, 0 failed, 0 skipped, of ${count}.`);
    });

    test('/encrypt undo --job <id>: a job reverting it; /encrypt undo: project-x\'s newest change (the HTTP undo) reverted', async () => {
        const from = ws.stdout.length;
        const undo = await ws.say(`/encrypt undo --job ${jobId}`, 'started');
        const undoId = /Job (\S+) started: it reverts the (\d+) groups/.exec(undo)![1];
        await ws.waitFor(new RegExp(`Job ${undoId} \\(encryption off\\): done: \\d+ changed, 0 unchanged, 0 refused, 0 failed`), 30000, from);
        // project-x was encrypted by the HTTP undo above (so the chat's job left it alone): /encrypt undo turns it off.
        const single = await ws.say('/encrypt undo', "This room's encryption has been disabled by");
        expect(single).toContain('(only you) End-to-end encryption is now off for project-x.');
        const records = await history('project-x');
        expect(records.map((r) => `${r.door} ${String(r.to)}`)).toEqual(['command false', 'endpoint true', 'bulk false', 'bulk true']);
        expect(records[0].undoes).toBe(records[1]._id);
        const shown = await ws.say('/encrypt history', '(only you)');
        expect(shown).toMatch(/@alice turned end-to-end encryption off for this room \(\/encrypt\)/);
    });
});

describe("issue 16: every change on record, the audit, the policy watch", () => {
    test("curl to Rocket.Chat's own /api/v1/groups.setEncrypted → groups.history door rocket.chat, actor alice", async () => {
        const own = await ws.request('POST', '/api/v1/groups.setEncrypted', { body: { roomName: 'eng', encrypted: true }, headers: as.alice });
        expect(own.status).toBe(200);
        let records: HistoryRecord[] = [];
        for (let i = 0; i < 40 && !records.some((r) => r.door === 'rocket.chat'); i++) {
            records = await history('eng');
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(records[0]).toMatchObject({ door: 'rocket.chat', to: true, actor: { _id: as.alice['X-User-Id'], username: 'alice' } });
    });

    test("a change through the app's HTTP door is recorded exactly once", async () => {
        const before = (await history('eng')).length;
        const viaApp = await ws.app('groups.setEncrypted', { roomName: 'eng', encrypted: false }, as.alice);
        expect(viaApp.status).toBe(200);
        // Give Rocket.Chat's system message of the write time to reach the app (it must not add a second record).
        await new Promise((resolve) => setTimeout(resolve, 500));
        const records = await history('eng');
        expect(records).toHaveLength(before + 1);
        expect(records[0]).toMatchObject({ door: 'endpoint', from: true, to: false, actor: { username: 'alice' } });
        const audit = await get('groups.audit', 'admin', { roomId: records[0].roomId, since: new Date(Date.now() - 60000).toISOString() });
        expect((audit.body.history as HistoryRecord[]).filter((r) => r.door === 'endpoint')).toHaveLength(1);
    });

    test('GET groups.audit: admin JSON and CSV, 403 to alice and dave', async () => {
        const json = await get('groups.audit', 'admin', { count: 5 });
        expect(json.status).toBe(200);
        expect(json.body).toMatchObject({ offset: 0, count: 5, success: true });
        expect(json.body.total as number).toBeGreaterThan(1000);
        expect((json.body.history as HistoryRecord[])[0].roomName).toBe('eng');
        const csv = await get('groups.audit', 'admin', { format: 'csv', operation: 'setEncrypted', roomId: (json.body.history as Array<{ roomId: string }>)[0].roomId });
        expect(csv.status).toBe(200);
        expect(csv.type).toMatch(/^text\/csv/);
        const lines = csv.text.trim().split(/\r?\n/);
        expect(lines[0]).toBe('_id,at,roomId,roomName,operation,from,to,fromUnknown,actorId,actorUsername,door,jobId,undoes');
        expect(lines.slice(1, 3).map((l) => l.split(',')[10])).toEqual(['endpoint', 'rocket.chat']);
        for (const user of ['alice', 'dave']) {
            const refused = await get('groups.audit', user);
            expect(refused.status).toBe(403);
            expect(refused.body).toEqual({ success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' });
        }
    });

    test('alert_room set by an admin through Rocket.Chat\'s app settings endpoint; encryption turned off → one line there', async () => {
        const settingsPath = `/api/apps/${APP_ID}/settings/alert_room`;
        expect((await ws.get(settingsPath, as.alice)).status).toBe(403);
        const { setting } = (await ws.get(settingsPath, as.admin)).body as { setting: Json };
        const saved = await ws.request('POST', settingsPath, { body: { setting: { ...setting, value: 'security' } }, headers: as.admin });
        expect(saved.status).toBe(200);
        const stored = ((await ws.get(settingsPath, as.admin)).body.setting as { value: string }).value;
        expect(stored).toMatch(/^\w{17}$/); // kept by id

        for (const encrypted of [true, false]) {
            const own = await ws.request('POST', '/api/v1/groups.setEncrypted', { body: { roomName: 'project-x', encrypted }, headers: as.alice });
            expect(own.status).toBe(200);
        }
        await ws.say(':user admin', 'You are now admin');
        // The room's log lines (indented, `  hh:mm:ss sender: text`); the same message may also be printed as it
        // arrives, prefixed with its room (`hh:mm:ss #security …`), when it lands while `:log` runs: only the room's
        // own lines count, asked for until the alert is among them (it follows the change asynchronously).
        const roomAlerts = (log: string): string[] => log.split('\n').filter((l) => /^\s+\S+ group-admin\.bot: ⚠/.test(l));
        let alerts: string[] = [];
        for (const deadline = Date.now() + 20000; alerts.length === 0 && Date.now() < deadline; ) {
            alerts = roomAlerts(await ws.say(':log security 5', '#security'));
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(alerts).toHaveLength(1);
        expect(alerts[0]).toMatch(/group-admin\.bot: ⚠ Encryption turned off in project-x by @alice \(in Rocket\.Chat\) at .* Undo: \/encrypt undo project-x/);
    });
});
