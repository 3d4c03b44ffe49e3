/**
 * One Rocket.Chat instance in its own process (started by host/multi/Cluster.cts): its own Apps-Engine `AppManager`
 * and Deno runtime, over the workspace process's shared workspace, app persistence, app storages and scheduler job
 * collection (host/multi/wire.cts) — as a Rocket.Chat instance runs its own engine over the shared MongoDB.
 *
 * Configuration: `$GROUP_ADMIN_INSTANCE` (JSON {@link InstanceConfig}) and `$GROUP_ADMIN_STORE_TOKEN` (the store's token). Over the IPC channel the parent sends
 * `{ id, method, args }` (any {@link EngineHost} method, or `schedulerIdle`) and gets `{ id, ok, value | error }`;
 * the instance sends `{ event: 'ready', pid, runtimePids }` once started and `{ event: 'delivery', delivery }` for
 * what the app sends users.
 */
import { AppMetadataStorage } from '@rocket.chat/apps-engine/server/storage';
import { AppSourceStorage } from '@rocket.chat/apps-engine/server/storage/AppSourceStorage';

import type { PersistenceStore, SigningKeys } from '../engine/bridges.cjs';
import { describeError } from '../engine/describeError.cjs';
import { EngineHost } from '../engine/EngineHost.cjs';
import type { JobCollection } from '../engine/scheduler.cjs';
import { MemoryMetadataStorage, MemorySourceStorage } from '../engine/storage.cjs';
import { Workspace } from '../workspace/Workspace.cjs';
import { SyncStoreClient } from './wire.cjs';

export interface InstanceConfig {
    /** The workspace process's store port (host/multi/wire.cts). */
    port: number;
    /** The instance's name (the scheduler's `lastModifiedBy`). */
    name: string;
    processEvery?: number;
    lockLifetime?: number;
    /** The instance's place in the poll interval (`JobRunnerOptions.phase`). */
    phase?: number;
    extraOrigins?: string[];
}

export interface InstanceRequest {
    id: number;
    method: string;
    args: unknown[];
}

export type InstanceReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export type InstanceEvent = { event: 'ready'; pid: number; runtimePids: number[] } | { event: 'delivery'; delivery: unknown } | { event: 'failed'; error: string };

/** An engine storage class whose every method (those the in-memory one implements) runs in the workspace process. */
function remoteStorage<T extends object>(instance: T, implemented: object, client: SyncStoreClient, target: string): T {
    for (const name of Object.getOwnPropertyNames(implemented)) {
        if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(implemented, name)?.value === 'function') {
            Object.defineProperty(instance, name, {
                value: async (...args: unknown[]) => {
                    const value = client.call(target, name, args);
                    // A package comes back as a Uint8Array; the engine wants a Buffer.
                    return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
                },
            });
        }
    }
    return instance;
}

/** The engine checks its storages with `instanceof`: instances of its own classes, methods filled in by `remoteStorage`. */
abstract class SharedMetadataStorage extends AppMetadataStorage {
    constructor() {
        super('shared');
    }
}

abstract class SharedSourceStorage extends AppSourceStorage {}

function send(message: InstanceReply | InstanceEvent): void {
    process.send?.(message);
}

async function main(): Promise<void> {
    const config = JSON.parse(process.env.GROUP_ADMIN_INSTANCE ?? '{}') as InstanceConfig;
    const client = await SyncStoreClient.connect(config.port, process.env.GROUP_ADMIN_STORE_TOKEN ?? '');
    const metadata = remoteStorage(new (SharedMetadataStorage as unknown as new () => AppMetadataStorage)(), MemoryMetadataStorage.prototype, client, 'metadata');
    const source = remoteStorage(new (SharedSourceStorage as unknown as new () => AppSourceStorage)(), MemorySourceStorage.prototype, client, 'source');
    const host = await EngineHost.start({
        workspace: client.remote<Workspace>('workspace', Workspace.prototype),
        persistence: client.remote<PersistenceStore>('persistence'),
        storages: { metadata, source },
        signingKeys: client.call('signing', 'keys') as SigningKeys,
        scheduler: {
            collection: client.remote<JobCollection>('jobs'),
            processEvery: config.processEvery,
            lockLifetime: config.lockLifetime,
            phase: config.phase,
            name: config.name,
        },
        extraOrigins: config.extraOrigins,
        onDelivery: (delivery) => send({ event: 'delivery', delivery }),
    });

    const methods = host as unknown as Record<string, (...args: unknown[]) => unknown>;
    const special: Record<string, (...args: unknown[]) => unknown> = {
        schedulerIdle: () => host.scheduler.idle(),
        id: () => host.id,
        stop: async () => {
            await host.stop();
            setImmediate(() => process.exit(0));
        },
    };
    process.on('message', (raw) => {
        const request = raw as InstanceRequest;
        const run = async (): Promise<unknown> => {
            const fn = special[request.method] ?? (typeof methods[request.method] === 'function' ? methods[request.method].bind(host) : undefined);
            if (!fn) {
                throw new Error(`No instance method ${request.method}`);
            }
            return fn(...request.args);
        };
        run().then(
            (value) => send({ id: request.id, ok: true, value }),
            (error: unknown) => send({ id: request.id, ok: false, error: describeError(error) }),
        );
    });
    // The workspace process went away: end the engine (and its Deno process) with it.
    process.on('disconnect', () => {
        void host.stop().finally(() => process.exit(0));
        setTimeout(() => process.exit(0), 5000).unref();
    });
    send({ event: 'ready', pid: process.pid, runtimePids: host.runtimePids() });
}

main().catch((error: unknown) => {
    send({ event: 'failed', error: describeError(error) });
    process.exit(1);
});
