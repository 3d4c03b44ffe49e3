/**
 * The HTTP door in the real engine: one Apps-Engine (Deno runtime) per test file with the packaged app installed,
 * a fresh demo workspace per test, callers that log in with their own tokens, and direct calls to Rocket.Chat's own
 * REST API in the same workspace.
 *
 * `GROUP_ADMIN_ZIP=<zip>` runs the same tests against another package (e.g. one built from an older commit, to show
 * a test failing before its fix).
 */
import type { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

import type { SecretAudit } from '../../../host/engine/secretAudit.cjs';
import type { SeededWorkspace } from '../../../host/workspace/demo.cjs';
import type { RestResponse } from '../../../host/workspace/model.cjs';
import { EngineUnderTest, useEngine } from '../harness.cjs';

/** The service account settings of an app nobody configured. */
export const NO_SERVICE_ACCOUNT = { service_user_id: '', service_user_token: '' } as const;

export class HttpDoor extends EngineUnderTest {
    /** One login token per user of the current fixture, made up front so that calls leave the workspace as it was. */
    private tokens = new Map<string, string>();

    /** Every caller token handed out so far (they must never show up anywhere). */
    readonly callerTokens = new Set<string>();

    static async boot(): Promise<HttpDoor> {
        return new HttpDoor(await EngineUnderTest.startHost());
    }

    /** Every user of the fixture gets a login token now, handed to the run-wide secret audit too. */
    protected adopt(fixture: SeededWorkspace): void {
        this.tokens = new Map();
        for (const user of fixture.workspace.listUsers()) {
            const token = fixture.workspace.createAuthToken(user._id);
            this.tokens.set(user.username, token);
            this.callerTokens.add(token);
            (this.host as unknown as { audit?: SecretAudit }).audit?.secret(token);
        }
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
        // The persistence bridge over its store (host/engine/bridges.cts `MemoryPersistenceStore`).
        const bridge = manager.getBridges().getPersistenceBridge() as unknown as { store: { records: Map<string, { appId: string; data: unknown }> } };
        return [...bridge.store.records.values()].filter((record) => record.appId === this.host.id).map((record) => record.data);
    }

    /** Where any caller token handed out so far appears in `text` (none: []). */
    leaksIn(text: string): string[] {
        return [...this.callerTokens].filter((token) => text.includes(token)).map((token) => `…${token.slice(-4)}`);
    }

}

/** One engine per test file (see `useEngine`), with callers that hold their own tokens. */
export function useHttpDoor(use: (door: HttpDoor) => void): void {
    useEngine(use, () => HttpDoor.boot());
}
