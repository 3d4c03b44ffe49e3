/**
 * The audit trail at scale (issue 16), through the real Apps-Engine (the packaged zip in its Deno runtime):
 *
 * 1. **The event hook**: what implementing `IPostSystemMessageSent` adds per system message of the workspace. For a
 *    message of another type (here `uj`, a user joined) the app's work is one type check: measured as the time from
 *    the host's dispatch until the app answered, and the host round trips it caused (target 0). For a watched message
 *    (`room_e2e_enabled`/`room_e2e_disabled` from Rocket.Chat's own `groups.setEncrypted`): the same, recording
 *    included.
 * 2. **`GET groups.audit` over 100,000 records** (500 rooms, 10 days, about 417 an hour), seeded straight into the
 *    host's persistence in the store's layout (hour buckets, hour markers, room index; `src/history/store.ts`) because
 *    writing them through the app would take hours: time per page (cold — the hours' tallies written on first need —
 *    and warm), the largest single persistence read (records held at once), host round trips, and the Deno process's
 *    resident memory before and its peak while paging.
 *
 * Run alone: `BENCH_ONLY=audit npm run bench` (rewrites only this section of bench/results.md and the `audit` key of
 * bench/results.json). BENCH_AUDIT_RECORDS (default 100000), BENCH_AUDIT_EVENTS (default 200).
 */
import { randomBytes } from 'crypto';

import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

import { EngineHost } from '../host/engine/EngineHost.cjs';
import { demoWorkspace } from '../host/workspace/demo.cjs';
import type { WsMessage } from '../host/workspace/model.cjs';
import type { Workspace } from '../host/workspace/Workspace.cjs';
import { denoChildren, median, mib, resetPeak, statusKiB } from './report.cjs';

const RECORDS = Math.max(1000, Number(process.env.BENCH_AUDIT_RECORDS ?? 100000) || 100000);
const EVENTS = Math.max(20, Number(process.env.BENCH_AUDIT_EVENTS ?? 200) || 200);
const ROOMS = 500;
const HOURS = 240;

export interface AuditBench {
    events: Array<{ case: string; events: number; p50Ms: number; p95Ms: number; roundTripsPerEvent: number; bridge: Record<string, number> }>;
    pages: Array<{ case: string; ms: number; total: number; rows: number; roundTrips: number; largestRead: number; peakRssMiB: number | null }>;
    records: number;
    rssBeforeMiB: number | null;
}

function percentile(values: number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function ms(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e6;
}

function misc(id: string): RocketChatAssociationRecord {
    return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, id);
}

interface SeedBridge {
    doCreateWithAssociations(data: object, associations: RocketChatAssociationRecord[], appId: string): Promise<string>;
    doUpdateByAssociations(associations: RocketChatAssociationRecord[], data: object, upsert: boolean, appId: string): Promise<string>;
    readByAssociations(associations: RocketChatAssociationRecord[], appId: string): Promise<object[]>;
}

function persistenceOf(host: EngineHost): SeedBridge {
    const manager = (host as unknown as { manager: AppManager }).manager;
    return manager.getBridges().getPersistenceBridge() as unknown as SeedBridge;
}

/** `RECORDS` change records in the store's layout, spread over `HOURS` closed hours and `ROOMS` rooms. */
async function seed(host: EngineHost): Promise<string[]> {
    const bridge = persistenceOf(host);
    const appId = host.id;
    const start = Date.now() - (HOURS + 3) * 3600 * 1000;
    const rooms = Array.from({ length: ROOMS }, (_, i) => `bench-room-${i}`);
    const hours = new Set<string>();
    for (let i = 0; i < RECORDS; i++) {
        const time = start + Math.floor((i * HOURS * 3600 * 1000) / RECORDS);
        const at = new Date(time).toISOString();
        const roomId = rooms[i % ROOMS];
        const _id = randomBytes(12).toString('hex');
        const record = {
            _id,
            roomId,
            roomName: roomId,
            operation: i % 3 === 0 ? 'setType' : 'setEncrypted',
            from: false,
            to: true,
            actor: { _id: `user-${i % 50}`, username: `user${i % 50}` },
            door: i % 4 === 0 ? 'rocket.chat' : 'command',
            at,
            seq: time * 1000 + (i % 1000),
        };
        const hour = at.slice(0, 13);
        hours.add(hour);
        await bridge.doCreateWithAssociations(
            record,
            [misc('group-admin-record'), misc(`group-admin-record:id:${_id}`), misc(`group-admin-record:hour:${hour}`), new RocketChatAssociationRecord(RocketChatAssociationModel.ROOM, roomId)],
            appId,
        );
    }
    for (const hour of hours) {
        await bridge.doUpdateByAssociations([misc('group-admin-record-hours'), misc(`group-admin-record-hours:${hour}`)], { hour }, true, appId);
    }
    for (const roomId of rooms) {
        await bridge.doUpdateByAssociations([misc('group-admin-record-rooms'), new RocketChatAssociationRecord(RocketChatAssociationModel.ROOM, roomId)], { roomId, trimmed: 0 }, true, appId);
    }
    await bridge.doUpdateByAssociations([misc('group-admin-record-applied-limit')], { limit: 100 }, true, appId);
    return rooms;
}

/** Tracks the largest answer of one persistence read (records the app holds at once). */
function trackReads(host: EngineHost): { reset(): void; largest(): number } {
    const bridge = persistenceOf(host);
    const original = bridge.readByAssociations.bind(bridge);
    let largest = 0;
    bridge.readByAssociations = async (associations, appId) => {
        const found = await original(associations, appId);
        largest = Math.max(largest, found.length);
        return found;
    };
    return {
        reset: () => {
            largest = 0;
        },
        largest: () => largest,
    };
}

async function eventCost(host: EngineHost, workspace: Workspace, name: string, fire: (i: number) => Promise<void>): Promise<AuditBench['events'][number]> {
    for (let i = 0; i < 5; i++) {
        await fire(i);
        await host.settled();
    }
    host.resetCounters();
    const times: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
        const start = process.hrtime.bigint();
        await fire(i + 5);
        await host.settled();
        times.push(ms(start));
    }
    const bridge = Object.fromEntries([...host.ctx.records.bridgeCalls.entries()].map(([k, v]) => [k, Math.round((v / EVENTS) * 100) / 100]));
    const result = { case: name, events: EVENTS, p50Ms: Math.round(median(times) * 100) / 100, p95Ms: Math.round(percentile(times, 95) * 100) / 100, roundTripsPerEvent: Math.round((host.roundTrips() / EVENTS) * 100) / 100, bridge };
    void workspace;
    process.stdout.write(`audit event ${name}: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ${result.roundTripsPerEvent} round trips per event\n`);
    return result;
}

export async function benchAudit(zip: string): Promise<AuditBench> {
    const { workspace, serviceAccount } = demoWorkspace();
    workspace.setSetting('API_Enable_Rate_Limiter', false);
    const host = await EngineHost.start({ workspace });
    try {
        await host.install(zip);
        await host.setSettings({ service_user_id: serviceAccount.userId, service_user_token: serviceAccount.token, server_url: '', confirm_changes: false });
        const alice = workspace.getUserByUsername('alice')?._id as string;
        const admin = workspace.getUserByUsername('admin')?._id as string;
        const projectX = workspace.getRoomByName('project-x')?._id as string;
        const headers = (userId: string) => ({ 'X-User-Id': userId, 'X-Auth-Token': workspace.createAuthToken(userId) });
        const aliceHeaders = headers(alice);
        const dispatch = (host as unknown as { dispatchSystemMessage(ws: Workspace, message: WsMessage): void }).dispatchSystemMessage.bind(host);
        const events: AuditBench['events'] = [];
        events.push(
            await eventCost(host, workspace, 'another type (uj): the type check only', async (i) => {
                const at = new Date();
                dispatch(workspace, { _id: `bench-${i}`, rid: projectX, t: 'uj', msg: 'alice', u: { _id: alice, username: 'alice' }, ts: at, _updatedAt: at, groupable: false });
            }),
        );
        events.push(
            await eventCost(host, workspace, "room_e2e_enabled/disabled by Rocket.Chat's own endpoint: recorded", async (i) => {
                await workspace.handle({ method: 'POST', path: '/api/v1/groups.setEncrypted', body: { roomId: projectX, encrypted: i % 2 === 0 }, headers: aliceHeaders });
            }),
        );

        const rooms = await seed(host);
        const reads = trackReads(host);
        const pid = denoChildren()[0];
        const rssBefore = pid ? statusKiB(pid, 'VmRSS') : null;
        const canPeak = pid ? resetPeak(pid) : false;
        const adminHeaders = headers(admin);
        const pages: AuditBench['pages'] = [];
        const page = async (name: string, query: Record<string, string>) => {
            reads.reset();
            host.resetCounters();
            const start = process.hrtime.bigint();
            const response = await host.callApi({ method: 'GET', path: 'groups.audit', query, headers: adminHeaders });
            const took = ms(start);
            if (response.status !== 200) {
                throw new Error(`groups.audit answered ${response.status}: ${JSON.stringify(response.body)}`);
            }
            const body = response.body as { total?: number; history?: unknown[] } | string;
            const rows = typeof body === 'string' ? body.split('\r\n').filter(Boolean).length - 1 : body.history?.length ?? 0;
            const total = typeof body === 'string' ? -1 : body.total ?? -1;
            const peak = pid && canPeak ? statusKiB(pid, 'VmHWM') : null;
            pages.push({ case: name, ms: Math.round(took), total, rows, roundTrips: host.roundTrips(), largestRead: reads.largest(), peakRssMiB: mib(peak) });
            process.stdout.write(`audit page ${name}: ${Math.round(took)} ms, total ${total}, ${rows} rows, largest read ${reads.largest()}, ${host.roundTrips()} round trips, peak ${mib(peak)} MiB\n`);
        };
        await page('first page, cold (every closed hour tallied once)', { count: '50' });
        await page('first page, warm', { count: '50' });
        await page('page at offset 50,000', { offset: '50000', count: '50' });
        await page('last page', { offset: String(RECORDS - 50), count: '50' });
        await page('one room (roomId)', { roomId: rooms[7], count: '50' });
        await page('one actor and operation', { actor: 'user7', operation: 'setType', count: '50' });
        await page('one day (since/until)', { since: new Date(Date.now() - 5 * 24 * 3600 * 1000).toISOString(), until: new Date(Date.now() - 4 * 24 * 3600 * 1000).toISOString(), count: '50' });
        await page('CSV, 10,000 rows', { format: 'csv', count: '10000' });
        return { events, pages, records: RECORDS, rssBeforeMiB: mib(rssBefore) };
    } finally {
        await host.stop();
    }
}

export const AUDIT_SECTION_START = '<!-- audit:start -->';
export const AUDIT_SECTION_END = '<!-- audit:end -->';

export function auditMarkdown(result: AuditBench, meta: { date: string; commit: string; load: string }): string {
    const lines = [
        AUDIT_SECTION_START,
        '## 5. The audit trail (issue 16)',
        '',
        `Run ${meta.date} at ${meta.commit}; ${meta.load}. \`BENCH_ONLY=audit npm run bench\` refreshes this section.`,
        '',
        '### The event hook, per system message',
        '',
        'From the host\'s dispatch of Rocket.Chat\'s event (fire-and-forget upstream: no write waits for it) until the app answered. The app\'s own work for another type is one Map lookup; the time is the engine\'s delivery to the Deno runtime, which Rocket.Chat pays for every app implementing the event.',
        '',
        '| message | events | p50 ms | p95 ms | host round trips per event | bridge calls per event |',
        '|---|---:|---:|---:|---:|---|',
        ...result.events.map((e) => `| ${e.case} | ${e.events} | ${e.p50Ms} | ${e.p95Ms} | ${e.roundTripsPerEvent} | ${Object.entries(e.bridge).map(([k, v]) => `${k} ${v}`).join(', ') || '—'} |`),
        '',
        `### \`GET groups.audit\` over ${result.records.toLocaleString('en')} records`,
        '',
        `${ROOMS} rooms, ${HOURS} closed hours. "Largest read": the most records one persistence read handed the app (what it holds at once). Deno resident memory before paging: ${result.rssBeforeMiB ?? '?'} MiB.`,
        '',
        '| page | ms | total | rows | host round trips | largest read | Deno peak MiB |',
        '|---|---:|---:|---:|---:|---:|---:|',
        ...result.pages.map((p) => `| ${p.case} | ${p.ms} | ${p.total < 0 ? '—' : p.total.toLocaleString('en')} | ${p.rows.toLocaleString('en')} | ${p.roundTrips} | ${p.largestRead} | ${p.peakRssMiB ?? '?'} |`),
        AUDIT_SECTION_END,
    ];
    return lines.join('\n');
}
