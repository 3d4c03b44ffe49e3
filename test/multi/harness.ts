/**
 * Two-instance test harness: the packaged Group Admin zip on two Rocket.Chat instances (two processes, each its own
 * engine and Deno runtime) over one workspace, one app persistence and one scheduler queue (host/multi/Cluster.ts).
 * Boot once per test file (`useCluster`) — two engines are heavy on 2 cores — and take a fresh workspace per test.
 *
 *   let c: ClusterUnderTest;
 *   useCluster((booted) => (c = booted), { processEvery: 200, lockLifetime: 5000 });
 *   it('…', async () => {
 *       const fx = await c.fresh();                        // fresh demo workspace, service account set on both
 *       await c.command(1, 'alice', 'project-x', '/encrypt on --all');   // a door on instance 1
 *       await c.api(0, 'groups.bulk', { … }, 'admin');     // an app endpoint on instance 0, as admin
 *       await c.kill(1);                                   // crash instance 1 (its claims stay locked until they expire)
 *       await c.restart(1);                                // bring it back (loads the app and its settings from storage)
 *       c.cluster.jobs.find(); c.cluster.jobs.history;     // the shared scheduler queue; who ran what
 *       await c.cluster.idle();                            // until no instance runs a job
 *   });
 *
 * Every test must leave the running instances' app logs without an error line (checked after each test).
 */
import { readFileSync } from 'fs';

import type { CommandRun, Delivery } from '../../host/engine/EngineHost';
import { Cluster } from '../../host/multi/Cluster';
import type { ClusterOptions } from '../../host/multi/Cluster';
import { demoWorkspace } from '../../host/workspace/demo';
import type { Workspace } from '../../host/workspace/Workspace';
import type { RestResponse } from '../../host/workspace/model';
import type { Fixture } from '../engine/harness';
import { ZIP_PATH } from '../engine/harness';

export class ClusterUnderTest {
    private fixture?: Fixture;
    /** Error lines seen before the current test (per instance slot), so each test is checked on its own. */
    private errorsSeen = new Map<number, number>();

    private constructor(readonly cluster: Cluster) {}

    /** Starts the instances and installs the packaged app (`GROUP_ADMIN_ZIP` installs another package). */
    static async boot(options: Omit<ClusterOptions, 'workspace'> = {}): Promise<ClusterUnderTest> {
        const cluster = await Cluster.start({ workspace: demoWorkspace().workspace, ...options });
        try {
            await cluster.install(readFileSync(process.env.GROUP_ADMIN_ZIP || ZIP_PATH));
        } catch (error) {
            await cluster.stop();
            throw error;
        }
        return new ClusterUnderTest(cluster);
    }

    /**
     * A fresh demo workspace for the next test, the app configured with its service account on every instance. Waits
     * until no job runs, and empties the job queue, so one test's jobs never run in the next.
     */
    async fresh(prepare?: (fixture: Fixture) => void, settings: Record<string, unknown> = {}): Promise<Fixture> {
        await this.cluster.idle();
        this.cluster.jobs.remove({});
        const fixture = demoWorkspace();
        prepare?.(fixture);
        this.cluster.useWorkspace(fixture.workspace);
        await this.cluster.setSettings({
            service_user_id: fixture.serviceAccount.userId,
            service_user_token: fixture.serviceAccount.token,
            server_url: '',
            confirm_changes: false,
            ...settings,
        });
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

    headersOf(username: string): Record<string, string> {
        const userId = this.userId(username);
        return { 'X-User-Id': userId, 'X-Auth-Token': this.workspace.createAuthToken(userId) };
    }

    /** Calls an app endpoint on instance `i` as `username` (or unauthenticated with `null`). */
    async api(i: number, path: string, body: unknown, username: string | null, method = 'POST', query?: Record<string, string>): Promise<RestResponse> {
        return this.cluster.instance(i).callApi({ method, path, body, query, headers: username ? this.headersOf(username) : {} });
    }

    /** Runs a slash command line on instance `i` as `username` in room `roomName`. */
    async command(i: number, username: string, roomName: string, line: string, triggerId?: string): Promise<CommandRun> {
        return this.cluster.instance(i).runCommand(line, this.userId(username), this.roomId(roomName), triggerId);
    }

    /** The text of the single ephemeral reply to a command on instance `i`. */
    async reply(i: number, username: string, roomName: string, line: string): Promise<string> {
        const run = await this.command(i, username, roomName, line);
        const replies = run.deliveries.filter((d: Delivery) => d.kind === 'ephemeral');
        if (run.error || replies.length !== 1) {
            throw new Error(`expected one ephemeral reply to ${line}, got ${replies.length} (${run.error ?? 'no error'})`);
        }
        return replies[0].text ?? '';
    }

    /** Crashes instance `i` (SIGKILL, its Deno runtime with it). */
    async kill(i: number): Promise<void> {
        await this.cluster.kill(i);
        this.errorsSeen.delete(i);
    }

    /** Starts instance `i` again: it loads the app and its settings from the shared storage. */
    async restart(i: number): Promise<void> {
        await this.cluster.restart(i);
        this.errorsSeen.delete(i);
    }

    /** Error log lines the running instances' app wrote since the last check. */
    async newErrorLines(): Promise<Array<{ instance: number; method: string; args: unknown[] }>> {
        const found: Array<{ instance: number; method: string; args: unknown[] }> = [];
        for (const instance of this.cluster.live()) {
            const lines = await instance.errorLines();
            found.push(...lines.slice(this.errorsSeen.get(instance.index) ?? 0).map((line) => ({ instance: instance.index, ...line })));
            this.errorsSeen.set(instance.index, lines.length);
        }
        return found;
    }

    async shutdown(): Promise<void> {
        await this.cluster.stop();
    }
}

/** One cluster per test file, booted before its first test and stopped after its last; no app error line per test. */
export function useCluster(use: (cluster: ClusterUnderTest) => void, options: Omit<ClusterOptions, 'workspace'> = {}): void {
    let booted: ClusterUnderTest | undefined;
    beforeAll(async () => {
        booted = await ClusterUnderTest.boot(options);
        use(booted);
    }, 240000);
    afterAll(async () => {
        await booted?.shutdown();
    });
    afterEach(async () => {
        expect(await booted?.newErrorLines()).toEqual([]);
    });
}
