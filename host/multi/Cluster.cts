/**
 * Several Rocket.Chat instances running one app over one workspace — what a Rocket.Chat deployment with several
 * instances on one MongoDB is. The Apps-Engine's `AppManager` is one per process (upstream-governance-notes §7), so
 * each instance is a child process (host/multi/instance.cts) with its own engine and Deno runtime; this process is the
 * "database": it holds the workspace, the app persistence, the engine's app storages and the scheduler's job
 * collection, and serves them to the instances (host/multi/wire.cts). The scheduler hands each due job to one instance
 * (an atomic claim on the shared collection, host/engine/scheduler.cts).
 *
 * Harness API (tests, `bulk` jobs; start once per test file — two engines are heavy on 2 cores):
 *
 *   const cluster = await Cluster.start({ workspace, instances: 2, processEvery: 200, lockLifetime: 5000 });
 *   await cluster.install(zip);              // installed on instance 0; the others load it (Rocket.Chat's apps.added)
 *   await cluster.setSettings({ ... });      // saved on instance 0, heard by the others (apps.settingUpdated)
 *   cluster.instance(1).runCommand('/encrypt on --all', userId, roomId);   // any EngineHost door, on either instance:
 *   cluster.instance(0).callApi({ path: 'groups.bulk', headers, body }); //   runCommand, callApi, clickButton,
 *                                            //   submitView, closeView, buttonsShown, status, logs, errorLines, …
 *   await cluster.kill(1);                   // SIGKILL the instance and its Deno runtime, mid-run: its claims stay
 *                                            //   locked until they expire (lockLifetime), as a crashed server's do
 *   await cluster.restart(1);                // a new process in that slot; it loads the installed app from storage
 *   await cluster.disable(); await cluster.enable(); await cluster.update(zip);   // on instance 0 + broadcast
 *   cluster.useWorkspace(fresh);             // another workspace for every instance (the app's bot user carried over)
 *   cluster.jobs.find(); cluster.jobs.history // the shared job collection; every run's start/end and its instance
 *   await cluster.idle();                    // until no instance runs a job
 *   await cluster.stop();                    // ends every instance (Deno included) and the store server
 *
 * The workspace is this process's object: tests read and change it directly (`cluster.workspace`), as they do with one
 * EngineHost. Calls into an instance go over its IPC channel (structured clone): arguments and answers are data.
 */
import { fork } from 'child_process';
import type { ChildProcess } from 'child_process';
import path from 'path';
import { pathToFileURL } from 'url';

import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { IUIActionButton } from '@rocket.chat/apps-engine/definition/ui';
import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit';
import type { IPermission } from '@rocket.chat/apps-engine/definition/permissions/IPermission';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';

import { MemoryPersistenceStore, newSigningKeys } from '../engine/bridges.cjs';
import type { ApiCall, CommandRun, Delivery, InteractionRun } from '../engine/EngineHost.cjs';
import { MemoryJobCollection } from '../engine/scheduler.cjs';
import { MemoryMetadataStorage, MemorySourceStorage } from '../engine/storage.cjs';
import type { RestResponse } from '../workspace/model.cjs';
import type { Workspace } from '../workspace/Workspace.cjs';
import type { InstanceConfig, InstanceEvent, InstanceReply } from './instance.cjs';
import { StoreServer } from './wire.cjs';

const ROOT = path.resolve(__dirname, '..', '..');
const INSTANCE_ENTRY = path.join(__dirname, 'instance.cts');
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface ClusterOptions {
    workspace: Workspace;
    /** How many instances (default 2). */
    instances?: number;
    /** Agenda's poll in ms (default 5000, Rocket.Chat's); tests shorten it. */
    processEvery?: number;
    /** How long a claim holds in ms (default 10 minutes, Rocket.Chat's); tests shorten it to see a dead instance's jobs move. */
    lockLifetime?: number;
    extraOrigins?: string[];
    /** What the app sends users, with the instance it came from. */
    onDelivery?: (delivery: Delivery, instance: number) => void;
    /** How long an instance may take to start (default 120 s). */
    startTimeoutMs?: number;
}

/** Sends `name` to every process of `pids` that is still there. */
function signal(pids: number[], name: NodeJS.Signals): void {
    for (const pid of pids) {
        try {
            process.kill(pid, name);
        } catch {
            // already gone
        }
    }
}

/** One instance process, driven like an {@link EngineHost}. */
export class Instance {
    private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
    private nextId = 1;
    private exited = false;
    /** The instance's last lines of output (stdout and stderr), for a failing test's message. */
    readonly output: string[] = [];
    pid = 0;
    /** The Deno runtimes it started with (an install or update starts new ones: ask with `call('runtimePids')`). */
    runtimePids: number[] = [];
    /** The processes {@link freeze} stopped. */
    private frozen: number[] | undefined;

    constructor(
        readonly index: number,
        readonly name: string,
        private readonly child: ChildProcess,
        onDelivery?: (delivery: Delivery) => void,
    ) {
        const keep = (chunk: Buffer): void => {
            this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
            this.output.splice(0, Math.max(0, this.output.length - 200));
        };
        child.stdout?.on('data', keep);
        child.stderr?.on('data', keep);
        child.on('message', (raw) => {
            const message = raw as InstanceReply | InstanceEvent;
            if ('event' in message) {
                if (message.event === 'delivery') {
                    onDelivery?.(message.delivery as Delivery);
                }
                return;
            }
            const waiting = this.pending.get(message.id);
            this.pending.delete(message.id);
            if (message.ok) {
                waiting?.resolve(message.value);
            } else {
                waiting?.reject(new Error(`${this.name}: ${message.error}`));
            }
        });
        child.on('exit', () => {
            this.exited = true;
            for (const waiting of this.pending.values()) {
                waiting.reject(new Error(`${this.name} exited`));
            }
            this.pending.clear();
        });
    }

    get alive(): boolean {
        return !this.exited;
    }

    /** Waits for the instance's `ready` (its engine loaded, the installed app with it). */
    ready(timeoutMs: number): Promise<void> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${this.name} did not start in ${timeoutMs} ms:\n${this.output.join('\n')}`)), timeoutMs);
            const onMessage = (raw: unknown): void => {
                const message = raw as InstanceEvent;
                if (message.event === 'ready') {
                    this.pid = message.pid;
                    this.runtimePids = message.runtimePids;
                } else if (message.event !== 'failed') {
                    return;
                }
                clearTimeout(timer);
                this.child.off('message', onMessage);
                if (message.event === 'failed') {
                    reject(new Error(`${this.name} failed to start: ${message.error}\n${this.output.join('\n')}`));
                } else {
                    resolve();
                }
            };
            this.child.on('message', onMessage);
            this.child.once('exit', (code) => {
                clearTimeout(timer);
                reject(new Error(`${this.name} exited (${code}) while starting:\n${this.output.join('\n')}`));
            });
        });
    }

    /** Calls an EngineHost method in the instance. */
    call<T>(method: string, ...args: unknown[]): Promise<T> {
        if (this.exited) {
            return Promise.reject(new Error(`${this.name} is not running`));
        }
        const id = this.nextId++;
        return new Promise<T>((resolve, reject) => {
            this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
            this.child.send({ id, method, args });
        });
    }

    runCommand(line: string, userId: string, roomId: string, triggerId?: string): Promise<CommandRun> {
        return this.call('runCommand', line, userId, roomId, ...(triggerId ? [triggerId] : []));
    }

    callApi(call: ApiCall): Promise<RestResponse> {
        return this.call('callApi', call);
    }

    clickButton(actionId: string, userId: string, roomId: string): Promise<InteractionRun> {
        return this.call('clickButton', actionId, userId, roomId);
    }

    submitView(view: IUIKitSurface, userId: string): Promise<InteractionRun> {
        return this.call('submitView', view, userId);
    }

    closeView(view: IUIKitSurface, userId: string, isCleared = false): Promise<InteractionRun> {
        return this.call('closeView', view, userId, isCleared);
    }

    buttonsShown(userId: string, roomId: string): Promise<IUIActionButton[]> {
        return this.call('buttonsShown', userId, roomId);
    }

    status(): Promise<string> {
        return this.call('status');
    }

    settings(): Promise<Record<string, ISetting>> {
        return this.call('settings');
    }

    commands(): Promise<string[]> {
        return this.call('commands');
    }

    logs(): Promise<ILoggerStorageEntry[]> {
        return this.call('logs');
    }

    errorLines(): Promise<Array<{ method: string; args: unknown[] }>> {
        return this.call('errorLines');
    }

    /** Until this instance runs no job. */
    schedulerIdle(): Promise<void> {
        return this.call('schedulerIdle');
    }

    /**
     * Pauses the process and its Deno runtimes (SIGSTOP) where they are: nothing the instance runs goes on — no
     * processor finishes, no write leaves — until {@link thaw} or {@link kill}. What it had already sent lands.
     */
    async freeze(): Promise<void> {
        if (this.exited || this.frozen) {
            return;
        }
        // The app's Deno runtime changes with every install / update: ask for it now (the ones it started with if it
        // does not answer within 2 s).
        let timer: NodeJS.Timeout | undefined;
        const known = new Promise<number[]>((resolve) => {
            timer = setTimeout(() => resolve(this.runtimePids), 2000);
        });
        const runtimes = await Promise.race([this.call<number[]>('runtimePids').catch(() => this.runtimePids), known]);
        clearTimeout(timer);
        const pids = [this.child.pid ?? 0, ...runtimes].filter((pid) => pid > 0);
        signal(pids, 'SIGSTOP');
        this.frozen = pids;
    }

    /** Lets a frozen instance go on (SIGCONT). */
    thaw(): void {
        if (this.frozen) {
            signal(this.frozen, 'SIGCONT');
            this.frozen = undefined;
        }
    }

    /** Ends the process at once (SIGKILL), its Deno runtime with it; nothing is cleaned up, as in a crash. */
    async kill(): Promise<void> {
        if (this.exited) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
        // Frozen first, so that it stops where it is at once, whatever it is busy with.
        await this.freeze();
        signal(this.frozen ?? [], 'SIGKILL');
        this.frozen = undefined;
        await exited;
    }

    /** Stops the instance cleanly (its engine unloads the app, its claims are released). */
    async stop(): Promise<void> {
        if (this.exited) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
        await this.call('stop').catch(() => undefined);
        const timer = setTimeout(() => void this.kill(), 10000);
        await exited;
        clearTimeout(timer);
    }
}

export class Cluster {
    readonly jobs = new MemoryJobCollection();
    readonly persistence = new MemoryPersistenceStore();
    private readonly metadata = new MemoryMetadataStorage();
    private readonly source = new MemorySourceStorage();
    /** The workspace's key pair (Rocket.Chat keeps it in its settings): every instance verifies the apps with it. */
    private readonly signingKeys = newSigningKeys();
    private readonly server: StoreServer;
    private readonly slots: Instance[] = [];
    private port = 0;
    private appId = '';
    private current: Workspace;

    private constructor(private readonly options: ClusterOptions) {
        this.current = options.workspace;
        this.server = new StoreServer(() => ({
            workspace: this.current,
            persistence: this.persistence,
            jobs: this.jobs,
            metadata: this.metadata,
            source: this.source,
            signing: { keys: () => this.signingKeys },
        }));
    }

    /** Starts the store server and the instances (one after another: each boots an engine). */
    static async start(options: ClusterOptions): Promise<Cluster> {
        const cluster = new Cluster(options);
        cluster.port = await cluster.server.listen();
        try {
            for (let i = 0; i < (options.instances ?? 2); i++) {
                await cluster.restart(i);
            }
        } catch (error) {
            await cluster.stop();
            throw error;
        }
        return cluster;
    }

    get workspace(): Workspace {
        return this.current;
    }

    get id(): string {
        return this.appId;
    }

    /** Instance `i` (throws when that slot was never started). */
    instance(i: number): Instance {
        const slot = this.slots[i];
        if (!slot) {
            throw new Error(`No instance ${i}`);
        }
        return slot;
    }

    /** The instances still running. */
    live(): Instance[] {
        return this.slots.filter((s) => s.alive);
    }

    /** Starts (again) the instance in slot `i`: a new process, its engine loading the installed app from storage. */
    async restart(i: number): Promise<Instance> {
        const old = this.slots[i];
        if (old?.alive) {
            await old.stop();
        }
        const name = `instance-${i}`;
        const config: InstanceConfig = {
            port: this.port,
            name,
            processEvery: this.options.processEvery,
            lockLifetime: this.options.lockLifetime,
            // Independent processes poll out of step; these start one after another, and a boot time close to a
            // multiple of the poll interval lined their polls up (one instance then claimed nearly every job). Each
            // slot polls at its own place in the interval.
            phase: Math.round((i * (this.options.processEvery ?? 5000)) / (this.options.instances ?? 2)),
            extraOrigins: this.options.extraOrigins,
        };
        const child = fork(INSTANCE_ENTRY, [], {
            cwd: ROOT,
            execArgv: ['--import', TSX_LOADER],
            serialization: 'advanced',
            env: { ...process.env, GROUP_ADMIN_INSTANCE: JSON.stringify(config), GROUP_ADMIN_STORE_TOKEN: this.server.token },
            stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        const instance = new Instance(i, name, child, (delivery) => this.options.onDelivery?.(delivery, i));
        this.slots[i] = instance;
        await instance.ready(this.options.startTimeoutMs ?? 120000);
        return instance;
    }

    /** Kills instance `i` (SIGKILL, Deno included): a crash, mid-run if a job is running there. */
    async kill(i: number): Promise<void> {
        await this.instance(i).kill();
    }

    /** The first running instance: where an admin's action lands. */
    private first(): Instance {
        const first = this.live()[0];
        if (!first) {
            throw new Error('No instance is running');
        }
        return first;
    }

    private others(first: Instance): Instance[] {
        return this.live().filter((s) => s !== first);
    }

    /** Installs the app on the first instance; the others load it from storage (`apps.added`). */
    async install(zip: Buffer, permissionsGranted?: IPermission[]): Promise<string> {
        const first = this.first();
        this.appId = await first.call<string>('install', zip, permissionsGranted);
        for (const other of this.others(first)) {
            await other.call('onAppAdded', this.appId);
        }
        return this.appId;
    }

    /** Updates the app on the first instance; the others start the new package (`apps.updated`). */
    async update(zip: Buffer, permissionsGranted?: IPermission[]): Promise<void> {
        const first = this.first();
        await first.call('update', zip, permissionsGranted);
        for (const other of this.others(first)) {
            await other.call('onAppUpdated');
        }
    }

    /** Saves app settings on the first instance; the others hear each one (`apps.settingUpdated`). */
    async setSettings(values: Record<string, unknown>): Promise<void> {
        const first = this.first();
        await first.call('setSettings', values);
        const saved = await first.settings();
        for (const other of this.others(first)) {
            for (const id of Object.keys(values)) {
                await other.call('onAppSettingUpdated', saved[id]);
            }
        }
    }

    /** Disables the app on the first instance; the others follow (`apps.statusUpdate`). */
    async disable(): Promise<void> {
        await this.changeStatus('disable');
    }

    /** Enables the app on the first instance; the others follow (`apps.statusUpdate`). */
    async enable(): Promise<void> {
        await this.changeStatus('enable');
    }

    private async changeStatus(method: 'enable' | 'disable'): Promise<void> {
        const first = this.first();
        await first.call(method);
        const status = await first.status();
        for (const other of this.others(first)) {
            await other.call('onAppStatusUpdated', status);
        }
    }

    /**
     * Another workspace for every instance (a fresh one per test): the app's bot user, created in the first workspace
     * on install, is added to it as a server would still have it.
     */
    useWorkspace(workspace: Workspace): void {
        for (const bot of this.current.listUsers().filter((u) => u.type === 'app')) {
            if (!workspace.getUser(bot._id)) {
                workspace.addUser({ _id: bot._id, username: bot.username, name: bot.name, roles: bot.roles, type: 'app' });
            }
        }
        this.current = workspace;
    }

    /** Until no running instance runs a job. */
    async idle(): Promise<void> {
        await Promise.all(this.live().map((s) => s.schedulerIdle()));
    }

    /** Stops every instance cleanly and the store server. */
    async stop(): Promise<void> {
        await Promise.all(this.slots.map((s) => s.stop().catch(() => s.kill())));
        await this.server.close();
    }
}
