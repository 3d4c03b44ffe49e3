import type { IHttp, IHttpResponse, ILogger, ISettingRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiRequest } from '@rocket.chat/apps-engine/definition/api';
import { AppError } from '../errors/AppError';
import { redactValue } from './appSettings';
import { REQUEST_TIMEOUT_MS, parseBody, workspaceBaseUrl } from './gateway';
import type { BeforeWrite } from './gateway';
import { mapJson } from './json';
import type { ServerSettings } from './serverSettings';

/**
 * The credentials Rocket.Chat authenticated an app endpoint's request with, to be sent on with one request to
 * Rocket.Chat's own REST API (interface.md §3). Upstream's apps router (`apps/meteor/app/apps/server/bridges/api.ts`)
 * authenticates with `authenticationMiddleware` (`apps/meteor/app/api/server/middlewares/authentication.ts`):
 * `X-User-Id` + `X-Auth-Token` when both are present, else OAuth (`oAuth2ServerAuth`: an `Authorization: Bearer`
 * header or an `access_token` query parameter), cookies off. The REST API v1 accepts the same credentials.
 * Never stored, logged or echoed: they live in one request object for the length of one request.
 */
export interface CallerCredentials {
    readonly headers: Readonly<Record<string, string>>;
    readonly query: Readonly<Record<string, string>>;
    /** Every secret in them, to be scrubbed from anything passed on. */
    readonly secrets: ReadonlyArray<string>;
}

/**
 * The request headers Rocket.Chat's rate limiter tells clients apart by (upstream
 * `apps/meteor/app/api/server/middlewares/remoteAddressMiddleware.ts`: `x-real-ip`, else the socket address, and
 * `x-forwarded-for` with `HTTP_FORWARDED_COUNT`). Sent on when the request carried them, so each caller keeps its own
 * bucket instead of sharing the server's address with every other caller of the app.
 */
export const CLIENT_ADDRESS_HEADERS: ReadonlyArray<string> = ['x-forwarded-for', 'x-real-ip'];

/** The rate-limit headers of Rocket.Chat's answer that are passed on with it (`X-RateLimit-*`, `Retry-After`). */
const PASSED_ON_HEADERS: ReadonlyArray<string> = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'];

type HeaderBag = Readonly<Record<string, unknown>> | undefined;

/** A header's value (names in any case; a repeated header's values joined as Node joins them). */
function headerOf(headers: HeaderBag, name: string): string | undefined {
    if (!headers || typeof headers !== 'object') {
        return undefined;
    }
    for (const key of Object.keys(headers)) {
        if (key.toLowerCase() !== name) {
            continue;
        }
        const value = headers[key];
        if (typeof value === 'string' && value.trim() !== '') {
            return value;
        }
        if (Array.isArray(value)) {
            const joined = value.filter((item): item is string => typeof item === 'string').join(', ');
            return joined.trim() !== '' ? joined : undefined;
        }
    }
    return undefined;
}

/** The credentials of the request, in the order Rocket.Chat's middleware tries them; undefined when none. */
export function callerCredentials(request: IApiRequest): CallerCredentials | undefined {
    const headers = request.headers as HeaderBag;
    const userId = headerOf(headers, 'x-user-id');
    const token = headerOf(headers, 'x-auth-token');
    if (userId && token) {
        return { headers: { 'X-User-Id': userId, 'X-Auth-Token': token }, query: {}, secrets: [token] };
    }
    const authorization = headerOf(headers, 'authorization');
    if (authorization) {
        const bearer = authorization.replace(/^Bearer\s+/i, '');
        return { headers: { Authorization: authorization }, query: {}, secrets: [authorization, bearer] };
    }
    const query = request.query as Readonly<Record<string, unknown>> | undefined;
    const accessToken = query && typeof query.access_token === 'string' && query.access_token ? query.access_token : undefined;
    if (accessToken) {
        return { headers: {}, query: { access_token: accessToken }, secrets: [accessToken] };
    }
    return undefined;
}

/** The client address headers of the request (lower-case names), when it carried them. */
export function clientAddressHeaders(request: IApiRequest): Record<string, string> {
    return pickHeaders(request.headers as HeaderBag, CLIENT_ADDRESS_HEADERS);
}

/** The `names` (lower case) that `headers` carries, each with its value. */
function pickHeaders(headers: HeaderBag, names: ReadonlyArray<string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of names) {
        const value = headerOf(headers, name);
        if (value) {
            out[name] = value;
        }
    }
    return out;
}

/** Rocket.Chat's answer, passed on as it came (but for a secret, which it never holds). */
export interface ForwardedAnswer {
    readonly status: number;
    readonly body: unknown;
    /** Rocket.Chat's rate-limit headers, when it sent them. */
    readonly headers: Readonly<Record<string, string>>;
}

export function isSuccess(answer: ForwardedAnswer): boolean {
    return answer.status >= 200 && answer.status < 300;
}

function query(pairs: Readonly<Record<string, string>>): string {
    const keys = Object.keys(pairs);
    return keys.length ? `?${keys.map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(pairs[key])}`).join('&')}` : '';
}

/**
 * Rocket.Chat's REST API called as the caller of an app endpoint, with the credentials their request was
 * authenticated with: Rocket.Chat itself decides (its checks, rate limits, error bodies, system messages naming the
 * caller). Needs no service account. No answer, a timeout, a rejected call, a 1xx/3xx or a 5xx →
 * `workspace-request-failed`; every other answer (2xx, 4xx) is handed back as it came.
 */
export class CallerGateway {
    private baseUrl?: Promise<string>;

    private beforePost?: BeforeWrite;

    constructor(
        private readonly http: IHttp,
        private readonly settings: ISettingRead,
        private readonly serverSettings: ServerSettings,
        private readonly credentials: CallerCredentials,
        private readonly clientAddress: Readonly<Record<string, string>>,
    ) {}

    /** `undefined` when the request carried no credential (Rocket.Chat's router lets none through to the app). */
    public static of(
        request: IApiRequest,
        http: IHttp,
        settings: ISettingRead,
        serverSettings: ServerSettings,
    ): CallerGateway | undefined {
        const credentials = callerCredentials(request);
        return credentials ? new CallerGateway(http, settings, serverSettings, credentials, clientAddressHeaders(request)) : undefined;
    }

    /** GET `path` (`/api/v1/...`) with a query, as the caller. */
    public get(path: string, params: Readonly<Record<string, string>> = {}): Promise<ForwardedAnswer> {
        return this.call('get', path, params);
    }

    /** Runs `hook` before each POST (a change): the app records its intent first (interface.md §9). */
    public onBeforePost(hook: BeforeWrite): this {
        this.beforePost = hook;
        return this;
    }

    /** POST `body` to `path` (`/api/v1/...`), as the caller. */
    public async post(path: string, body: Readonly<Record<string, unknown>>): Promise<ForwardedAnswer> {
        if (this.beforePost) {
            await this.beforePost(path, body);
        }
        return this.call('post', path, {}, body);
    }

    private async call(
        method: 'get' | 'post',
        path: string,
        params: Readonly<Record<string, string>>,
        body?: Readonly<Record<string, unknown>>,
    ): Promise<ForwardedAnswer> {
        if (!this.baseUrl) {
            this.baseUrl = workspaceBaseUrl(this.settings, this.serverSettings);
        }
        const baseUrl = await this.baseUrl;
        if (!baseUrl) {
            throw new AppError('workspace-request-failed');
        }
        const url = `${baseUrl}${path}${query({ ...params, ...this.credentials.query })}`;
        const request = {
            headers: { ...this.clientAddress, ...this.credentials.headers, 'Content-Type': 'application/json' },
            timeout: REQUEST_TIMEOUT_MS,
            ...(body ? { content: JSON.stringify(body) } : {}),
        };
        let response: IHttpResponse | undefined;
        try {
            response = method === 'get' ? await this.http.get(url, request) : await this.http.post(url, request);
        } catch {
            // The reason is not kept: a transport error may quote the URL, which may carry an access token.
            throw new AppError('workspace-request-failed');
        }
        if (!response || typeof response.statusCode !== 'number') {
            throw new AppError('workspace-request-failed');
        }
        const status = response.statusCode;
        if (status < 200 || (status >= 300 && status < 400) || status >= 500) {
            throw new AppError('workspace-request-failed');
        }
        return { status, body: this.scrub(parseBody(response)), headers: pickHeaders(response.headers as HeaderBag, PASSED_ON_HEADERS) };
    }

    /** A copy of a value with every secret of the credentials (and the service account's token) replaced. */
    private scrub(value: unknown): unknown {
        const secrets = this.credentials.secrets.filter((secret) => secret.length > 0);
        const clean = (text: string): string => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
        return redactValue(mapJson(value, (leaf) => (typeof leaf === 'string' ? clean(leaf) : leaf), clean));
    }
}

/** The request headers that carry a credential, whichever one Rocket.Chat authenticated the request with. */
export const CREDENTIAL_HEADERS: ReadonlyArray<string> = ['x-auth-token', 'authorization', 'cookie'];

/** The query parameters that carry a credential (`oAuth2ServerAuth`). */
export const CREDENTIAL_QUERY_PARAMS: ReadonlyArray<string> = ['access_token'];

const REDACTED = '[redacted]';

/** The shortest value searched for as a secret in every text of a log entry (see `requestSecrets`). */
const MIN_SECRET_LENGTH = 8;

function valuesOf(value: unknown): string[] {
    if (typeof value === 'string') {
        return [value];
    }
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Every secret a request carries in a credential-bearing header or query parameter, named or not used: the whole
 * value, a bearer token without its scheme, and each cookie's value (`rc_token=…`). Longest first, so that a value
 * containing another is replaced whole.
 */
export function requestSecrets(request: Pick<IApiRequest, 'headers' | 'query'>): string[] {
    const found = new Set<string>();
    // A value shorter than this is no credential anyone issues (tokens are 40+ characters); it is still redacted by
    // name where it is carried, but replacing it in every text would garble the whole entry (every "x" of it).
    const add = (value: string): void => {
        const trimmed = value.trim();
        if (trimmed.length >= MIN_SECRET_LENGTH) {
            found.add(trimmed);
        }
    };
    const headers = (request.headers || {}) as Readonly<Record<string, unknown>>;
    for (const key of Object.keys(headers)) {
        const name = key.toLowerCase();
        if (!CREDENTIAL_HEADERS.includes(name)) {
            continue;
        }
        for (const value of valuesOf(headers[key])) {
            add(value);
            if (name === 'authorization') {
                add(value.replace(/^\s*\S+\s+/, ''));
            }
            if (name === 'cookie') {
                // Each cookie's value on its own (a short one, e.g. a flag, is left to the by-name redaction).
                value
                    .split(';')
                    .map((pair) => pair.slice(pair.indexOf('=') + 1).trim())
                    .filter((piece) => piece.length >= MIN_SECRET_LENGTH)
                    .forEach(add);
            }
        }
    }
    const query = (request.query || {}) as Readonly<Record<string, unknown>>;
    for (const key of Object.keys(query)) {
        if (CREDENTIAL_QUERY_PARAMS.includes(key.toLowerCase())) {
            valuesOf(query[key]).forEach(add);
        }
    }
    return [...found].sort((a, b) => b.length - a.length);
}

/** A copy of a logged value: credential-bearing keys (any case) redacted, every secret replaced in any text. */
function scrubLogged(value: unknown, secrets: ReadonlyArray<string>): unknown {
    const clean = (text: string): string => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
    const walk = (node: unknown): unknown => {
        if (Array.isArray(node)) {
            return node.map(walk);
        }
        if (node && typeof node === 'object') {
            const source = node as Record<string, unknown>;
            const copy: Record<string, unknown> = {};
            for (const key of Object.keys(source)) {
                const name = key.toLowerCase();
                const named = CREDENTIAL_HEADERS.includes(name) || CREDENTIAL_QUERY_PARAMS.includes(name);
                copy[clean(key)] = named && source[key] !== undefined && source[key] !== null ? REDACTED : walk(source[key]);
            }
            return copy;
        }
        return typeof node === 'string' ? clean(node) : node;
    };
    return walk(value);
}

/**
 * The Apps-Engine runtime logs every endpoint request at debug level, headers and query included, in the request's
 * log (`deno-runtime/handlers/api-handler.ts`: `logger.debug(…, requestData)`), which Rocket.Chat stores with the
 * app's logs after the request. Every credential-bearing header and query parameter (`x-auth-token`,
 * `authorization`, `cookie`, `access_token`) is redacted there by name, and its value wherever else it appears,
 * whichever credential authenticated the request. Call it first thing in every endpoint handler, with the logger
 * `this.app.getLogger()` gives the endpoint. A logger without such entries is left alone.
 */
export function scrubRequestLog(logger: ILogger, request: Pick<IApiRequest, 'headers' | 'query'>): void {
    const entries = (logger as unknown as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) {
        return;
    }
    const secrets = requestSecrets(request);
    for (const entry of entries as unknown[]) {
        if (entry && typeof entry === 'object' && Array.isArray((entry as { args?: unknown }).args)) {
            const logged = entry as { args: unknown[] };
            logged.args = logged.args.map((arg) => scrubLogged(arg, secrets));
        }
    }
}
