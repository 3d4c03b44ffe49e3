/**
 * Two-instance test harness: the packaged Group Admin zip on two Rocket.Chat instances (two processes, each its own
 * engine and Deno runtime) over one workspace, one app persistence and one scheduler queue (host/multi/Cluster.cts).
 * Boot once per test file (`useCluster`) — two engines are heavy on 2 cores — and take a fresh workspace per test.
 *
 *   let c: ClusterUnderTest;
 *   useCluster((booted) => (c = booted), { processEvery: 200, lockLifetime: 5000 });
 *   it('…', async () => {
 *       const fx = await c.fresh();                        // fresh demo workspace, service account set on both
 *       await c.commandOn(1, 'alice', 'project-x', '/encrypt on --all');   // a door on instance 1
 *       await c.apiOn(0, 'groups.bulk', { … }, 'admin');   // an app endpoint on instance 0, as admin
 *       await c.replyOn(1, 'alice', 'project-x', '/encrypt job');          // the single ephemeral reply
 *       await c.kill(1);                                   // crash instance 1 (its claims stay locked until they expire)
 *       await c.restart(1);                                // bring it back (loads the app and its settings from storage)
 *       c.cluster.jobs.find(); c.cluster.jobs.history;     // the shared scheduler queue; who ran what
 *       await c.cluster.idle();                            // until no instance runs a job
 *   });
 *
 * `ClusterUnderTest` is the one-engine harness (test/engine/harness.cts) over a cluster: `fresh`, `workspace`,
 * `userId`, `roomId`, `headersOf`, `reference` as there, and its `api` / `command` / `reply` reach instance 0 (its
 * synchronous log readers do not work here: use `newErrorLines`, `cluster.instance(i).logs()`).
 * Every test must leave the running instances' app logs without an error line (checked after each test).
 */
import { readFileSync } from 'fs';

import type { CommandRun, EngineHost } from '../../host/engine/EngineHost.cjs';
import { Cluster } from '../../host/multi/Cluster.cjs';
import type { ClusterOptions } from '../../host/multi/Cluster.cjs';
import { demoWorkspace } from '../../host/workspace/demo.cjs';
import type { RestResponse } from '../../host/workspace/model.cjs';
import type { Fixture } from '../engine/harness.cjs';
import { EngineUnderTest, ZIP_PATH } from '../engine/harness.cjs';

/** What the one-engine harness asks of its host, answered by the cluster (admin actions: first instance + broadcast). */
function clusterAsHost(cluster: Cluster): EngineHost {
    const adapter = {
        useWorkspace: (workspace: Fixture['workspace']) => cluster.useWorkspace(workspace),
        setSettings: (values: Record<string, unknown>) => cluster.setSettings(values),
        resetCounters: () => undefined,
        callApi: (call: Parameters<EngineHost['callApi']>[0]) => cluster.instance(0).callApi(call),
        runCommand: (line: string, userId: string, roomId: string, triggerId?: string) => cluster.instance(0).runCommand(line, userId, roomId, triggerId),
    };
    return adapter as unknown as EngineHost;
}

export class ClusterUnderTest extends EngineUnderTest {
    /** Error lines seen before the current test (per instance slot), so each test is checked on its own. */
    private readonly errorsSeen = new Map<number, number>();

    private constructor(readonly cluster: Cluster) {
        super(clusterAsHost(cluster));
    }

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
     * A fresh demo workspace for the next test, the app configured with its service account on every running
     * instance. Waits until no job runs, and empties the job queue, so one test's jobs never run in the next.
     */
    async fresh(prepare?: (fixture: Fixture) => void, settings: Record<string, unknown> = {}): Promise<Fixture> {
        await this.cluster.idle();
        this.cluster.jobs.remove({});
        return super.fresh(prepare, settings);
    }

    /** Calls an app endpoint on instance `i` as `username` (or unauthenticated with `null`). */
    async apiOn(i: number, path: string, body: unknown, username: string | null, method = 'POST', query?: Record<string, string>): Promise<RestResponse> {
        return this.cluster.instance(i).callApi({ method, path, body, query, headers: username ? this.headersOf(username) : {} });
    }

    /** Runs a slash command line on instance `i` as `username` in room `roomName`. */
    async commandOn(i: number, username: string, roomName: string, line: string, triggerId?: string): Promise<CommandRun> {
        return this.cluster.instance(i).runCommand(line, this.userId(username), this.roomId(roomName), triggerId);
    }

    /** The text of the single ephemeral reply to a command on instance `i`. */
    async replyOn(i: number, username: string, roomName: string, line: string): Promise<string> {
        // The one-engine harness's `reply`, with its host's `runCommand` pointed at instance `i`.
        const instance = this.cluster.instance(i);
        const onInstance = Object.create(this, { host: { value: { runCommand: instance.runCommand.bind(instance) } } }) as EngineUnderTest;
        return EngineUnderTest.prototype.reply.call(onInstance, username, roomName, line);
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
