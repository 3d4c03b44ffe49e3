/**
 * Engine-test harness: one real Apps-Engine (Deno runtime) per test file with the packaged zip installed, and a
 * fresh in-memory workspace per test (`fresh()`), wired to the app's settings like an admin would.
 *
 * The zip is built once per `npm test` run by test/global-setup.js (`npm run package`).
 */
import { existsSync, readFileSync } from 'fs';
import path from 'path';

import { EngineHost } from '../../host/engine/EngineHost.cjs';
import type { CommandRun, Delivery } from '../../host/engine/EngineHost.cjs';
import { demoWorkspace } from '../../host/workspace/demo.cjs';
import type { Workspace } from '../../host/workspace/Workspace.cjs';
import type { RestResponse } from '../../host/workspace/model.cjs';

const root = path.resolve(__dirname, '..', '..');
const appJson = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8')) as { nameSlug: string; version: string; id: string };
export const ZIP_PATH = path.join(root, 'dist', `${appJson.nameSlug}_${appJson.version}.zip`);
export const APP_ID = appJson.id;

export interface Fixture {
    workspace: Workspace;
    serviceAccount: { userId: string; token: string };
}

/**
 * Worlds that make many calls in a short time from one client: Rocket.Chat's route rate limiter (and the chat doors'
 * limit, which follows the same settings) turned off, as an administrator may (`API_Enable_Rate_Limiter`). The
 * limiters themselves are tested in test/engine/http/limits.test.cts and the operations' tests.
 */
export function withoutRateLimits(fixture: Fixture): void {
    fixture.workspace.setSetting('API_Enable_Rate_Limiter', false);
}

export class EngineUnderTest {
    private fixture?: Fixture;

    protected constructor(readonly host: EngineHost) {}

    /** Starts the engine and installs the packaged app. Call in `beforeAll`. */
    static async boot(): Promise<EngineUnderTest> {
        return new EngineUnderTest(await EngineUnderTest.startHost());
    }

    /**
     * A started engine with the packaged app installed. `GROUP_ADMIN_ZIP=<zip>` installs another package instead (e.g.
     * one built from an older commit, to show a test failing before its fix).
     */
    protected static async startHost(): Promise<EngineHost> {
        const zip = process.env.GROUP_ADMIN_ZIP || ZIP_PATH;
        if (!existsSync(zip)) {
            throw new Error(`${zip} is missing: run npm run package (npm test does it in global setup)`);
        }
        const { workspace } = demoWorkspace();
        const host = await EngineHost.start({ workspace });
        await host.install(zip);
        return host;
    }

    /** Called with each fresh fixture after `prepare`, before the app sees it (subclasses add to it). */
    protected adopt(_fixture: Fixture): void {}

    /**
     * A fresh demo workspace for the next test (see host/workspace/demo.cts), with the app configured to use its
     * service account. `prepare` may change the workspace before the app sees it.
     */
    async fresh(prepare?: (fixture: Fixture) => void, settings: Record<string, unknown> = {}): Promise<Fixture> {
        const fixture = demoWorkspace();
        prepare?.(fixture);
        this.adopt(fixture);
        this.host.useWorkspace(fixture.workspace);
        await this.host.setSettings({
            service_user_id: fixture.serviceAccount.userId,
            service_user_token: fixture.serviceAccount.token,
            server_url: '',
            confirm_changes: false,
            ...settings,
        });
        this.host.resetCounters();
        // The app checks its service account when its settings change (`GET /api/v1/me`): count from here on.
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

    /** Auth headers of a user, as a script calling the API would send them. */
    headersOf(username: string): Record<string, string> {
        const userId = this.userId(username);
        return { 'X-User-Id': userId, 'X-Auth-Token': this.workspace.createAuthToken(userId) };
    }

    /** POSTs to an app endpoint as `username` (or unauthenticated with `null`). */
    async api(path: string, body: unknown, username: string | null): Promise<RestResponse> {
        return this.host.callApi({ method: 'POST', path, body, headers: username ? this.headersOf(username) : {} });
    }

    /** POSTs to Rocket.Chat's own REST endpoint (`/api/v1/<path>`) in the workspace as `username`. */
    async reference(path: string, body: unknown, username: string): Promise<RestResponse> {
        return this.workspace.handle({ method: 'POST', path: `/api/v1/${path}`, body, headers: this.headersOf(username) });
    }

    /** Runs a slash command line as `username` in room `roomName`. */
    async command(username: string, roomName: string, line: string, triggerId?: string): Promise<CommandRun> {
        return this.host.runCommand(line, this.userId(username), this.roomId(roomName), triggerId);
    }

    /** Runs a command and returns the text of its single ephemeral reply (fails when there is not exactly one). */
    async reply(username: string, roomName: string, line: string): Promise<string> {
        const run = await this.command(username, roomName, line);
        const replies = run.deliveries.filter((d: Delivery) => d.kind === 'ephemeral');
        if (run.error || replies.length !== 1) {
            throw new Error(`expected one ephemeral reply to ${line}, got ${replies.length} (${run.error ?? 'no error'})`);
        }
        return replies[0].text ?? '';
    }

    /** The app's log lines (severity and text, debug lines left out) written while `action` ran. */
    async logLinesDuring(action: () => Promise<unknown>): Promise<Array<{ severity: string; text: string }>> {
        const before = this.host.logs().length;
        await action();
        return this.host
            .logs()
            .slice(before)
            .flatMap((entry) => entry.entries)
            .filter((line) => String(line.severity) !== 'debug')
            .map((line) => ({ severity: String(line.severity), text: line.args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') }));
    }

    /** Error log lines of the app so far: a healthy app leaves none. */
    errorLines(): Array<{ method: string; args: unknown[] }> {
        return this.host.errorLines();
    }

    async shutdown(): Promise<void> {
        await this.host.stop();
    }
}

/**
 * One engine per test file: booted (the packaged app installed) before its first test and handed to `use`, shut
 * down after its last; every test must leave the app's log without an error line.
 */
export function useEngine<T extends EngineUnderTest = EngineUnderTest>(
    use: (engine: T) => void,
    boot: () => Promise<T> = () => EngineUnderTest.boot() as Promise<T>,
): void {
    let booted: T | undefined;
    beforeAll(async () => {
        booted = await boot();
        use(booted);
    }, 120000);
    afterAll(async () => {
        await booted?.shutdown();
    });
    afterEach(() => {
        expect(booted?.errorLines()).toEqual([]);
    });
}
