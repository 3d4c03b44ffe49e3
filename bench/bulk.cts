/**
 * Bulk jobs in `npm run bench` (issue 15): a job over N private groups, run by the scheduler in the real engine —
 * rooms per second, host crossings per room (target ≤ 6), and how often a batch reads the permission table and the
 * settings (once per batch, never per room).
 */
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

import type { EngineHost } from '../host/engine/EngineHost.cjs';
import type { Workspace } from '../host/workspace/Workspace.cjs';

/** Host crossings per room a bulk job may cost at most. */
export const BULK_CROSSINGS_TARGET = 6;
export const BULK_SIZES = (process.env.BENCH_BULK_SIZES ?? '100,1000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n >= 1);

const PERMISSION_TABLE = '/api/v1/permissions.listAll';

export interface BulkResult {
    rooms: number;
    seconds: number;
    roomsPerSecond: number;
    /** Host crossings of the job's runs (every batch and the end report, after the request answered) per room. */
    crossingsPerRoom: number;
    /** Of those, the history record's (`history/store.ts` `recordChange`: its persistence calls). */
    historyPerRoom: number;
    /** Host crossings of the request (the plan of the named rooms, the job's creation) per room. */
    requestPerRoom: number;
    /** Scheduler runs (batches) of the job. */
    batches: number;
    tableReads: number;
    settingReads: number;
    /** Bridge calls of the whole job, most first. */
    calls: Record<string, number>;
    met: boolean;
}

interface StoredJob {
    _id: string;
    seq: number;
    status: string;
    changed: number;
}

/** The job as persisted, read on the host's side (no crossing of the app's). */
function persistedJob(host: EngineHost, jobId: string): StoredJob | undefined {
    const manager = (host as unknown as { manager: AppManager }).manager;
    // The persistence bridge over its store (host/engine/bridges.cts `MemoryPersistenceStore`).
    const bridge = manager.getBridges().getPersistenceBridge() as unknown as { store: { records: Map<string, { data: unknown }> } };
    for (const record of bridge.store.records.values()) {
        const data = record.data as Partial<StoredJob>;
        if (data && data._id === jobId && typeof data.seq === 'number') {
            return data as StoredJob;
        }
    }
    return undefined;
}

/**
 * One bulk job of `size` fresh, unencrypted private groups the admin is not a member of (`view-room-administration`:
 * they govern them all), started over the app endpoint and timed from the request to the job's end.
 */
export async function benchBulk(host: EngineHost, ws: Workspace, size: number): Promise<BulkResult> {
    const admin = ws.getUserByUsername('admin');
    const owner = ws.getUserByUsername('alice');
    if (!admin || !owner) {
        throw new Error('demo workspace without admin or alice');
    }
    const rooms: string[] = [];
    for (let i = 0; i < size; i++) {
        rooms.push(ws.addRoom({ name: `bulk-${size}-${Date.now()}-${i}`, t: 'p', owner: owner._id })._id);
    }
    const headers = { 'X-User-Id': admin._id, 'X-Auth-Token': ws.createAuthToken(admin._id) };
    host.resetCounters();
    const started = process.hrtime.bigint();
    const answer = await host.callApi({ method: 'POST', path: 'groups.bulk', headers, body: { operation: 'setEncrypted', encrypted: true, rooms } });
    const requestTrips = host.roundTrips();
    const restAfterRequest = ws.restCalls.length;
    const requestCalls = host.bridgeCalls();
    const jobId = (answer.body as { job?: { _id?: string } }).job?._id;
    if (answer.status !== 202 || !jobId) {
        throw new Error(`bulk bench: the job did not start: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    const deadline = Date.now() + 30 * 60 * 1000;
    for (;;) {
        const job = persistedJob(host, jobId);
        if (job && ['done', 'cancelled', 'failed'].includes(job.status)) {
            if (job.status !== 'done' || job.changed !== size) {
                throw new Error(`bulk bench: job ended ${job.status} with ${job.changed} of ${size} changed`);
            }
            break;
        }
        if (Date.now() > deadline) {
            throw new Error('bulk bench: the job did not end within 30 minutes');
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // The end report (a direct message) follows the job's last write: let it land before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = host.bridgeCalls();
    const calls: Record<string, number> = {};
    for (const [name, n] of Object.entries(all)) {
        calls[name] = n - (requestCalls[name] ?? 0);
    }
    const rest = ws.restCalls.slice(restAfterRequest);
    const tableReads = rest.filter((call) => call.path === PERMISSION_TABLE).length;
    const settingReads = Object.entries(calls)
        .filter(([name]) => /ServerSetting|getValueById|Setting/i.test(name))
        .reduce((sum, [, n]) => sum + n, 0);
    const batches = Object.entries(calls)
        .filter(([name]) => /Scheduler/i.test(name))
        .reduce((sum, [, n]) => sum + n, 0);
    const per = (n: number): number => Math.round((n / size) * 100) / 100;
    const crossingsPerRoom = per(host.roundTrips() - requestTrips);
    // The job's own persistence calls per room: the cancel check (a read); everything else of the persistence is the
    // history record's, but for the job's own few per batch (its record, rooms, receipts).
    const persistence = Object.entries(calls)
        .filter(([name]) => name.startsWith('PersistenceBridge.'))
        .reduce((sum, [, n]) => sum + n, 0);
    const historyPerRoom = per(Math.max(0, persistence - size));
    return {
        rooms: size,
        seconds: Math.round(seconds * 100) / 100,
        roomsPerSecond: Math.round((size / seconds) * 10) / 10,
        crossingsPerRoom,
        historyPerRoom,
        requestPerRoom: per(requestTrips),
        batches,
        tableReads,
        settingReads,
        calls: Object.fromEntries(Object.entries(calls).sort((a, b) => b[1] - a[1])),
        met: crossingsPerRoom <= BULK_CROSSINGS_TARGET,
    };
}

/** The bulk section of bench/results.md. */
export function bulkMarkdown(results: ReadonlyArray<BulkResult>): string {
    const lines = ['## 5. Bulk jobs', ''];
    lines.push(
        'One `POST groups.bulk { operation: "setEncrypted", encrypted: true, rooms }` by an admin who is a member of none of the ' +
            'groups, run by the stand-in\'s scheduler (Agenda model) in batches, written by the service account (holding ' +
            '`api-bypass-rate-limit`, so unpaced), each room recorded (its intent before the write, confirmed after), announced only where the workspace allows unencrypted messages in encrypted rooms (`E2E_Allow_Unencrypted_Messages`, off here as by default, so no announcement), a direct message at the end. Timed from the ' +
            'request to the job\'s end; *crossings per room* = the host round trips of the job\'s runs (every batch, the end report) ' +
            `divided by its rooms (target ≤ ${BULK_CROSSINGS_TARGET}), of which *history* the history record's persistence calls ` +
            '(`recordChange`); *request* = the POST\'s own (the plan of the named rooms, the job\'s creation) per room; *table* / ' +
            '*settings* = reads of `permissions.listAll` and of server settings by the runs.',
    );
    lines.push('');
    lines.push('| rooms | seconds | rooms/s | crossings per room | of which history | target | request per room | batches | table reads | setting reads | bridge calls of the runs |');
    lines.push('|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|');
    for (const r of results) {
        const calls = Object.entries(r.calls)
            .slice(0, 8)
            .map(([name, n]) => `${name} ${n}`)
            .join(', ');
        lines.push(
            `| ${r.rooms.toLocaleString('en-US')} | ${r.seconds} | ${r.roomsPerSecond} | ${r.crossingsPerRoom} | ${r.historyPerRoom} | ${r.met ? 'met' : '**not met**'} | ` +
                `${r.requestPerRoom} | ${r.batches} | ${r.tableReads} | ${r.settingReads} | ${calls} |`,
        );
    }
    lines.push('');
    return lines.join('\n');
}
