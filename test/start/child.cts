/**
 * Runs `npm start` (host/start.cts through the tsx CLI, as `npm start` does) in a child process and talks to it over
 * real HTTP and stdin. The zip is built by jest's global setup, so children start with `--no-package` (unless a test
 * is about packaging).
 */
import { spawn } from 'child_process';
import type { ChildProcessWithoutNullStreams } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import http from 'http';
import net from 'net';
import { tmpdir } from 'os';
import path from 'path';

import { DEMO_SEED } from '../../host/workspace/demo.cjs';

export const ROOT = path.resolve(__dirname, '..', '..');
const TSX_CLI = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const appJson = JSON.parse(readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as { id: string };
export const APP_ID = appJson.id;
export const READY = /Group Admin workspace ready on (http:\/\/127\.0\.0\.1:(\d+))/;

export interface Json {
    [key: string]: unknown;
}

export interface HttpAnswer {
    status: number;
    body: Json;
    text: string;
    /** Response headers, lower-case names. */
    headers: Record<string, string>;
}

export class StartedWorkspace {
    private out = '';
    private err = '';
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    baseUrl = '';
    port = 0;

    constructor(readonly child: ChildProcessWithoutNullStreams) {
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
            this.out += chunk;
        });
        child.stderr.on('data', (chunk: string) => {
            this.err += chunk;
        });
        // A closed stdin of an exited child must not fail the test run.
        child.stdin.on('error', () => undefined);
        this.exited = new Promise((resolve) => {
            child.on('exit', (code, signal) => resolve({ code, signal }));
        });
    }

    get stdout(): string {
        return this.out;
    }

    get stderr(): string {
        return this.err;
    }

    get pid(): number {
        return this.child.pid ?? -1;
    }

    get running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    /** Resolves when stdout matches `pattern` (or rejects on exit / timeout, with the output so far). */
    async waitFor(pattern: RegExp | string, timeoutMs = 60000, from = 0): Promise<RegExpMatchArray> {
        const started = Date.now();
        for (;;) {
            const text = this.out.slice(from);
            const match = typeof pattern === 'string' ? (text.includes(pattern) ? ([pattern] as RegExpMatchArray) : null) : text.match(pattern);
            if (match) {
                return match;
            }
            if (!this.running) {
                throw new Error(`the workspace exited before printing ${String(pattern)}\nstdout:\n${this.out}\nstderr:\n${this.err}`);
            }
            if (Date.now() - started > timeoutMs) {
                throw new Error(`timed out waiting for ${String(pattern)}\nstdout:\n${this.out}\nstderr:\n${this.err}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 25));
        }
    }

    async ready(timeoutMs = 60000): Promise<void> {
        const match = await this.waitFor(READY, timeoutMs);
        this.baseUrl = match[1];
        this.port = Number(match[2]);
    }

    /** Types a line into the chat. */
    type(line: string): void {
        this.child.stdin.write(`${line}\n`);
    }

    /** Types a line and waits until the output after it matches `pattern`. */
    async say(line: string, pattern: RegExp | string, timeoutMs = 30000): Promise<string> {
        const from = this.out.length;
        this.type(line);
        await this.waitFor(pattern, timeoutMs, from);
        return this.out.slice(from);
    }

    async request(method: string, urlPath: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
        const headers: Record<string, string> = { ...(options.headers ?? {}) };
        let payload: string | undefined;
        if (options.raw !== undefined) {
            payload = options.raw;
            headers['Content-Type'] ??= 'application/json';
        } else if (options.body !== undefined) {
            payload = JSON.stringify(options.body);
            headers['Content-Type'] ??= 'application/json';
        }
        const response = await httpRequest(`${this.baseUrl}${urlPath}`, method, headers, payload);
        const text = response.text;
        let body: Json = {};
        try {
            body = JSON.parse(text) as Json;
        } catch {
            body = { unparsable: text };
        }
        return { status: response.status, body, text, headers: response.headers };
    }

    /** `POST /api/v1/login` → the headers a script would send next. */
    async login(user: string, password = 'demo'): Promise<Record<string, string>> {
        const answer = await this.request('POST', '/api/v1/login', { body: { user, password } });
        if (answer.status !== 200) {
            throw new Error(`login ${user}: ${answer.status} ${answer.text}`);
        }
        const data = answer.body.data as { userId: string; authToken: string };
        return { 'X-User-Id': data.userId, 'X-Auth-Token': data.authToken };
    }

    /** POSTs to the app's endpoint `/api/apps/public/<app id>/<endpoint>`. */
    app(endpoint: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
        return this.request('POST', `/api/apps/public/${APP_ID}/${endpoint}`, { body, headers });
    }

    get(urlPath: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
        return this.request('GET', urlPath, { headers });
    }

    /** Sends a signal and waits for the exit (kills hard after `timeoutMs`). */
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
        if (this.running) {
            this.child.kill(signal);
        }
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => {
                this.child.kill('SIGKILL');
                reject(new Error(`the workspace did not exit within ${timeoutMs} ms after ${signal}\nstdout:\n${this.out}\nstderr:\n${this.err}`));
            }, timeoutMs);
        });
        try {
            return await Promise.race([this.exited, timeout]);
        } finally {
            clearTimeout(timer);
        }
    }

    /** For afterAll: ends the process whatever state it is in. */
    async kill(): Promise<void> {
        if (!this.running) {
            return;
        }
        try {
            await this.stop('SIGTERM', 10000);
        } catch {
            this.child.kill('SIGKILL');
            await this.exited;
        }
    }
}

/**
 * Starts `npm start -- --no-package --port 0 …args`; `ready` waits for the ready line. `package: true` leaves out
 * `--no-package` (the package step runs: reuse or rebuild).
 */
export function launch(args: string[], options: { env?: Record<string, string>; package?: boolean } = {}): StartedWorkspace {
    const hasPort = args.some((a) => a === '--port' || a.startsWith('--port='));
    const packageFlag = options.package ? [] : ['--no-package'];
    const child = spawn(process.execPath, [TSX_CLI, 'host/start.cts', ...packageFlag, ...(hasPort ? [] : ['--port', '0']), ...args], {
        cwd: ROOT,
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...(options.env ?? {}) },
        stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new StartedWorkspace(child);
}

/**
 * `started(['--no-chat'])` on the demo with Rocket.Chat's REST rate limiter off, for tests that call one route more
 * than 10 times a minute from one address; `kill()` also removes the seed file.
 */
export async function startedWithoutRateLimits(): Promise<StartedWorkspace> {
    const dir = mkdtempSync(path.join(tmpdir(), 'group-admin-unlimited-'));
    const seed = path.join(dir, 'demo-unlimited.json');
    writeFileSync(seed, JSON.stringify({ ...DEMO_SEED, settings: { ...DEMO_SEED.settings, API_Enable_Rate_Limiter: false } }));
    try {
        const ws = await started(['--no-chat', '--seed', seed]);
        void ws.exited.then(() => rmSync(dir, { recursive: true, force: true }));
        return ws;
    } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
    }
}

export async function started(args: string[]): Promise<StartedWorkspace> {
    const ws = launch(args);
    try {
        await ws.ready();
    } catch (error) {
        await ws.kill();
        throw error;
    }
    return ws;
}

/** One HTTP request with Node's client (no keep-alive), resolving with status and body text. */
export function httpRequest(
    url: string,
    method: string,
    headers: Record<string, string>,
    payload?: string,
): Promise<{ status: number; text: string; headers: Record<string, string> }> {
    return new Promise((resolve, reject) => {
        const request = http.request(
            url,
            { method, headers: { ...headers, ...(payload !== undefined ? { 'Content-Length': String(Buffer.byteLength(payload)) } : {}) }, agent: false },
            (response) => {
                const chunks: Buffer[] = [];
                response.on('data', (chunk: Buffer) => chunks.push(chunk));
                response.on('end', () => {
                    const answerHeaders: Record<string, string> = {};
                    for (const [key, value] of Object.entries(response.headers)) {
                        if (value !== undefined) {
                            answerHeaders[key] = Array.isArray(value) ? value.join(', ') : value;
                        }
                    }
                    resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: answerHeaders });
                });
                response.on('error', reject);
            },
        );
        request.on('error', reject);
        request.end(payload);
    });
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address() as net.AddressInfo;
            server.close(() => resolve(address.port));
        });
    });
}

/** Whether something can listen on 127.0.0.1:`port` (i.e. it is free). */
export function portIsFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
}

/** Every process below `pid` (Linux /proc; empty elsewhere), with its command line. */
export function descendants(pid: number): Array<{ pid: number; cmd: string }> {
    if (process.platform !== 'linux') {
        return [];
    }
    const parents = new Map<number, number[]>();
    const commands = new Map<number, string>();
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            // pid (comm) state ppid …; comm may contain spaces and parentheses.
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            const list = parents.get(ppid) ?? [];
            list.push(Number(entry));
            parents.set(ppid, list);
            commands.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
        } catch {
            // the process ended while we looked
        }
    }
    const out: Array<{ pid: number; cmd: string }> = [];
    const walk = (p: number): void => {
        for (const c of parents.get(p) ?? []) {
            out.push({ pid: c, cmd: commands.get(c) ?? '' });
            walk(c);
        }
    };
    walk(pid);
    return out;
}

/** Whether the process runs (a zombie, dead but not yet reaped by its new parent, does not). */
export function isAlive(pid: number): boolean {
    if (process.platform === 'linux') {
        try {
            const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
            const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
            return state !== 'Z' && state !== 'X';
        } catch {
            return false;
        }
    }
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** No Node/V8 stack frame in a response body. */
export function hasStackTrace(text: string): boolean {
    return /\n\s+at\s|\bat .*\.(ts|js|mjs):\d+/.test(text);
}
