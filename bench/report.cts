/**
 * The encryption report at scale (issue 15): `GET groups.encryptionReport` and `/encrypt report` at 100, 1,000 and
 * 10,000 private groups, through the real Apps-Engine (the packaged zip in its Deno runtime). Per case: time, host round
 * trips (every accessor / bridge request of the Deno process), the REST reads the app made (`groups.listAll` pages), and
 * the Deno process's peak resident memory while the case ran (Linux `/proc/<pid>/status` `VmHWM`, reset before each case
 * through `/proc/<pid>/clear_refs`) against its resident memory before it.
 *
 * For comparison, the listing the room bridge allows (`IRoomRead.getAllRooms` pages, then one `getById` per room,
 * because `getAllRooms` carries no `encrypted`), run by the host probe app in an engine of its own first.
 *
 * Run alone: `BENCH_ONLY=report npm run bench` (rewrites only this section of bench/results.md and the `report` key of
 * bench/results.json). BENCH_REPORT_SIZES (default 100,1000,10000), BENCH_REPORT_ITERATIONS (default 5).
 */
import { readdirSync, readFileSync, writeFileSync } from 'fs';

import { EngineHost } from '../host/engine/EngineHost.cjs';
import { addGeneratedGroups, demoWorkspace } from '../host/workspace/demo.cjs';
import type { Workspace } from '../host/workspace/Workspace.cjs';
import { probeAppZip } from '../test/host/probeApp.cjs';

export const REPORT_SIZES = (process.env.BENCH_REPORT_SIZES ?? '100,1000,10000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n >= 5);
const ITERATIONS = Math.max(1, Number(process.env.BENCH_REPORT_ITERATIONS ?? 5) || 5);
/** The engine's limit for one endpoint call. */
const ENDPOINT_LIMIT_MS = 30000;

export interface ReportCase {
    case: string;
    groups: number;
    iterations: number;
    /** Median over the iterations. */
    ms: number;
    maxMs: number;
    roundTrips: number;
    bridge: Record<string, number>;
    listAllReads: number;
    /** Deno process resident memory before the case (MiB), and its peak while the case ran. */
    rssBeforeMiB: number | null;
    peakRssMiB: number | null;
}

const MiB = 1024 * 1024;

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** The Deno runtime processes this Node process spawned (the apps' runtimes). */
export function denoChildren(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            const close = stat.lastIndexOf(')');
            const comm = stat.slice(stat.indexOf('(') + 1, close);
            const ppid = Number(stat.slice(close + 2).split(' ')[1]);
            if (ppid === process.pid && comm.startsWith('deno')) pids.push(Number(entry));
        } catch {
            // gone meanwhile
        }
    }
    return pids;
}

export function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
    try {
        const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return match ? Number(match[1]) : null;
    } catch {
        return null;
    }
}

/** Resets the process's peak resident memory (`VmHWM`) to its current one; false where the kernel does not allow it. */
export function resetPeak(pid: number): boolean {
    try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
        return true;
    } catch {
        return false;
    }
}

export function mib(kib: number | null): number | null {
    return kib === null ? null : Math.round((kib * 1024 * 10) / MiB) / 10;
}

async function measure(host: EngineHost, name: string, groups: number, run: () => Promise<unknown>): Promise<ReportCase> {
    const pid = denoChildren()[0];
    const times: number[] = [];
    let roundTrips = 0;
    let bridge: Record<string, number> = {};
    let listAllReads = 0;
    let rssBefore: number | null = null;
    let peak: number | null = null;
    // Memory: the peak over the warm-up and the measured runs against the resident size before them.
    if (pid) {
        rssBefore = statusKiB(pid, 'VmRSS');
        if (!resetPeak(pid)) rssBefore = null;
    }
    await run();
    for (let i = 0; i < ITERATIONS; i++) {
        host.resetCounters();
        const callsBefore = host.workspace.restCalls.length;
        const start = process.hrtime.bigint();
        await run();
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        roundTrips = host.roundTrips();
        bridge = host.bridgeCalls();
        listAllReads = host.workspace.restCalls.slice(callsBefore).filter((call) => call.path === '/api/v1/groups.listAll').length;
    }
    if (pid && rssBefore !== null) peak = statusKiB(pid, 'VmHWM');
    const ms = Math.round(median(times) * 10) / 10;
    process.stdout.write(`report ${name.padEnd(44)} ${String(groups).padStart(6)}: ${ms} ms, ${roundTrips} round trips, ${listAllReads} listAll, peak ${mib(peak)} MiB\n`);
    return { case: name, groups, iterations: ITERATIONS, ms, maxMs: Math.round(Math.max(...times) * 10) / 10, roundTrips, bridge, listAllReads, rssBeforeMiB: mib(rssBefore), peakRssMiB: mib(peak) };
}

function workspaceWith(groups: number): ReturnType<typeof demoWorkspace> {
    const demo = demoWorkspace();
    // The demo has 4 private groups: generate the rest.
    addGeneratedGroups(demo.workspace, groups - 4);
    demo.workspace.setSetting('API_Enable_Rate_Limiter', false);
    return demo;
}

function headersOf(workspace: Workspace, username: string): Record<string, string> {
    const id = workspace.getUserByUsername(username)?._id as string;
    return { 'X-User-Id': id, 'X-Auth-Token': workspace.createAuthToken(id) };
}

/**
 * Every case at every size: the bridge listing (probe app) first, then the app. Each size gets a fresh engine (a new
 * Deno process), so its memory figures start from the same state and differ only by the number of groups.
 */
export async function benchReport(zip: string): Promise<ReportCase[]> {
    const cases: ReportCase[] = [];
    for (const size of REPORT_SIZES) {
        const probe = await EngineHost.start({ workspace: workspaceWith(size).workspace });
        try {
            await probe.install(probeAppZip());
            cases.push(await measure(probe, 'getAllRooms + getById per room (probe app)', size, () => probe.callApi({ path: 'encryptionByBridge', body: {} })));
        } finally {
            await probe.stop();
        }
    }
    for (const size of REPORT_SIZES) {
        const { workspace, serviceAccount } = workspaceWith(size);
        const host = await EngineHost.start({ workspace });
        try {
            await host.install(zip);
            await host.setSettings({ service_user_id: serviceAccount.userId, service_user_token: serviceAccount.token, server_url: '', confirm_changes: false });
            const admin = headersOf(workspace, 'admin');
            const alice = headersOf(workspace, 'alice');
            const get = (headers: Record<string, string>, query: Record<string, string>) => () =>
                host.callApi({ method: 'GET', path: 'groups.encryptionReport', query, headers }).then((r) => {
                    if (r.status !== 200) throw new Error(`groups.encryptionReport answered ${r.status}: ${JSON.stringify(r.body)}`);
                });
            cases.push(await measure(host, 'admin: JSON, encrypted=false, count=50', size, get(admin, { encrypted: 'false', count: '50' })));
            cases.push(await measure(host, `admin: CSV, count=${Math.min(size, 10000)}`, size, get(admin, { format: 'csv', count: String(Math.min(size, 10000)) })));
            cases.push(await measure(host, 'owner (alice, a third of the groups): JSON', size, get(alice, { count: '50' })));
            const adminId = workspace.getUserByUsername('admin')?._id as string;
            const general = workspace.getRoomByName('general')?._id as string;
            cases.push(
                await measure(host, 'admin: /encrypt report', size, async () => {
                    const run = await host.runCommand('/encrypt report', adminId, general);
                    if (run.error || run.deliveries.length !== 1) throw new Error(`/encrypt report: ${run.error ?? run.deliveries.length}`);
                }),
            );
        } finally {
            await host.stop();
        }
    }
    return cases;
}

function bridgeText(calls: Record<string, number>): string {
    return Object.entries(calls)
        .sort((a, b) => b[1] - a[1])
        .map(([method, n]) => `${method.replace(/^.*\./, '')} ${n}`)
        .join(', ');
}

export const REPORT_SECTION_START = '<!-- report-bench:start -->';
export const REPORT_SECTION_END = '<!-- report-bench:end -->';

/** The section of bench/results.md, between its markers. */
export function reportMarkdown(cases: ReportCase[], meta: { date: string; commit: string; load: string }): string {
    const lines = [
        REPORT_SECTION_START,
        '## The encryption report at scale (issue 15)',
        '',
        `Measured ${meta.date} at ${meta.commit} (\`BENCH_ONLY=report npm run bench\`), ${ITERATIONS} runs per case after one warm-up (median, max); ${meta.load}.`,
        'Round trips: every accessor / bridge request of the Deno process for one call. Memory: the Deno runtime process\'s',
        'resident size before the case (warm-up included) and its peak while it ran (`VmHWM` after a `clear_refs` reset);',
        'every size runs in a fresh engine, the cases in the same order, so the columns compare across sizes. RSS includes',
        'V8\'s heap, which grows and is collected in steps: a few MiB of noise is expected, and memory V8 keeps after a case',
        'raises the next case\'s "before".',
        '',
        '| case | groups | median ms | max ms | round trips | groups.listAll reads | bridge calls | RSS before MiB | peak RSS MiB | growth MiB |',
        '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
        ...cases.map(
            (c) =>
                `| ${c.case} | ${c.groups.toLocaleString('en')} | ${c.ms} | ${c.maxMs} | ${c.roundTrips} | ${c.listAllReads} | ${bridgeText(c.bridge)} | ` +
                `${c.rssBeforeMiB ?? 'n/a'} | ${c.peakRssMiB ?? 'n/a'} | ${c.rssBeforeMiB !== null && c.peakRssMiB !== null ? Math.round((c.peakRssMiB - c.rssBeforeMiB) * 10) / 10 : 'n/a'} |`,
        ),
        '',
    ];
    const worst = Math.max(...cases.filter((c) => !c.case.includes('probe')).map((c) => c.maxMs));
    lines.push(
        `Slowest app call: ${worst} ms, against the engine's ${ENDPOINT_LIMIT_MS / 1000} s limit for an endpoint call.`,
        '',
        'Reading the figures:',
        '- **Listing.** `groups.listAll` carries `encrypted`: N groups cost N / `API_Upper_Count_Limit` REST reads (100 at',
        '  10,000). The room bridge\'s `getAllRooms` does not, so the same answer costs one `getById` per room on top (the',
        '  probe rows: about N + N/100 round trips, and more memory).',
        '- **Round trips of the app** are those reads plus one history read per row of the page (`lastChange`): 50 for a',
        '  JSON page of 50, 10,000 for a CSV page of 10,000. A member\'s report adds one `users.info` (every subscription',
        '  with its room roles) instead of room and room-role reads per group.',
        '- **Memory.** Only one page of groups is held. The first case of each fresh engine grows with V8 sizing its heap to',
        '  the garbage of the pages it parsed and dropped (and compiling the code); the last case of each size walks every',
        '  group again (`/encrypt report`) and adds nothing measurable. A CSV page holds its rows by design (up to 10,000).',
        '',
        REPORT_SECTION_END,
    );
    return lines.join('\n');
}

/** Puts the section into results.md in place of the previous one (or at the end). */
export function spliceReportSection(markdown: string, section: string): string {
    return spliceSection(markdown, section, REPORT_SECTION_START, REPORT_SECTION_END);
}

/** `markdown` with the part between `start` and `end` replaced by `section` (appended when there is none yet). */
export function spliceSection(markdown: string, section: string, start: string, end: string): string {
    const from = markdown.indexOf(start);
    const to = markdown.indexOf(end);
    if (from >= 0 && to > from) {
        return markdown.slice(0, from) + section + markdown.slice(to + end.length);
    }
    return `${markdown.replace(/\s*$/, '')}\n\n${section}\n`;
}
