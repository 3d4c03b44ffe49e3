/**
 * The HTTP door in the real engine: one Apps-Engine (Deno runtime) per test file with the packaged app installed,
 * a fresh demo workspace per test, callers that log in with their own tokens, and direct calls to Rocket.Chat's own
 * REST API in the same workspace.
 *
 * `GROUP_ADMIN_ZIP=<zip>` runs the same tests against another package (e.g. one built from an older commit, to show
 * a test failing before its fix).
 */
import { existsSync } from 'fs';

import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

import { EngineHost } from '../../../host/engine/EngineHost';
import type { SecretAudit } from '../../../host/engine/secretAudit';
import { demoWorkspace } from '../../../host/workspace/demo';
import type { SeededWorkspace } from '../../../host/workspace/demo';
import type { Workspace } from '../../../host/workspace/Workspace';
import type { RestResponse } from '../../../host/workspace/model';
import { ZIP_PATH } from '../harness';

/** The service account settings of an app nobody configured. */
export const NO_SERVICE_ACCOUNT = { service_user_id: '', service_user_token: '' } as const;

export type Prepare = (fixture: SeededWorkspace) => void;

export class HttpDoor {
    private fixture?: SeededWorkspace;

    /** One login token per user of the current fixture, made up front so that calls leave the workspace as it was. */
    private tokens = new Map<string, string>();

    /** Every caller token handed out so far (they must never show up anywhere). */
    readonly callerTokens = new Set<string>();

    private constructor(readonly host: EngineHost) {}

    static async boot(): Promise<HttpDoor> {
        const zip = process.env.GROUP_ADMIN_ZIP || ZIP_PATH;
        if (!existsSync(zip)) {
            throw new Error(`${zip} is missing: run npm run package`);
        }
        const host = await EngineHost.start({ workspace: demoWorkspace().workspace });
        await host.install(zip);
        return new HttpDoor(host);
    }

    /**
     * A fresh demo workspace (host/workspace/demo.ts) with the app configured as an admin would, `settings` over
     * the defaults (pass {@link NO_SERVICE_ACCOUNT} for an app without a service account).
     */
    async fresh(prepare?: Prepare, settings: Record<string, unknown> = {}): Promise<SeededWorkspace> {
        const fixture = demoWorkspace();
        prepare?.(fixture);
        this.tokens = new Map();
        for (const user of fixture.workspace.listUsers()) {
            const token = fixture.workspace.createAuthToken(user._id);
            this.tokens.set(user.username, token);
            this.callerTokens.add(token);
            (this.host as unknown as { audit?: SecretAudit }).audit?.secret(token);
        }
        this.host.useWorkspace(fixture.workspace);
        await this.host.setSettings({
            service_user_id: fixture.serviceAccount.userId,
            service_user_token: fixture.serviceAccount.token,
            server_url: '',
            confirm_changes: false,
            ...settings,
        });
        this.host.resetCounters();
        fixture.workspace.resetCounters();
        this.fixture = fixture;
        return fixture;
    }

    get workspace(): Workspace {
        if (!this.fixture) {
            throw new Error('call fresh() first');
        }
        return this.fixture.workspace;
    }

    get serviceAccount(): { userId: string; token: string } {
        if (!this.fixture) {
            throw new Error('call fresh() first');
        }
        return this.fixture.serviceAccount;
    }

    userId(username: string): string {
        const user = this.workspace.getUserByUsername(username);
        if (!user) {
            throw new Error(`no user ${username}`);
        }
        return user._id;
    }

    roomId(name: string): string {
        const room = this.workspace.getRoomByName(name);
        if (!room) {
            throw new Error(`no room ${name}`);
        }
        return room._id;
    }

    /**
     * The login headers of `username`, as a script calling the API would send them. Each user's token is also handed
     * to the run-wide secret audit (when `npm test` runs one): a caller's token is as secret as the service account's.
     */
    headersOf(username: string): Record<string, string> {
        const token = this.tokens.get(username);
        if (!token) {
            throw new Error(`no token for ${username}`);
        }
        return { 'X-User-Id': this.userId(username), 'X-Auth-Token': token };
    }

    /** POSTs to an app endpoint as `username` (with further request headers, e.g. a client address). */
    async post(path: string, body: unknown, username: string, extraHeaders: Record<string, string> = {}): Promise<RestResponse> {
        return this.host.callApi({ method: 'POST', path, body, headers: { ...extraHeaders, ...this.headersOf(username) } });
    }

    /** Rocket.Chat's own REST API (`/api/v1/<path>`) in the workspace, as `username`. */
    async rest(method: 'GET' | 'POST', path: string, username: string, body?: unknown, query?: Record<string, string>): Promise<RestResponse> {
        return this.workspace.handle({ method, path: `/api/v1/${path}`, body, query, headers: this.headersOf(username) });
    }

    /** The REST calls the app made since the fixture was made (`userId` = the `X-User-Id` each carried). */
    restCalls(): Array<{ method: string; path: string; userId?: string }> {
        return this.workspace.restCalls.map((call) => ({ ...call }));
    }

    /** Everything the app persisted (its records in the engine's persistence bridge). */
    persisted(): unknown[] {
        const manager = (this.host as unknown as { manager: AppManager }).manager;
        const bridge = manager.getBridges().getPersistenceBridge() as unknown as { records: Map<string, { appId: string; data: unknown }> };
        return [...bridge.records.values()].filter((record) => record.appId === this.host.id).map((record) => record.data);
    }

    /** Where any caller token handed out so far appears in `text` (none: []). */
    leaksIn(text: string): string[] {
        return [...this.callerTokens].filter((token) => text.includes(token)).map((token) => `…${token.slice(-4)}`);
    }

    errorLines(): Array<{ method: string; args: unknown[] }> {
        return this.host.errorLines();
    }

    async shutdown(): Promise<void> {
        await this.host.stop();
    }
}

/** One engine per test file; every test leaves the app's log without an error line. */
export function useHttpDoor(use: (door: HttpDoor) => void): void {
    let booted: HttpDoor | undefined;
    beforeAll(async () => {
        booted = await HttpDoor.boot();
        use(booted);
    }, 120000);
    afterAll(async () => {
        await booted?.shutdown();
    });
    afterEach(() => {
        expect(booted?.errorLines()).toEqual([]);
    });
}
