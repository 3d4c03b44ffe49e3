/**
 * Shared pieces of the evidence tests (faults, fuzzing, concurrency, security): the engine harness wrapped so that
 * every reply, response, error and log line the app produces passes a secret scan, plus the contract's statuses and
 * bodies. Helpers live here instead of in test/engine/harness.cts so the harness stays as other tests know it.
 */
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';

import { UNAUTHORIZED_BODY } from '../../host/engine/EngineHost.cjs';
import type { ApiCall, CommandRun, Delivery } from '../../host/engine/EngineHost.cjs';
import type { RestResponse } from '../../host/workspace/model.cjs';
import { EngineUnderTest } from '../engine/harness.cjs';
import type { Fixture } from '../engine/harness.cjs';

/**
 * Every status an app endpoint may answer (interface.md §3 + rocketchat-semantics.md §1 for the three routes), 429
 * included: Rocket.Chat's rate limiter answers a forwarded change with it (passed on), as the chat doors' limit does.
 */
export const DOCUMENTED_STATUSES: ReadonlySet<number> = new Set([200, 400, 401, 403, 429, 502, 503]);

export { withoutRateLimits } from '../engine/harness.cjs';

export const ENDPOINTS = ['groups.setEncrypted', 'groups.setType', 'groups.convertToTeam'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** The app-specific failures of interface.md §3: `{ success: false, error: "<text> [<errorType>]", errorType }`. */
export function appFailure(status: 502 | 503 | 400, errorType: string): { status: number; body: unknown } {
    return {
        status,
        body: { success: false, error: expect.stringMatching(new RegExp(`^\\S.* \\[${errorType}\\]$`)), errorType },
    };
}

export interface Leak {
    where: string;
    excerpt: string;
}

/**
 * Watches every text the app hands out for the service account's token(s) and the callers' tokens. Each text is checked when it is
 * recorded (against every token known by then) and the full app log once at the end ({@link SecretWatch.verify}).
 */
export class SecretWatch {
    private readonly secrets = new Set<string>();
    private readonly leaks: Leak[] = [];
    readonly counts = { replies: 0, responses: 0, errors: 0, logLines: 0, logChars: 0 };

    addSecret(secret: string): void {
        if (secret.length >= 8) {
            this.secrets.add(secret);
        }
    }

    get secretCount(): number {
        return this.secrets.size;
    }

    private check(where: string, text: string): void {
        for (const secret of this.secrets) {
            const at = text.indexOf(secret);
            if (at >= 0) {
                // The excerpt names where the token sat without printing it.
                const excerpt = text.slice(Math.max(0, at - 80), at + secret.length + 80).split(secret).join('<service token>');
                this.leaks.push({ where, excerpt });
            }
        }
    }

    response(where: string, response: RestResponse): void {
        this.counts.responses++;
        this.check(`response to ${where}`, JSON.stringify(response.body) ?? '');
    }

    command(where: string, run: CommandRun): void {
        for (const delivery of run.deliveries) {
            this.counts.replies++;
            this.check(`reply to ${where}`, JSON.stringify(delivery.message ?? delivery.text ?? delivery.interaction ?? null));
        }
        if (run.error !== undefined) {
            this.counts.errors++;
            this.check(`error of ${where}`, run.error);
        }
    }

    error(where: string, error: unknown): void {
        this.counts.errors++;
        this.check(`error of ${where}`, error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : JSON.stringify(error) ?? String(error));
    }

    text(where: string, text: string): void {
        this.check(where, text);
    }

    /** Scans the whole app log (entry by entry, to name where a leak is) and returns every leak found over the run. */
    verify(entries: ILoggerStorageEntry[], fullText: string): Leak[] {
        const before = this.leaks.length;
        for (const entry of entries) {
            for (const line of entry.entries) {
                const text = JSON.stringify(line) ?? '';
                this.counts.logLines++;
                this.counts.logChars += text.length;
                this.check(`app log (${entry.method}, ${String(line.severity)})`, text);
            }
        }
        if (this.leaks.length === before) {
            // The whole log as EngineHost.logText() gives it (entry fields included), in case a line scan missed it.
            this.check('app log (logText)', fullText);
        }
        return [...this.leaks];
    }
}

/**
 * Boots one engine for the calling test file (`beforeAll`) and hands it to `ready`; `beforeShutdown` runs in
 * `afterAll` before the engine (and its Deno process) is stopped.
 */
export function bootPerFile(ready: (ev: Evidence) => void | Promise<void>, beforeShutdown?: () => void): void {
    let booted: Evidence | undefined;
    beforeAll(async () => {
        booted = await Evidence.boot();
        await ready(booted);
    }, 120000);
    afterAll(async () => {
        beforeShutdown?.();
        await booted?.shutdown();
    });
}

/** The engine under test, with every output going through a {@link SecretWatch}. */
export class Evidence {
    readonly watch = new SecretWatch();
    private readonly headers = new WeakMap<object, Map<string, Record<string, string>>>();

    private constructor(readonly engine: EngineUnderTest) {}

    static async boot(): Promise<Evidence> {
        return new Evidence(await EngineUnderTest.boot());
    }

    get host(): EngineUnderTest['host'] {
        return this.engine.host;
    }

    get workspace(): Fixture['workspace'] {
        return this.engine.workspace;
    }

    /** A fresh demo workspace (harness `fresh`); its service token and any token in `settings` join the watch list. */
    async fresh(prepare?: (fixture: Fixture) => void, settings: Record<string, unknown> = {}): Promise<Fixture> {
        const fixture = await this.engine.fresh((f) => {
            this.watch.addSecret(f.serviceAccount.token);
            prepare?.(f);
            this.watch.addSecret(f.serviceAccount.token);
        }, settings);
        if (typeof settings.service_user_token === 'string') {
            this.watch.addSecret(settings.service_user_token);
        }
        return fixture;
    }

    userId(username: string): string {
        return this.engine.userId(username);
    }

    roomId(name: string): string {
        return this.engine.roomId(name);
    }

    /** Auth headers of a user, minted once per workspace (minting a token is a write, so do it before a snapshot). */
    headersOf(username: string): Record<string, string> {
        let perUser = this.headers.get(this.workspace);
        if (!perUser) {
            perUser = new Map();
            this.headers.set(this.workspace, perUser);
        }
        let headers = perUser.get(username);
        if (!headers) {
            headers = this.engine.headersOf(username);
            perUser.set(username, headers);
            // A caller's token is as secret as the service account's: the HTTP door sends it on, never shows it.
            this.watch.addSecret(headers['X-Auth-Token']);
        }
        return headers;
    }

    async api(path: string, body: unknown, username: string | null): Promise<RestResponse> {
        return this.callApi({ method: 'POST', path, body, headers: username ? this.headersOf(username) : {} });
    }

    async callApi(call: ApiCall): Promise<RestResponse> {
        try {
            const response = await this.host.callApi(call);
            this.watch.response(call.path, response);
            return response;
        } catch (error) {
            this.watch.error(call.path, error);
            throw error;
        }
    }

    async command(username: string, roomName: string, line: string): Promise<CommandRun> {
        return this.commandIn(this.userId(username), this.roomId(roomName), line);
    }

    async commandIn(userId: string, roomId: string, line: string): Promise<CommandRun> {
        try {
            const run = await this.host.runCommand(line, userId, roomId);
            this.watch.command(line, run);
            return run;
        } catch (error) {
            this.watch.error(line, error);
            throw error;
        }
    }

    /**
     * Runs commands concurrently. `runCommand` attributes deliveries by position in the host's delivery list, which
     * mixes replies of commands running at the same time, so the replies are returned as one list (in arrival order)
     * with the runs' executor errors.
     */
    async commandsAtOnce(
        lines: Array<{ username: string; roomName: string; line: string; delayMs?: number }>,
    ): Promise<{ deliveries: Delivery[]; errors: string[] }> {
        const records = this.host.ctx.records.deliveries;
        const start = records.length;
        const runs = await Promise.all(
            lines.map(async ({ username, roomName, line, delayMs }) => {
                try {
                    if (delayMs) {
                        await new Promise((resolve) => setTimeout(resolve, delayMs));
                    }
                    return await this.host.runCommand(line, this.userId(username), this.roomId(roomName));
                } catch (error) {
                    this.watch.error(line, error);
                    return { deliveries: [], error: error instanceof Error ? error.message : String(error) };
                }
            }),
        );
        const deliveries = records.slice(start);
        const errors = runs.map((run) => run.error).filter((e): e is string => e !== undefined);
        this.watch.command('concurrent commands', { deliveries, ...(errors.length ? { error: errors.join('\n') } : {}) });
        return { deliveries, errors };
    }

    /** The text of the single ephemeral reply of a command, with the checks every reply must pass. */
    async reply(username: string, roomName: string, line: string): Promise<string> {
        const run = await this.command(username, roomName, line);
        return singleReply(run, this.userId(username), this.roomId(roomName), line);
    }

    async reference(path: string, body: unknown, username: string): Promise<RestResponse> {
        return this.engine.reference(path, body, username);
    }

    snapshot(): string {
        return this.workspace.snapshot();
    }

    /** Position in the app log, for {@link Evidence.logSince}. */
    logMark(): number {
        return this.host.logs().length;
    }

    logSince(mark: number): ILoggerStorageEntry[] {
        return this.host.logs().slice(mark);
    }

    /** Log lines of a severity written since `mark`, as text. */
    linesSince(mark: number, severity: string): string[] {
        return this.logSince(mark).flatMap((entry) =>
            entry.entries.filter((line) => String(line.severity) === severity).map((line) => JSON.stringify(line.args)),
        );
    }

    errorLines(): Array<{ method: string; args: unknown[] }> {
        return this.engine.errorLines();
    }

    /** Scans the whole app log (call once, at the end of a file) and returns every leak over the file's run. */
    leaks(): Leak[] {
        return this.watch.verify(this.host.logs(), this.host.logText());
    }

    async shutdown(): Promise<void> {
        await this.engine.shutdown();
    }
}

/** Asserts a command run gave exactly one ephemeral reply to its invoker in its room and returns its text. */
export function singleReply(run: CommandRun, userId: string, roomId: string, line: string): string {
    const replies = run.deliveries.filter((d: Delivery) => d.kind === 'ephemeral');
    if (run.error !== undefined || run.deliveries.length !== 1 || replies.length !== 1) {
        throw new Error(`expected one ephemeral reply to "${line}", got ${run.deliveries.length} deliveries (${run.error ?? 'no error'})`);
    }
    const [reply] = replies;
    if (reply.toUserId !== userId || reply.roomId !== roomId) {
        throw new Error(`the reply to "${line}" went to ${reply.toUserId} in ${reply.roomId ?? '?'}`);
    }
    const text = reply.text ?? '';
    if (!text.trim()) {
        throw new Error(`the reply to "${line}" is empty`);
    }
    return text;
}

/** Problems with an endpoint answer in terms of the contract (empty = fine). */
export function answerProblems(response: RestResponse): string[] {
    const problems: string[] = [];
    if (!DOCUMENTED_STATUSES.has(response.status)) {
        problems.push(`undocumented status ${response.status}`);
    }
    if (response.status === 401 && response.body === UNAUTHORIZED_BODY) {
        // Rocket.Chat's apps router itself, before the app: `res.status(401).send('Unauthorized')`, plain text.
        return problems;
    }
    const body = response.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
        problems.push('body is not a JSON object');
        return problems;
    }
    if (response.status === 200) {
        if (body.success !== true) {
            problems.push('a 200 without success: true');
        }
    } else {
        if (body.success !== false) {
            problems.push('an error body without success: false');
        }
        if (typeof body.error !== 'string' || !body.error.trim()) {
            problems.push('an error body without an error text');
        }
    }
    return problems;
}

/** Milliseconds of a promise's run. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const start = process.hrtime.bigint();
    const value = await run();
    return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/**
 * What differs between two `snapshot()` strings, document by document (`rooms[project-x].encrypted: false → true`),
 * so a failed "nothing changed" check says what changed instead of printing two 30 KB strings.
 */
export function snapshotDiff(before: string, after: string): string[] {
    if (before === after) {
        return [];
    }
    const a = JSON.parse(before) as Record<string, unknown>;
    const b = JSON.parse(after) as Record<string, unknown>;
    const out: string[] = [];
    const label = (doc: Record<string, unknown>): string => String(doc.name ?? doc.username ?? doc._id ?? '?');
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const x = a[key];
        const y = b[key];
        if (JSON.stringify(x) === JSON.stringify(y)) {
            continue;
        }
        if (Array.isArray(x) && Array.isArray(y)) {
            const byId = (list: unknown[]): Map<string, Record<string, unknown>> =>
                new Map(list.map((d, i) => [String((d as { _id?: unknown })._id ?? i), d as Record<string, unknown>]));
            const xs = byId(x);
            const ys = byId(y);
            for (const [id, doc] of ys) {
                const old = xs.get(id);
                if (!old) {
                    out.push(`${key}: added ${label(doc)} ${JSON.stringify(doc).slice(0, 200)}`);
                    continue;
                }
                for (const field of new Set([...Object.keys(old), ...Object.keys(doc)])) {
                    if (JSON.stringify(old[field]) !== JSON.stringify(doc[field])) {
                        out.push(`${key}[${label(doc)}].${field}: ${JSON.stringify(old[field])} → ${JSON.stringify(doc[field])}`.slice(0, 300));
                    }
                }
            }
            for (const [id, doc] of xs) {
                if (!ys.has(id)) {
                    out.push(`${key}: removed ${label(doc)}`);
                }
            }
        } else {
            out.push(`${key}: ${JSON.stringify(x)?.slice(0, 200)} → ${JSON.stringify(y)?.slice(0, 200)}`);
        }
    }
    return out;
}
