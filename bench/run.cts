/**
 * `npm run bench`: what each Group Admin operation costs, measured through the real Apps-Engine (the packaged zip in
 * its Deno runtime) against the in-memory workspace, in three parts (issue 9, item 7):
 *
 * 1. **The HTTP door** (app endpoints, real changes): Rocket.Chat decides, so a change is forwarded to Rocket.Chat's
 *    own endpoint with the caller's credentials. Counted per operation: the requests the app makes to Rocket.Chat's
 *    REST API (target: the forwarded write plus at most one read; none as the service account) and every host round
 *    trip (accessor and bridge requests from the Deno process).
 * 2. **The chat doors** (slash commands; room buttons): host round trips per request of the user (target ≤ 6,
 *    including the live read of the permission table), REST calls, permission-table reads.
 * 3. **Latency over HTTP, in the same run**: the app endpoint (`POST /api/apps/public/<app id>/groups.*`) against
 *    Rocket.Chat's own endpoint (`POST /api/v1/groups.*`) on the local workspace's HTTP server (`host/server/http.cts`,
 *    what `npm start` serves, here in process on 127.0.0.1), same user, same change, interleaved: p50, p95, ratio.
 *
 * Round trips and REST calls do not depend on timing; latencies do (the machine may be shared: the report says how
 * busy it was). Rocket.Chat's REST rate limiter stays on with its allowance raised so that no call is refused; the
 * app's per-user limit of the chat doors follows the same settings.
 *
 * Writes bench/results.md and bench/results.json. Environment: BENCH_ITERATIONS (measured runs per case, default 30;
 * team conversion uses half, a sixth at 10,000 members, each on a fresh group), BENCH_SIZES (default 3,1000,10000),
 * BENCH_HTTP_ITERATIONS (default 60), GROUP_ADMIN_SKIP_PACKAGE=1 to use the current dist/ zip.
 */
import './env.cjs';

import { execFileSync } from 'child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';

import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit';

import { BULK_CROSSINGS_TARGET, BULK_SIZES, benchBulk, bulkMarkdown } from './bulk.cjs';
import type { BulkResult } from './bulk.cjs';
import { EngineHost, openedViews } from '../host/engine/EngineHost.cjs';
import type { Delivery } from '../host/engine/EngineHost.cjs';
import { WorkspaceHttpServer } from '../host/server/http.cjs';
import { demoWorkspace } from '../host/workspace/demo.cjs';
import { AUDIT_SECTION_END, AUDIT_SECTION_START, auditMarkdown, benchAudit } from './audit.cjs';
import { benchReport, reportMarkdown, spliceReportSection, spliceSection } from './report.cjs';
import type { Workspace } from '../host/workspace/Workspace.cjs';

const root = path.resolve(__dirname, '..');
const appJson = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8')) as { nameSlug: string; version: string };
const ZIP = path.join(root, 'dist', `${appJson.nameSlug}_${appJson.version}.zip`);

const OPERATIONS = ['encryption', 'type', 'team'] as const;
const CHAT_DOORS = ['command', 'button'] as const;
type Operation = (typeof OPERATIONS)[number];
type ChatDoor = (typeof CHAT_DOORS)[number];
type Door = ChatDoor | 'endpoint';

const ITERATIONS = Math.max(5, Number(process.env.BENCH_ITERATIONS ?? 30) || 30);
const HTTP_ITERATIONS = Math.max(10, Number(process.env.BENCH_HTTP_ITERATIONS ?? 60) || 60);
const SIZES = (process.env.BENCH_SIZES ?? '3,1000,10000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n >= 2);
const WARMUP = 3;
/** Chat doors: host round trips per request of the user, the live permission read included. */
const CHAT_ROUND_TRIP_TARGET = 6;
/** HTTP door: the forwarded write plus at most one read. */
const HTTP_WRITES = 1;
const HTTP_READS_MAX = 1;
const PERMISSION_TABLE = '/api/v1/permissions.listAll';
const ENDPOINT_OF: Record<Operation, string> = { encryption: 'groups.setEncrypted', type: 'groups.setType', team: 'groups.convertToTeam' };
const BUTTON_OF: Record<Operation, (room: { t: string }) => string> = {
    encryption: () => 'group-admin.encryption',
    type: (room) => (room.t === 'p' ? 'group-admin.make-public' : 'group-admin.make-private'),
    team: () => 'group-admin.convert-to-team',
};

interface RestCallSeen {
    method: string;
    path: string;
    /** Whose credentials: the service account, the caller, or someone else. */
    as: 'service' | 'caller' | 'other';
}

/** One request of the user (a command, a click, a modal's submit, an endpoint call) and what it cost. */
interface Step {
    kind: 'command' | 'click' | 'submit' | 'endpoint';
    ms: number;
    roundTrips: number;
    bridge: Record<string, number>;
    rest: RestCallSeen[];
}

interface Sample {
    direction: string;
    steps: Step[];
}

interface Counts {
    median: number;
    min: number;
    max: number;
}

interface CaseResult {
    operation: Operation;
    door: Door;
    members: number;
    iterations: number;
    /** Requests of the user per operation (a modal adds its submit). */
    steps: string;
    /** Host round trips of the request that makes the change. */
    roundTrips: Counts;
    /** Host round trips of the whole operation (all its requests). */
    roundTripsTotal: Counts;
    /** Most round trips of any single request of the operation. */
    roundTripsPerRequestMax: number;
    restCalls: { writes: Counts; reads: Counts; asService: Counts; asCaller: Counts; paths: string[] };
    tableReads: Counts;
    bridgeCalls: Record<string, number>;
    p50: number;
    p95: number;
    targets: Array<{ target: string; met: boolean }>;
}

interface HttpResult {
    operation: Operation;
    members: number;
    iterations: number;
    app: { p50: number; p95: number };
    rocketChat: { p50: number; p95: number; endpoint: string };
    ratio: number;
}

function percentile(values: number[], p: number): number {
    if (values.length === 0) {
        return 0;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank];
}

function median(values: number[]): number {
    return percentile(values, 50);
}

function round(value: number, digits = 3): number {
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}

function msSince(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e6;
}

function counts(values: number[]): Counts {
    return values.length ? { median: median(values), min: Math.min(...values), max: Math.max(...values) } : { median: 0, min: 0, max: 0 };
}

function range(c: Counts): string {
    return c.min === c.max ? String(c.max) : `${c.min}–${c.max}`;
}

/** The most frequent value of a list of equal-shaped things (their JSON). */
function mode<T>(items: T[]): T {
    const seen = new Map<string, { item: T; n: number }>();
    for (const item of items) {
        const key = JSON.stringify(item);
        const entry = seen.get(key) ?? { item, n: 0 };
        entry.n++;
        seen.set(key, entry);
    }
    return [...seen.values()].sort((a, b) => b.n - a.n)[0].item;
}

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, n] of Object.entries(after)) {
        const d = n - (before[key] ?? 0);
        if (d > 0) {
            out[key] = d;
        }
    }
    return out;
}

function machine(): Record<string, string | number> {
    const cpus = os.cpus();
    const version = (pkg: string): string => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
    return {
        cpu: cpus[0]?.model.trim() ?? 'unknown',
        cores: cpus.length,
        memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
        os: `${os.type()} ${os.release()} (${os.arch()})`,
        node: process.version,
        deno: version('deno'),
        appsEngine: version('@rocket.chat/apps-engine'),
    };
}

/** The 1-minute load average against the cores: how busy the (shared) machine was. */
function load(): { loadavg1: number; cores: number } {
    return { loadavg1: round(os.loadavg()[0], 2), cores: os.cpus().length };
}

/** A keep-alive JSON client for the local workspace's HTTP server. */
class HttpClient {
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

    constructor(private readonly port: number) {}

    post(urlPath: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: unknown; ms: number }> {
        const text = JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const start = process.hrtime.bigint();
            const req = http.request(
                {
                    host: '127.0.0.1',
                    port: this.port,
                    method: 'POST',
                    path: urlPath,
                    agent: this.agent,
                    headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on('data', (chunk: Buffer) => chunks.push(chunk));
                    res.on('end', () => {
                        const ms = msSince(start);
                        const raw = Buffer.concat(chunks).toString('utf8');
                        let parsed: unknown = raw;
                        try {
                            parsed = raw ? (JSON.parse(raw) as unknown) : undefined;
                        } catch {
                            // a text answer stays text
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed, ms });
                    });
                    res.on('error', reject);
                },
            );
            req.on('error', reject);
            req.end(text);
        });
    }

    close(): void {
        this.agent.destroy();
    }
}

class Bench {
    readonly aliceId: string;
    readonly headers: Record<string, string>;
    private readonly memberIds: string[] = [];
    private roomCounter = 0;
    readonly notes: string[] = [];

    private constructor(
        readonly host: EngineHost,
        readonly ws: Workspace,
        readonly serviceUserId: string,
        readonly server: WorkspaceHttpServer,
        readonly client: HttpClient,
    ) {
        const alice = ws.getUserByUsername('alice');
        if (!alice) {
            throw new Error('demo workspace without alice');
        }
        this.aliceId = alice._id;
        this.headers = { 'X-User-Id': alice._id, 'X-Auth-Token': ws.createAuthToken(alice._id) };
    }

    static async start(largest: number): Promise<Bench> {
        const { workspace, serviceAccount } = demoWorkspace();
        // Rocket.Chat's rate limiter stays on (its checks and headers are part of the cost), never refusing here.
        workspace.setSetting('API_Enable_Rate_Limiter_Limit_Calls_Default', 1_000_000_000);
        const host = await EngineHost.start({ workspace });
        await host.install(ZIP);
        await host.setSettings({
            service_user_id: serviceAccount.userId,
            service_user_token: serviceAccount.token,
            server_url: '',
            confirm_changes: false,
        });
        const server = new WorkspaceHttpServer({ workspace: () => host.workspace, app: () => host, logError: (m) => process.stderr.write(`${m}\n`) });
        const port = await server.listen(0);
        const bench = new Bench(host, workspace, serviceAccount.userId, server, new HttpClient(port));
        for (let i = 0; i < largest - 1; i++) {
            bench.memberIds.push(workspace.addUser({ username: `member-${i}` })._id);
        }
        return bench;
    }

    /** A private group owned by alice with `size` members in total. */
    newGroup(prefix: string, size: number): { id: string; name: string } {
        this.roomCounter++;
        const name = `${prefix}-${size}-${this.roomCounter}`;
        const room = this.ws.addRoom({ name, t: 'p', owner: this.aliceId, members: this.memberIds.slice(0, size - 1) });
        return { id: room._id, name };
    }

    room(id: string): { encrypted: boolean; t: string; teamMain: boolean } {
        const room = this.ws.getRoom(id);
        return { encrypted: room?.encrypted === true, t: room?.t ?? '?', teamMain: room?.teamMain === true };
    }

    /** Runs one request of the user and counts what it cost. */
    async step<T>(kind: Step['kind'], run: () => Promise<T>): Promise<{ step: Step; result: T }> {
        const tripsBefore = this.host.roundTrips();
        const bridgeBefore = this.host.bridgeCalls();
        const restBefore = this.ws.restCalls.length;
        const start = process.hrtime.bigint();
        const result = await run();
        const ms = msSince(start);
        const rest = this.ws.restCalls.slice(restBefore).map(
            (c): RestCallSeen => ({
                method: c.method,
                path: c.path,
                as: c.userId === this.serviceUserId ? 'service' : c.userId === this.aliceId ? 'caller' : 'other',
            }),
        );
        return {
            step: { kind, ms, roundTrips: this.host.roundTrips() - tripsBefore, bridge: delta(this.host.bridgeCalls(), bridgeBefore), rest },
            result,
        };
    }

    /** A chat request; when it opens a confirmation modal, alice submits it (a second request). */
    async chat(kind: 'command' | 'click', run: () => Promise<{ deliveries: Delivery[]; error?: string }>, what: string): Promise<Step[]> {
        const first = await this.step(kind, run);
        if (first.result.error) {
            throw new Error(`${what}: ${first.result.error}`);
        }
        const views = openedViews(first.result.deliveries);
        if (views.length === 0) {
            return [first.step];
        }
        const view: IUIKitSurface = views[views.length - 1];
        const second = await this.step('submit', () => this.host.submitView(view, this.aliceId));
        if (second.result.error) {
            throw new Error(`${what} (submit): ${second.result.error}`);
        }
        return [first.step, second.step];
    }

    /** One operation through one door, changing something (encryption and type alternate direction). */
    async once(op: Operation, door: Door, size: number, shared: { id: string; name: string }): Promise<Sample> {
        const target = op === 'team' ? this.newGroup(`team-${door}`, size) : shared;
        const before = this.room(target.id);
        const direction = op === 'team' ? 'p→team' : op === 'encryption' ? (before.encrypted ? 'off' : 'on') : before.t === 'p' ? 'p→c' : 'c→p';
        let steps: Step[];
        if (door === 'endpoint') {
            const body: Record<string, unknown> = { roomName: target.name };
            if (op === 'encryption') {
                body.encrypted = !before.encrypted;
            } else if (op === 'type') {
                body.type = before.t === 'p' ? 'c' : 'p';
            }
            const { step, result } = await this.step('endpoint', () => this.host.callApi({ method: 'POST', path: ENDPOINT_OF[op], body, headers: this.headers }));
            if (result.status !== 200) {
                throw new Error(`${ENDPOINT_OF[op]} ${JSON.stringify(body)} → ${result.status} ${JSON.stringify(result.body)}`);
            }
            steps = [step];
        } else if (door === 'command') {
            const line = op === 'encryption' ? `/encrypt ${before.encrypted ? 'off' : 'on'}` : op === 'type' ? `/settype ${before.t === 'p' ? 'public' : 'private'}` : '/toteam';
            steps = await this.chat('command', () => this.host.runCommand(line, this.aliceId, target.id), line);
        } else {
            const actionId = BUTTON_OF[op](before);
            steps = await this.chat('click', () => this.host.clickButton(actionId, this.aliceId, target.id), actionId);
        }
        const after = this.room(target.id);
        const changed = op === 'team' ? after.teamMain : op === 'encryption' ? after.encrypted !== before.encrypted : after.t !== before.t;
        if (!changed) {
            throw new Error(`${op} via ${door} changed nothing on ${target.name}`);
        }
        return { direction, steps };
    }

    /** The same change as `once` over HTTP: the app endpoint or Rocket.Chat's own; returns milliseconds. */
    async overHttp(op: Operation, via: 'app' | 'rocketchat', target: { id: string; name: string }): Promise<number> {
        const before = this.room(target.id);
        const body: Record<string, unknown> = { roomName: target.name };
        if (op === 'encryption') {
            body.encrypted = !before.encrypted;
        } else if (op === 'type') {
            body.type = before.t === 'p' ? 'c' : 'p';
        }
        // Rocket.Chat's groups.* work on private groups only: a public channel goes private with channels.setType, the
        // endpoint the app's extension forwards to.
        const own = op === 'type' && before.t === 'c' ? 'channels.setType' : ENDPOINT_OF[op];
        const url = via === 'app' ? `/api/apps/public/${this.host.id}/${ENDPOINT_OF[op]}` : `/api/v1/${own}`;
        const answer = await this.client.post(url, body, this.headers);
        if (answer.status !== 200) {
            throw new Error(`HTTP ${url} ${JSON.stringify(body)} → ${answer.status} ${JSON.stringify(answer.body)}`);
        }
        return answer.ms;
    }

    async stop(): Promise<void> {
        this.client.close();
        await this.server.close();
        await this.host.stop();
    }
}

function iterationsFor(op: Operation, size: number): number {
    if (op === 'team') {
        return size >= 10000 ? Math.max(3, Math.round(ITERATIONS / 6)) : Math.max(5, Math.round(ITERATIONS / 2));
    }
    return ITERATIONS;
}

/** The step that makes the change: the last one (a modal's submit, or the single request). */
function changeStep(sample: Sample): Step {
    return sample.steps[sample.steps.length - 1];
}

function summarize(op: Operation, door: Door, size: number, samples: Sample[]): CaseResult {
    const change = samples.map(changeStep);
    const all = samples.flatMap((s) => s.steps);
    const rest = samples.map((s) => s.steps.flatMap((st) => st.rest));
    const writes = counts(rest.map((r) => r.filter((c) => c.method !== 'GET').length));
    const reads = counts(rest.map((r) => r.filter((c) => c.method === 'GET').length));
    const asService = counts(rest.map((r) => r.filter((c) => c.as === 'service').length));
    const asCaller = counts(rest.map((r) => r.filter((c) => c.as === 'caller').length));
    const tableReads = counts(rest.map((r) => r.filter((c) => c.path === PERMISSION_TABLE).length));
    const perRequestMax = Math.max(...all.map((s) => s.roundTrips));
    const times = samples.map((s) => s.steps.reduce((t, st) => t + st.ms, 0));
    const targets: CaseResult['targets'] = [];
    if (door === 'endpoint') {
        targets.push({
            target: `REST: the forwarded write plus ≤ ${HTTP_READS_MAX} read, none as the service account`,
            met: writes.min === HTTP_WRITES && writes.max === HTTP_WRITES && reads.max <= HTTP_READS_MAX && asService.max === 0,
        });
        targets.push({ target: `host round trips ≤ ${HTTP_WRITES + HTTP_READS_MAX}`, met: perRequestMax <= HTTP_WRITES + HTTP_READS_MAX });
    } else {
        targets.push({ target: `≤ ${CHAT_ROUND_TRIP_TARGET} host round trips per request, permission read included`, met: perRequestMax <= CHAT_ROUND_TRIP_TARGET });
        targets.push({ target: 'the permission table read live on every change', met: tableReads.min >= 1 });
    }
    return {
        operation: op,
        door,
        members: size,
        iterations: samples.length,
        steps: mode(samples.map((s) => s.steps.map((st) => st.kind).join(' + '))),
        roundTrips: counts(change.map((s) => s.roundTrips)),
        roundTripsTotal: counts(samples.map((s) => s.steps.reduce((t, st) => t + st.roundTrips, 0))),
        roundTripsPerRequestMax: perRequestMax,
        restCalls: { writes, reads, asService, asCaller, paths: mode(rest.map((r) => r.map((c) => `${c.method} ${c.path} (${c.as})`))) },
        tableReads,
        bridgeCalls: mode(samples.map((s) => s.steps.reduce<Record<string, number>>((acc, st) => {
            for (const [k, n] of Object.entries(st.bridge)) {
                acc[k] = (acc[k] ?? 0) + n;
            }
            return acc;
        }, {}))),
        p50: round(median(times)),
        p95: round(percentile(times, 95)),
        targets,
    };
}

/** What the round trips of a case are: REST requests (through the HTTP bridge) and everything else, by name. */
function breakdown(r: CaseResult): string {
    const rest = r.bridgeCalls['HttpBridge.call'] ?? 0;
    const others = Object.entries(r.bridgeCalls).filter(([name]) => name !== 'HttpBridge.call');
    const bridged = Object.values(r.bridgeCalls).reduce((a, b) => a + b, 0);
    const accessors = Math.max(0, r.roundTripsTotal.median - bridged);
    return (
        `${rest} REST` +
        (others.length ? ` + ${others.map(([name, n]) => `${name}${n > 1 ? ` ×${n}` : ''}`).join(', ')}` : '') +
        (accessors ? ` + ${accessors} accessor call${accessors > 1 ? 's' : ''}` : '')
    );
}

function bridgeText(calls: Record<string, number>): string {
    return (
        Object.entries(calls)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, n]) => `${name}${n > 1 ? ` ×${n}` : ''}`)
            .join(', ') || '—'
    );
}

interface Report {
    date: string;
    command: string;
    iterationsNote: string;
    machine: Record<string, string | number>;
    load: { before: { loadavg1: number; cores: number }; after: { loadavg1: number; cores: number } };
    appCommit: string;
    cases: CaseResult[];
    http: HttpResult[];
    floor: { app: { p50: number }; rocketChat: { p50: number } };
    /** `met: null` = reported, no target. */
    targets: Array<{ target: string; met: boolean | null; detail: string }>;
    durationSeconds: number;
    /** 4. Bulk jobs (bench/bulk.cts). */
    bulk?: BulkResult[];
}

function markdown(report: Report): string {
    const yes = (met: boolean | null): string => (met === null ? 'reported' : met ? 'met' : '**not met**');
    const lines: string[] = [];
    lines.push('# Group Admin — cost per operation');
    lines.push('');
    lines.push(`Measured ${report.date} with \`${report.command}\` (${report.iterationsNote}), app at commit ${report.appCommit}.`);
    lines.push('');
    const m = report.machine;
    lines.push(
        `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}, Deno ${m.deno}, Apps-Engine ${m.appsEngine}. ` +
            `Load average (1 min) ${report.load.before.loadavg1} before and ${report.load.after.loadavg1} after the run on ${m.cores} cores — ` +
            `${report.load.after.loadavg1 > Number(m.cores) * 0.75 ? 'the machine was busy (shared with other work): latencies are noisy, counts are not' : 'a quiet machine'}.`,
    );
    lines.push('');
    lines.push('## Targets');
    lines.push('');
    for (const t of report.targets) {
        lines.push(`- ${t.target}: ${yes(t.met)} — ${t.detail}`);
    }
    lines.push('');
    lines.push('## 1–2. Round trips per operation');
    lines.push('');
    lines.push(
        'Everything runs through the real Apps-Engine (the packaged zip in its Deno runtime) against the in-memory workspace. ' +
            '*Host round trips* = requests from the app\'s Deno process to the host (accessor and bridge calls, `EngineHost.roundTrips()`), ' +
            'for the request that makes the change (and, when a confirmation modal comes first, for both requests); *REST* = the requests the ' +
            'app made to Rocket.Chat\'s REST API during the operation (writes / reads, and whose credentials); *table* = reads of ' +
            '`GET /api/v1/permissions.listAll`. Each iteration changes something (encryption and type alternate direction on one group; ' +
            'each team conversion gets a fresh group). A range when the count varies.',
    );
    lines.push('');
    lines.push('| operation | door | members | requests | host round trips (change / whole) | REST writes / reads | as service / caller | table | p50 ms | targets |');
    lines.push('|---|---|---:|---|---|---|---|---:|---:|---|');
    for (const r of report.cases) {
        lines.push(
            `| ${r.operation} | ${r.door} | ${r.members.toLocaleString('en-US')} | ${r.steps} | ${range(r.roundTrips)} / ${range(r.roundTripsTotal)} | ` +
                `${range(r.restCalls.writes)} / ${range(r.restCalls.reads)} | ${range(r.restCalls.asService)} / ${range(r.restCalls.asCaller)} | ` +
                `${range(r.tableReads)} | ${r.p50.toFixed(2)} | ${r.targets.map((t) => `${t.target}: ${yes(t.met)}`).join('; ')} |`,
        );
    }
    lines.push('');
    lines.push('### Calls per operation (most frequent iteration)');
    lines.push('');
    lines.push('| operation | door | members | bridge calls | REST calls |');
    lines.push('|---|---|---:|---|---|');
    for (const r of report.cases) {
        lines.push(`| ${r.operation} | ${r.door} | ${r.members.toLocaleString('en-US')} | ${bridgeText(r.bridgeCalls)} | ${r.restCalls.paths.join(', ') || '—'} |`);
    }
    lines.push('');
    lines.push('## 3. Latency over HTTP: the app endpoint against Rocket.Chat\'s own endpoint');
    lines.push('');
    lines.push(
        'Both through the local workspace\'s HTTP server (`host/server/http.cts`, what `npm start` serves), in process on 127.0.0.1, one ' +
            'keep-alive connection, as alice, the same change on the same kind of group, interleaved (app, then Rocket.Chat). The app endpoint ' +
            'crosses the engine into the Deno runtime and forwards the change to Rocket.Chat\'s endpoint (in process, through the engine\'s ' +
            'HTTP bridge), so its time includes Rocket.Chat\'s own.',
    );
    lines.push('');
    lines.push('| operation | members | iterations | app p50 ms | app p95 ms | Rocket.Chat p50 ms | Rocket.Chat p95 ms | app / Rocket.Chat (p50) |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const h of report.http) {
        lines.push(
            `| ${h.operation} | ${h.members.toLocaleString('en-US')} | ${h.iterations} | ${h.app.p50.toFixed(2)} | ${h.app.p95.toFixed(2)} | ` +
                `${h.rocketChat.p50.toFixed(2)} | ${h.rocketChat.p95.toFixed(2)} | ${h.ratio}× |`,
        );
    }
    lines.push('');
    lines.push(
        `Fixed cost over HTTP: a body that is not a JSON object answered 400 takes p50 ${report.floor.app.p50.toFixed(2)} ms at the app ` +
            `endpoint (through the engine, no round trip) and ${report.floor.rocketChat.p50.toFixed(2)} ms at Rocket.Chat's endpoint.`,
    );
    lines.push('');
    lines.push(BULK_START, bulkMarkdown(report.bulk ?? []), BULK_END);
    return lines.join('\n');
}

/** The commit the packaged app was built from, and whether `src/` had changes not committed yet. */
function gitCommit(): string {
    try {
        const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
        const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'app.json', 'i18n'], { cwd: root, encoding: 'utf8' }).trim();
        return dirty ? `${head} (with uncommitted changes in src/)` : head;
    } catch {
        return 'unknown';
    }
}

/** The bulk section of results.md, replaced on its own by `BENCH_ONLY=bulk`. */
const BULK_START = '<!-- bulk jobs -->';
const BULK_END = '<!-- /bulk jobs -->';

async function bulkRows(bench: Bench): Promise<BulkResult[]> {
    const results: BulkResult[] = [];
    for (const size of BULK_SIZES) {
        const r = await benchBulk(bench.host, bench.ws, size);
        results.push(r);
        process.stdout.write(
            `bulk job ${String(size).padStart(6)} rooms: ${r.seconds} s, ${r.roomsPerSecond} rooms/s, ${r.crossingsPerRoom} crossings per room ` +
                `(${r.met ? 'met' : 'NOT MET'}: ≤ ${BULK_CROSSINGS_TARGET}), table ${r.tableReads}, settings ${r.settingReads}\n`,
        );
    }
    return results;
}

/** `BENCH_ONLY=bulk`: only the bulk rows, written into results.md's bulk section and results.json's `bulk`. */
async function bulkOnly(): Promise<void> {
    if (process.env.GROUP_ADMIN_SKIP_PACKAGE !== '1' || !existsSync(ZIP)) {
        execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
    }
    const loadBefore = load();
    const bench = await Bench.start(2);
    try {
        const bulk = await bulkRows(bench);
        const dir = path.join(root, 'bench');
        const jsonPath = path.join(dir, 'results.json');
        const json = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>) : {};
        json.bulk = bulk;
        json.bulkMeasured = { date: new Date().toISOString(), appCommit: gitCommit(), load: { before: loadBefore, after: load() } };
        writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
        const mdPath = path.join(dir, 'results.md');
        const md = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '';
        const note = `Measured ${new Date().toISOString()} with \`BENCH_ONLY=bulk npm run bench\`, app at commit ${gitCommit()}, load average (1 min) ${loadBefore.loadavg1} before and ${load().loadavg1} after on ${loadBefore.cores} cores.\n\n`;
        const section = `${BULK_START}\n${bulkMarkdown(bulk).replace('\n\n', `\n\n${note}`)}${BULK_END}`;
        const start = md.indexOf(BULK_START);
        const end = md.indexOf(BULK_END);
        const next = start >= 0 && end > start ? md.slice(0, start) + section + md.slice(end + BULK_END.length) : `${md.trimEnd()}\n\n${section}\n`;
        writeFileSync(mdPath, next);
        process.stdout.write('wrote the bulk rows of bench/results.md and bench/results.json\n');
    } finally {
        await bench.stop();
    }
}

/**
 * A part of the bench that runs in engines of its own and owns one section of results.md (replaced in place by
 * `splice`) and one key of results.json, so `BENCH_ONLY=<key>` refreshes them alone.
 */
async function sectionPart<T extends object>(
    key: string,
    run: () => Promise<T>,
    markdown: (result: T, meta: { date: string; commit: string; load: string }) => string,
    splice: (md: string, section: string) => string,
    asJson: (result: T) => Record<string, unknown>,
): Promise<void> {
    const before = load();
    const result = await run();
    const after = load();
    const dir = path.join(root, 'bench');
    const mdPath = path.join(dir, 'results.md');
    const jsonPath = path.join(dir, 'results.json');
    const loadText = `load average ${before.loadavg1} before, ${after.loadavg1} after, ${before.cores} cores`;
    const section = markdown(result, { date: new Date().toISOString(), commit: gitCommit(), load: loadText });
    writeFileSync(mdPath, splice(existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '', section));
    const json = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>) : {};
    json[key] = { date: new Date().toISOString(), appCommit: gitCommit(), load: { before, after }, ...asJson(result) };
    writeFileSync(`${jsonPath}.tmp`, `${JSON.stringify(json, null, 2)}\n`);
    renameSync(`${jsonPath}.tmp`, jsonPath);
    process.stdout.write(`wrote the ${key} section of bench/results.md and bench/results.json\n`);
}

/** 4. The encryption report at scale (bench/report.cts). */
function reportPart(): Promise<void> {
    return sectionPart('report', () => benchReport(ZIP), reportMarkdown, spliceReportSection, (cases) => ({ cases }));
}

/** 5. The audit trail (bench/audit.cts). */
function auditPart(): Promise<void> {
    return sectionPart('audit', () => benchAudit(ZIP), auditMarkdown, (md, section) => spliceSection(md, section, AUDIT_SECTION_START, AUDIT_SECTION_END), (result) => ({ ...result }));
}

async function main(): Promise<void> {
    if (process.env.BENCH_ONLY === 'bulk') {
        await bulkOnly();
        return;
    }
    const started = Date.now();
    const loadBefore = load();
    if (process.env.GROUP_ADMIN_SKIP_PACKAGE !== '1' || !existsSync(ZIP)) {
        execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
    }
    if (process.env.BENCH_ONLY === 'report') {
        await reportPart();
        return;
    }
    if (process.env.BENCH_ONLY === 'audit') {
        await auditPart();
        return;
    }
    const bench = await Bench.start(Math.max(...SIZES));
    const cases: CaseResult[] = [];
    try {
        // 1–2. Round trips, through both kinds of doors.
        const doors: Door[] = ['endpoint', ...CHAT_DOORS];
        for (const size of SIZES) {
            for (const op of OPERATIONS) {
                const shared = bench.newGroup(op, size);
                const samples: Record<Door, Sample[]> = { endpoint: [], command: [], button: [] };
                const n = iterationsFor(op, size);
                for (let i = 0; i < n + WARMUP; i++) {
                    for (const door of doors) {
                        const sample = await bench.once(op, door, size, shared);
                        if (i >= WARMUP) {
                            samples[door].push(sample);
                        }
                    }
                }
                for (const door of doors) {
                    const r = summarize(op, door, size, samples[door]);
                    cases.push(r);
                    process.stdout.write(
                        `${op.padEnd(10)} ${door.padEnd(8)} ${String(size).padStart(6)}: ${r.steps}; round trips ${range(r.roundTrips)} ` +
                            `(whole ${range(r.roundTripsTotal)}), REST ${range(r.restCalls.writes)} write(s) / ${range(r.restCalls.reads)} read(s), ` +
                            `table ${range(r.tableReads)}, p50 ${r.p50.toFixed(2)} ms — ${r.targets.map((t) => `${t.met ? 'met' : 'NOT MET'}: ${t.target}`).join('; ')}\n`,
                    );
                }
            }
        }

        // 3. Latency over HTTP: app endpoint vs Rocket.Chat's endpoint, interleaved.
        const httpResults: HttpResult[] = [];
        const httpSizes = SIZES.filter((s) => s <= 1000);
        for (const size of httpSizes.length ? httpSizes : [Math.min(...SIZES)]) {
            for (const op of OPERATIONS) {
                const n = op === 'team' ? Math.max(10, Math.round(HTTP_ITERATIONS / 2)) : HTTP_ITERATIONS;
                const sharedApp = bench.newGroup(`http-app-${op}`, size);
                const sharedRc = bench.newGroup(`http-rc-${op}`, size);
                const app: number[] = [];
                const rc: number[] = [];
                for (let i = 0; i < n + WARMUP; i++) {
                    const a = await bench.overHttp(op, 'app', op === 'team' ? bench.newGroup('http-app-team', size) : sharedApp);
                    const r = await bench.overHttp(op, 'rocketchat', op === 'team' ? bench.newGroup('http-rc-team', size) : sharedRc);
                    if (i >= WARMUP) {
                        app.push(a);
                        rc.push(r);
                    }
                }
                const result: HttpResult = {
                    operation: op,
                    members: size,
                    iterations: n,
                    app: { p50: round(median(app)), p95: round(percentile(app, 95)) },
                    rocketChat: {
                        p50: round(median(rc)),
                        p95: round(percentile(rc, 95)),
                        endpoint: op === 'type' ? 'POST /api/v1/groups.setType (p→c), POST /api/v1/channels.setType (c→p)' : `POST /api/v1/${ENDPOINT_OF[op]}`,
                    },
                    ratio: round(median(app) / median(rc), 1),
                };
                httpResults.push(result);
                process.stdout.write(
                    `HTTP ${op.padEnd(10)} ${String(size).padStart(6)}: app p50 ${result.app.p50.toFixed(2)} ms, Rocket.Chat p50 ${result.rocketChat.p50.toFixed(2)} ms (${result.ratio}×)\n`,
                );
            }
        }
        const floorApp: number[] = [];
        const floorRc: number[] = [];
        for (let i = 0; i < HTTP_ITERATIONS; i++) {
            floorApp.push((await bench.client.post(`/api/apps/public/${bench.host.id}/groups.setEncrypted`, 'not an object', bench.headers)).ms);
            floorRc.push((await bench.client.post('/api/v1/groups.setEncrypted', 'not an object', bench.headers)).ms);
        }

        // 4. Bulk jobs.
        const bulk = await bulkRows(bench);

        const targets: Report['targets'] = [];
        targets.push({
            target: `bulk jobs: ≤ ${BULK_CROSSINGS_TARGET} host crossings per room, the permission table and settings read once per batch`,
            met: bulk.every((r) => r.met),
            detail: bulk.map((r) => `${r.rooms} rooms: ${r.crossingsPerRoom} per room, ${r.roomsPerSecond} rooms/s, table ${r.tableReads}`).join('; '),
        });
        const endpointRows = cases.filter((c) => c.door === 'endpoint');
        targets.push({
            target: `HTTP door: the forwarded write plus at most ${HTTP_READS_MAX} read to Rocket.Chat, none as the service account`,
            met: endpointRows.every((c) => c.targets[0].met),
            detail: endpointRows
                .map((c) => `${c.operation} ${c.members}: ${range(c.restCalls.writes)} write / ${range(c.restCalls.reads)} read, ${range(c.restCalls.asService)} as service`)
                .join('; '),
        });
        targets.push({
            target: `HTTP door: host round trips ≤ ${HTTP_WRITES + HTTP_READS_MAX} (everything the Deno process asks the server for)`,
            met: endpointRows.every((c) => c.targets[1].met),
            detail:
                endpointRows.map((c) => `${c.operation} ${c.members}: ${range(c.roundTrips)}`).join('; ') +
                ` — made of: ${[...new Set(endpointRows.map(breakdown))].join(' | ')}`,
        });
        for (const door of CHAT_DOORS) {
            const rows = cases.filter((c) => c.door === door);
            targets.push({
                target: `chat doors (${door}): ≤ ${CHAT_ROUND_TRIP_TARGET} host round trips per request, the live permission read included`,
                met: rows.every((c) => c.targets[0].met),
                detail:
                    rows.map((c) => `${c.operation} ${c.members}: ${range(c.roundTrips)}${c.steps.includes('+') ? ` (${c.steps}: ${range(c.roundTripsTotal)})` : ''}`).join('; ') +
                    ` — made of: ${[...new Set(rows.filter((c) => c.members === Math.min(...SIZES)).map((c) => `${c.operation}: ${breakdown(c)}`))].join(' | ')}`,
            });
            targets.push({
                target: `chat doors (${door}): the permission table read on every change`,
                met: rows.every((c) => c.targets[1].met),
                detail: rows.map((c) => `${c.operation} ${c.members}: ${range(c.tableReads)}`).join('; '),
            });
        }
        for (const h of httpResults) {
            targets.push({
                target: `HTTP latency, ${h.operation} (${h.members} members): app endpoint p50 against Rocket.Chat's own endpoint p50`,
                met: null,
                detail: `${h.app.p50.toFixed(2)} ms / ${h.rocketChat.p50.toFixed(2)} ms = ${h.ratio}×`,
            });
        }

        const report: Report = {
            date: new Date().toISOString(),
            command: 'npm run bench',
            iterationsNote:
                `${ITERATIONS} measured iterations per case after ${WARMUP} warm-up ones, team conversion ${iterationsFor('team', 3)}` +
                (SIZES.some((s) => s >= 10000) ? ` (${iterationsFor('team', 10000)} at 10,000 members)` : '') +
                `; HTTP latency ${HTTP_ITERATIONS} pairs per operation (team ${Math.max(10, Math.round(HTTP_ITERATIONS / 2))})`,
            machine: machine(),
            load: { before: loadBefore, after: load() },
            appCommit: gitCommit(),
            cases,
            http: httpResults,
            floor: { app: { p50: round(median(floorApp)) }, rocketChat: { p50: round(median(floorRc)) } },
            targets,
            bulk,
            durationSeconds: round((Date.now() - started) / 1000, 1),
        };
        const dir = path.join(root, 'bench');
        writeFileSync(path.join(dir, 'results.json.tmp'), `${JSON.stringify(report, null, 2)}\n`);
        renameSync(path.join(dir, 'results.json.tmp'), path.join(dir, 'results.json'));
        writeFileSync(path.join(dir, 'results.md'), markdown(report));
        process.stdout.write(`\n${targets.map((t) => `${t.met === null ? 'report ' : t.met ? 'met    ' : 'NOT MET'} ${t.target}: ${t.detail}`).join('\n')}\n`);
        process.stdout.write(`wrote bench/results.md and bench/results.json in ${report.durationSeconds} s\n`);
    } finally {
        await bench.stop();
    }
    await reportPart();
    await auditPart();
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
