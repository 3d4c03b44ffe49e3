import type { IHttp, IHttpResponse, ISettingRead } from '@rocket.chat/apps-engine/definition/accessors';
import { AppError, RocketChatRefusal } from '../errors/AppError';
import { SETTING_IDS, getAppSetting, redactValue } from './appSettings';
import type { ServerSettings } from './serverSettings';

/** Per-request timeout of every call to the workspace's REST API. */
export const REQUEST_TIMEOUT_MS = 10000;

export interface GatewayConfig {
    readonly baseUrl: string;
    readonly userId: string;
    readonly token: string;
}

export interface RestAnswer {
    readonly status: number;
    readonly data: unknown;
}

function nonEmpty(value: unknown): string {
    return typeof value === 'string' ? value.trim() : '';
}

function trimTrailingSlashes(url: string): string {
    return url.replace(/\/+$/, '');
}

/** The body of a REST answer: the parsed JSON when the bridge gave it, else the text parsed (or as it is). */
export function parseBody(response: IHttpResponse): unknown {
    if (response.data !== undefined && response.data !== null) {
        return response.data;
    }
    if (typeof response.content === 'string' && response.content !== '') {
        try {
            return JSON.parse(response.content) as unknown;
        } catch {
            return response.content;
        }
    }
    return undefined;
}

/** Called before each write with its path and body: the app records its intent first (interface.md §9). */
export type BeforeWrite = (path: string, body: Readonly<Record<string, unknown>>) => Promise<void>;

/**
 * The workspace's REST API, called as the service account (interface.md §5).
 * Failures become the app's errors: no credentials → `app-not-configured`; 401 → `service-account-rejected`;
 * no answer, a rejected call or a 5xx → `workspace-request-failed`. Reads hand other statuses to the caller;
 * a write's other 4xx is Rocket.Chat's refusal, passed on unchanged (but for the token). Headers are never
 * logged or echoed.
 */
export class WorkspaceGateway {
    private config?: Promise<GatewayConfig>;

    private beforeWrite?: BeforeWrite;

    constructor(
        private readonly http: IHttp,
        private readonly settings: ISettingRead,
        private readonly serverSettings: ServerSettings,
    ) {}

    /** Base URL and credentials; memoized for the operation. */
    public getConfig(): Promise<GatewayConfig> {
        if (!this.config) {
            this.config = this.loadConfig();
        }
        return this.config;
    }

    /** GET `path` (`/api/v1/...`) with a query. */
    public async read(path: string, query: Readonly<Record<string, string>> = {}): Promise<RestAnswer> {
        const pairs = Object.keys(query).map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(query[key])}`);
        return this.call('get', pairs.length ? `${path}?${pairs.join('&')}` : path);
    }

    /** This gateway (its configuration shared) with `hook` run before each write. */
    public withBeforeWrite(hook: BeforeWrite): WorkspaceGateway {
        const copy = Object.create(this) as WorkspaceGateway;
        copy.beforeWrite = hook;
        return copy;
    }

    /** POST `body` to `path`; resolves with Rocket.Chat's 2xx body. */
    public async write(path: string, body: Readonly<Record<string, unknown>>): Promise<unknown> {
        if (this.beforeWrite) {
            await this.beforeWrite(path, body);
        }
        const answer = await this.call('post', path, body);
        if (answer.status >= 200 && answer.status < 300) {
            return answer.data;
        }
        // Passed on as Rocket.Chat sent it, except that the token could never be echoed back.
        throw new RocketChatRefusal(answer.status, redactValue(answer.data));
    }

    private async call(method: 'get' | 'post', path: string, body?: Readonly<Record<string, unknown>>): Promise<RestAnswer> {
        const { baseUrl, userId, token } = await this.getConfig();
        const request = {
            headers: { 'X-User-Id': userId, 'X-Auth-Token': token, 'Content-Type': 'application/json' },
            timeout: REQUEST_TIMEOUT_MS,
            ...(body ? { content: JSON.stringify(body) } : {}),
        };
        let response: IHttpResponse | undefined;
        try {
            response = method === 'get' ? await this.http.get(baseUrl + path, request) : await this.http.post(baseUrl + path, request);
        } catch {
            throw new AppError('workspace-request-failed');
        }
        if (!response || typeof response.statusCode !== 'number') {
            throw new AppError('workspace-request-failed');
        }
        const status = response.statusCode;
        if (status === 401) {
            throw new AppError('service-account-rejected');
        }
        if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
            throw new AppError('workspace-request-failed');
        }
        return { status, data: parseBody(response) };
    }

    private async loadConfig(): Promise<GatewayConfig> {
        const [userId, token] = await Promise.all([
            getAppSetting(this.settings, SETTING_IDS.serviceUserId),
            getAppSetting(this.settings, SETTING_IDS.serviceUserToken),
        ]);
        if (!nonEmpty(userId) || !nonEmpty(token)) {
            throw new AppError('app-not-configured');
        }
        const baseUrl = await workspaceBaseUrl(this.settings, this.serverSettings);
        if (!baseUrl) {
            throw new AppError('app-not-configured');
        }
        return { baseUrl, userId: nonEmpty(userId), token: nonEmpty(token) };
    }
}

/**
 * The base URL of the workspace's REST API: the `server_url` setting, else the server's `Site_Url`, without a
 * trailing slash ('' when neither is set). Needs no service account.
 */
export async function workspaceBaseUrl(settings: ISettingRead, serverSettings: ServerSettings): Promise<string> {
    const serverUrl = await getAppSetting(settings, SETTING_IDS.serverUrl);
    return trimTrailingSlashes(nonEmpty(serverUrl) || nonEmpty(await serverSettings.get('Site_Url')));
}
