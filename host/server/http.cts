/**
 * The local workspace's HTTP front door (Node `http`, 127.0.0.1 only), shaped like a Rocket.Chat server:
 *
 * - `/api/apps/public/<app id>/<path>` → the app's API endpoints in the real Apps-Engine (`EngineHost.callApi`, which
 *   authenticates `X-User-Id` / `X-Auth-Token` and answers 401 itself);
 * - `GET /api/info`, `/api/apps`, `/api/apps/<id>` → Rocket.Chat's deploy endpoints (appsRest.cts: what `rc-apps deploy`
 *   talks to; an update replaces the running app live);
 * - `/api/v1/<endpoint>` → the in-memory workspace's REST API (`Workspace.handleHttp`: login, me, groups.info, …, with
 *   Rocket.Chat's rate limiter keyed on the client address and its `X-RateLimit-*` headers);
 * - anything else → 404 JSON (an unknown app or app endpoint: the apps router's plain-text `Not Found`).
 *
 * In front of all that sits a model of the **front proxy** an administrator puts before Rocket.Chat (`protoGuard`, on in
 * `npm start`, off with `--no-proto-guard`): it refuses with 400 a request to `/api/apps/…` whose body has a
 * `__proto__` key anywhere, which would stop the Apps-Engine's Deno runtime for about 50 s (SECURITY.md, engine issue
 * 1). That answer comes from the proxy, not from Rocket.Chat: with the guard off the server is Rocket.Chat as it is.
 *
 * Every answer is JSON in Rocket.Chat's `{ success: false, error }` shape when it fails; an exception inside a handler
 * becomes a 500 with a generic text (the details go to the server's stderr, never to the client).
 */
import http from 'http';
import type { AddressInfo } from 'net';

import { APPS_NOT_FOUND_TEXT } from '../workspace/errors.cjs';
import type { ApiCall } from '../engine/EngineHost.cjs';
import { appsRoute, serverInfo } from './appsRest.cjs';
import type { AppsEngine, AppsWorkspace } from './appsRest.cjs';
import type { RestRequest, RestResponse } from '../workspace/model.cjs';

/** What the server needs from the workspace (structural, so tests can pass a stub). */
export interface WorkspaceBackend {
    /** `Workspace.handleHttp`: the answer with its headers (`X-RateLimit-*`), the client address for the limiter. */
    handleHttp(request: RestRequest): Promise<RestResponse>;
}

/** What the server needs from the engine host. */
export interface AppBackend {
    readonly id: string;
    callApi(call: ApiCall): Promise<RestResponse>;
}

export interface HttpServerOptions {
    /** The current workspace (looked up per request). */
    workspace: () => WorkspaceBackend;
    /** The engine with the app installed; undefined while it is still starting. */
    app: () => AppBackend | undefined;
    /** Where internal errors are reported (default: stderr). */
    logError?: (message: string) => void;
    /** Called after every answered request (for a verbose log). */
    onRequest?: (info: { method: string; path: string; status: number; ms: number }) => void;
    /** Largest accepted request body in bytes (default 1 MiB). */
    maxBodyBytes?: number;
    /**
     * Model the front proxy's rule against engine issue 1 (default off: Rocket.Chat as it is): a request to
     * `/api/apps/…` whose parsed body has a `__proto__` own key anywhere gets {@link PROTO_GUARD_BODY} and never
     * reaches the engine.
     */
    protoGuard?: boolean;
    /** Rocket.Chat's deploy endpoints (`/api/info`, `/api/apps`, `/api/apps/<id>`, appsRest.cts); 404 without. */
    apps?: { workspace: () => AppsWorkspace; engine: () => AppsEngine | undefined };
}

export const APP_API_PREFIX = '/api/apps/public/';

/** What the front proxy's rule covers: every app endpoint, `public` and `private`. */
export const PROTO_GUARD_PREFIX = '/api/apps/';

/** The front proxy's answer (400) to a body with a `__proto__` key. */
export const PROTO_GUARD_BODY = {
    success: false,
    errorType: 'error-invalid-body',
    error:
        'The request body has a "__proto__" key, which the front proxy in front of this workspace refuses: it would stop the Apps-Engine runtime (SECURITY.md, engine issue 1) [error-invalid-body]',
} as const;

const JSON_TYPE = 'application/json';

/** A failure answered before any handler ran (bad body, unknown path, …). */
class HttpFailure extends Error {
    constructor(
        readonly status: number,
        readonly body: Record<string, unknown>,
    ) {
        super(typeof body.error === 'string' ? body.error : `HTTP ${status}`);
    }
}

function fail(status: number, error: string, errorType?: string): HttpFailure {
    return new HttpFailure(status, { success: false, error, ...(errorType ? { errorType } : {}) });
}

export const NOT_FOUND_BODY = { success: false, error: 'Not found' } as const;

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        req.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
                tooLarge = true;
                chunks.length = 0;
                return;
            }
            if (!tooLarge) {
                chunks.push(chunk);
            }
        });
        req.on('end', () => {
            if (tooLarge) {
                reject(fail(413, `The request body is larger than ${limit} bytes [error-request-too-large]`, 'error-request-too-large'));
            } else {
                resolve(Buffer.concat(chunks));
            }
        });
        req.on('error', (error) => reject(error));
    });
}

/** The media type of a `Content-Type` header, lower case, without parameters. */
function mediaType(contentType: string | undefined): string {
    return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The request body as Rocket.Chat's body parsers give it to each router:
 *
 * - `'apps'` — the apps router (upstream `apps/meteor/app/apps/server/bridges/router.ts` @ 55009ce8:
 *   `express.urlencoded({ extended: false })`, `express.json()`): a body labelled `application/json` is parsed as JSON
 *   (strict: an object or an array; anything else 400), one labelled `application/x-www-form-urlencoded` as a form;
 *   any other body, or none, leaves `req.body` the `{}` the parsers start from;
 * - `'v1'` — the REST API (`parseBodyParams` of upstream `packages/http-router/src/Router.ts`): a content type that
 *   includes `application/json` → JSON, a body that does not parse being `{}`; one that includes
 *   `application/x-www-form-urlencoded` → the form; `multipart/form-data` → `{}`; anything else → the text
 *   (`Api.toBodyParams` then spreads it as upstream does), an empty one `{}`.
 */
export function parseBody(raw: Buffer, contentType: string | undefined, router: 'apps' | 'v1' = 'apps'): unknown {
    const text = raw.toString('utf8');
    const form = (): Record<string, string> => Object.fromEntries(new URLSearchParams(text));
    if (router === 'v1') {
        const type = (contentType ?? '').toLowerCase();
        if (type.includes('multipart/form-data')) return {};
        if (type.includes('application/json')) {
            try {
                return JSON.parse(text) as unknown;
            } catch {
                return {};
            }
        }
        if (type.includes('application/x-www-form-urlencoded')) return form();
        return text === '' ? {} : text;
    }
    const type = mediaType(contentType);
    if (type === 'application/x-www-form-urlencoded') return text === '' ? {} : form();
    if (type !== 'application/json' || text.trim() === '') return {};
    if (!/^\s*[[{]/.test(text)) {
        throw fail(400, 'The request body is not a JSON object or array [error-invalid-body]', 'error-invalid-body');
    }
    try {
        return JSON.parse(text) as unknown;
    } catch {
        throw fail(400, 'The request body is not valid JSON [error-invalid-body]', 'error-invalid-body');
    }
}

/**
 * Whether a parsed body has a `__proto__` own key anywhere: in the value itself or any object or array nested in it
 * (`JSON.parse` and `Object.fromEntries` keep `__proto__` as an own key, whatever escape it was spelled with). Walks
 * iteratively, so a deeply nested body cannot overflow the stack.
 */
export function hasProtoKey(value: unknown): boolean {
    const pending: unknown[] = [value];
    const seen = new Set<object>();
    while (pending.length > 0) {
        const current = pending.pop();
        if (current === null || typeof current !== 'object' || seen.has(current)) {
            continue;
        }
        seen.add(current);
        if (Object.prototype.hasOwnProperty.call(current, '__proto__')) {
            return true;
        }
        for (const key of Object.keys(current)) {
            pending.push((current as Record<string, unknown>)[key]);
        }
    }
    return false;
}

function headersOf(req: http.IncomingMessage): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) {
            out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
    }
    return out;
}

function send(res: http.ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) {
        return;
    }
    let text: string;
    let type = JSON_TYPE;
    if (typeof body === 'string') {
        text = body;
        type = 'text/plain; charset=utf-8';
    } else {
        text = body === undefined ? '' : JSON.stringify(body);
    }
    // The Content-Type an app endpoint set wins, as upstream's apps router sets the app's headers before sending
    // (`apps/meteor/app/apps/server/bridges/api.ts`: `res.set(headers)`): a CSV export stays `text/csv`.
    const headers = { ...extraHeaders };
    const given = Object.keys(headers).find((key) => key.toLowerCase() === 'content-type');
    if (given) {
        type = headers[given];
        delete headers[given];
    }
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
}

export class WorkspaceHttpServer {
    readonly server: http.Server;
    private readonly maxBodyBytes: number;
    private readonly logError: (message: string) => void;

    constructor(private readonly options: HttpServerOptions) {
        this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
        this.logError = options.logError ?? ((message) => process.stderr.write(`${message}\n`));
        this.server = http.createServer((req, res) => {
            this.serve(req, res).catch((error: unknown) => {
                // serve() answers its own errors; this is the last resort (e.g. writing to a closed socket).
                this.logError(`http: ${error instanceof Error ? error.message : String(error)}`);
                send(res, 500, { success: false, error: 'Internal server error' });
            });
        });
        this.server.on('clientError', (_error, socket) => {
            if (socket.writable) {
                const body = JSON.stringify({ success: false, error: 'Bad request' });
                socket.end(
                    `HTTP/1.1 400 Bad Request\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
                );
            } else {
                socket.destroy();
            }
        });
    }

    /** Listens on 127.0.0.1:`port` (0 = any free port) and resolves with the port actually bound. */
    listen(port: number): Promise<number> {
        return new Promise((resolve, reject) => {
            const onError = (error: Error): void => reject(error);
            this.server.once('error', onError);
            this.server.listen(port, '127.0.0.1', () => {
                this.server.off('error', onError);
                resolve((this.server.address() as AddressInfo).port);
            });
        });
    }

    get port(): number | undefined {
        const address = this.server.address();
        return address && typeof address === 'object' ? address.port : undefined;
    }

    /** Stops accepting connections, ends idle keep-alive ones, and resolves when the port is free. */
    close(): Promise<void> {
        return new Promise((resolve) => {
            if (!this.server.listening) {
                resolve();
                return;
            }
            this.server.close(() => resolve());
            this.server.closeIdleConnections();
            // Requests still running get a moment to answer; then every socket goes.
            setTimeout(() => this.server.closeAllConnections(), 1000).unref();
        });
    }

    private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const started = Date.now();
        const method = (req.method ?? 'GET').toUpperCase();
        let pathname = '/';
        let status = 500;
        try {
            const url = new URL(req.url ?? '/', 'http://127.0.0.1');
            pathname = url.pathname;
            const query: Record<string, string> = {};
            url.searchParams.forEach((value, key) => {
                query[key] = value;
            });
            const raw = await readBody(req, this.maxBodyBytes);
            const headers = headersOf(req);
            const response = await this.route(method, pathname, query, headers, raw, req.socket.remoteAddress);
            status = response.status;
            send(res, response.status, response.body, response.headers);
        } catch (error) {
            if (error instanceof HttpFailure) {
                status = error.status;
                send(res, error.status, error.body);
            } else {
                status = 500;
                this.logError(`http: ${method} ${pathname} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
                send(res, 500, { success: false, error: 'Internal server error' });
            }
        } finally {
            this.options.onRequest?.({ method, path: pathname, status, ms: Date.now() - started });
        }
    }

    private async route(
        method: string,
        pathname: string,
        query: Record<string, string>,
        headers: Record<string, string>,
        raw: Buffer,
        remoteAddress: string | undefined,
    ): Promise<RestResponse> {
        if (this.options.protoGuard && pathname.startsWith(PROTO_GUARD_PREFIX) && this.refusedByProxy(raw, headers['content-type'])) {
            return { status: 400, body: { ...PROTO_GUARD_BODY } };
        }
        if (pathname.startsWith(APP_API_PREFIX)) {
            const app = this.options.app();
            if (!app) {
                throw fail(503, 'The app is still starting, try again in a moment [error-app-starting]', 'error-app-starting');
            }
            const rest = pathname.slice(APP_API_PREFIX.length);
            const slash = rest.indexOf('/');
            const appId = slash === -1 ? rest : rest.slice(0, slash);
            const endpoint = slash === -1 ? '' : rest.slice(slash + 1);
            if (appId !== app.id || endpoint === '') {
                // upstream apps/meteor/app/apps/server/bridges/api.ts: `res.sendStatus(404)`, plain text.
                return { status: 404, body: APPS_NOT_FOUND_TEXT };
            }
            const body = parseBody(raw, headers['content-type'], 'apps');
            return app.callApi({ method, path: `${APP_API_PREFIX}${appId}/${endpoint}`, headers, query, body, withHeaders: true });
        }
        const apps = this.options.apps;
        if (apps && method === 'GET' && (pathname === '/api/info' || pathname === '/api/info/')) {
            return serverInfo(apps.workspace(), headers);
        }
        if (apps && (pathname === '/api/apps' || pathname.startsWith('/api/apps/'))) {
            return appsRoute(apps.workspace(), apps.engine(), { method, pathname, headers, raw });
        }
        if (pathname.startsWith('/api/v1/')) {
            const body = parseBody(raw, headers['content-type'], 'v1');
            // The client's address keys Rocket.Chat's REST rate limiter, whose X-RateLimit-* headers are passed on.
            return this.options.workspace().handleHttp({ method, path: pathname, query, headers, body, remoteAddress });
        }
        return { status: 404, body: { ...NOT_FOUND_BODY } };
    }

    /**
     * The front proxy's rule: the body parsed as Rocket.Chat's body parser will parse it has a `__proto__` key. A body
     * that does not parse passes (Rocket.Chat answers it 400 itself).
     */
    private refusedByProxy(raw: Buffer, contentType: string | undefined): boolean {
        let body: unknown;
        try {
            body = parseBody(raw, contentType, 'apps');
        } catch {
            return false;
        }
        return hasProtoKey(body);
    }
}
