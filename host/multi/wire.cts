/**
 * The wire between the workspace process and its Rocket.Chat instances (host/multi/): what MongoDB is between real
 * instances. The workspace process serves named objects (the workspace, the app persistence, the scheduler's job
 * collection, the engine's app storages) on a loopback TCP port; an instance calls their methods **synchronously**,
 * so the host's bridges, written against in-memory objects, work unchanged in an instance process.
 *
 * Frames: a 4-byte big-endian length, then `v8.serialize` of the message (Dates, Maps, Buffers survive). A connection's
 * first frame is the server's random token (given to the instances it starts): any other local process is cut off. The
 * workspace process runs each call whole before the next, so every call is one atomic operation (the scheduler's
 * claim included), as one MongoDB command is.
 *
 * Synchronous calls: the instance's main thread hands the request to a worker thread, which owns the socket, and
 * sleeps in `Atomics.wait` until the worker has put the answer on a MessagePort (`receiveMessageOnPort`).
 */
import { randomBytes, timingSafeEqual } from 'crypto';
import net from 'net';
import v8 from 'v8';
import { MessageChannel, receiveMessageOnPort, Worker } from 'worker_threads';
import type { MessagePort } from 'worker_threads';

export interface WireRequest {
    id: number;
    target: string;
    member: string;
    /** Read a property instead of calling a method. */
    get?: boolean;
    args: unknown[];
}

export type WireReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string } };

export function frame(message: unknown): Buffer {
    const body = v8.serialize(message);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    return Buffer.concat([head, body]);
}

/** Calls `onBody` with each whole frame body arriving on the socket. */
export function readFrames(socket: net.Socket, onBody: (body: Buffer) => void): void {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= 4) {
            const length = pending.readUInt32BE(0);
            if (pending.length < 4 + length) {
                break;
            }
            onBody(pending.subarray(4, 4 + length));
            pending = pending.subarray(4 + length);
        }
    });
}

function errorOf(error: unknown): { name: string; message: string } {
    return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

/** The workspace process's side: serves `targets()` (looked up per call, so the workspace can be swapped). */
export class StoreServer {
    private readonly server: net.Server;
    private readonly sockets = new Set<net.Socket>();
    /** What a client must send first (hand it to the instances this process starts). */
    readonly token = randomBytes(24).toString('hex');

    constructor(private readonly targets: () => Record<string, object>) {
        this.server = net.createServer((socket) => this.accept(socket));
    }

    listen(): Promise<number> {
        return new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port));
        });
    }

    close(): Promise<void> {
        this.sockets.forEach((s) => s.destroy());
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private accept(socket: net.Socket): void {
        socket.setNoDelay(true);
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        let admitted = false;
        readFrames(socket, (body) => {
            if (!admitted) {
                const token = Buffer.from(this.token);
                admitted = body.length === token.length && timingSafeEqual(body, token);
                if (!admitted) {
                    socket.destroy();
                }
                return;
            }
            void this.answer(v8.deserialize(body) as WireRequest).then((reply) => {
                if (!socket.destroyed) {
                    socket.write(frame(reply));
                }
            });
        });
    }

    private async answer(request: WireRequest): Promise<WireReply> {
        try {
            const target = this.targets()[request.target] as Record<string, unknown> | undefined;
            if (!target) {
                throw new Error(`No target ${request.target}`);
            }
            const member = target[request.member];
            if (request.get) {
                return { id: request.id, ok: true, value: member };
            }
            if (typeof member !== 'function') {
                throw new Error(`${request.target}.${request.member} is not a method`);
            }
            const value: unknown = await (member as (...args: unknown[]) => unknown).apply(target, request.args);
            return { id: request.id, ok: true, value };
        } catch (error) {
            return { id: request.id, ok: false, error: errorOf(error) };
        }
    }
}

/** The worker thread that owns the instance's socket (plain JavaScript, evaluated in the worker). */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('worker_threads');
const net = require('net');
const { port, token, signal, replies } = workerData;
const flag = new Int32Array(signal);
const socket = net.connect(port, '127.0.0.1');
socket.on('connect', () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(Buffer.byteLength(token), 0);
    socket.write(Buffer.concat([head, Buffer.from(token)]));
    parentPort.postMessage('connected');
});
socket.setNoDelay(true);
let pending = Buffer.alloc(0);
const wake = () => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4) {
        const length = pending.readUInt32BE(0);
        if (pending.length < 4 + length) break;
        replies.postMessage(pending.subarray(4, 4 + length));
        pending = pending.subarray(4 + length);
        wake();
    }
});
const lost = () => { replies.postMessage(null); wake(); };
socket.on('error', lost);
socket.on('close', lost);
parentPort.on('message', (bytes) => socket.write(Buffer.from(bytes)));
`;

/** Whether `name` is a method along `prototype`'s chain (without running getters). */
function isMethod(prototype: object, name: string): boolean {
    for (let p: object | null = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
        const descriptor = Object.getOwnPropertyDescriptor(p, name);
        if (descriptor) {
            return typeof descriptor.value === 'function';
        }
    }
    return false;
}

/** The instance's side: synchronous calls to the workspace process's targets. */
export class SyncStoreClient {
    private readonly worker: Worker;
    private readonly flag: Int32Array;
    private readonly replies: MessagePort;
    private nextId = 1;

    private constructor(
        private readonly timeoutMs: number,
        port: number,
        token: string,
    ) {
        const signal = new SharedArrayBuffer(4);
        this.flag = new Int32Array(signal);
        const channel = new MessageChannel();
        this.replies = channel.port1;
        this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { port, token, signal, replies: channel.port2 }, transferList: [channel.port2] });
    }

    /**
     * Starts the worker and waits (asynchronously) until it is connected: a worker thread does not come up while the
     * main thread already sleeps in `Atomics.wait` (the module loader hooks of `--import tsx` need it).
     */
    static async connect(port: number, token: string, timeoutMs = 120000): Promise<SyncStoreClient> {
        const client = new SyncStoreClient(timeoutMs, port, token);
        await new Promise<void>((resolve, reject) => {
            client.worker.once('message', () => resolve());
            client.worker.once('error', reject);
            client.worker.once('exit', (code) => reject(new Error(`The store connection ended (${code})`)));
        });
        client.worker.unref();
        return client;
    }

    call(target: string, member: string, args: unknown[] = [], get = false): unknown {
        const id = this.nextId++;
        Atomics.store(this.flag, 0, 0);
        this.worker.postMessage(frame({ id, target, member, args, get } satisfies WireRequest));
        const deadline = Date.now() + this.timeoutMs;
        for (;;) {
            const received = receiveMessageOnPort(this.replies) as { message: Uint8Array | null } | undefined;
            if (received) {
                if (received.message === null) {
                    throw new Error('The workspace process is gone');
                }
                const reply = v8.deserialize(received.message) as WireReply;
                if (reply.id !== id) {
                    continue;
                }
                if (!reply.ok) {
                    throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
                }
                return reply.value;
            }
            const left = deadline - Date.now();
            if (left <= 0) {
                throw new Error(`No answer from the workspace process for ${target}.${member}`);
            }
            Atomics.wait(this.flag, 0, 0, Math.min(left, 1000));
            Atomics.store(this.flag, 0, 0);
        }
    }

    /**
     * A stand-in for the workspace process's `target`: methods (those on `prototype`, or any member without one) call
     * through; other members of `prototype` (getters, fields) are read through.
     */
    remote<T extends object>(target: string, prototype?: object): T {
        return new Proxy({} as T, {
            get: (_, member) => {
                if (typeof member !== 'string' || member === 'then') {
                    return undefined;
                }
                if (prototype && !isMethod(prototype, member)) {
                    return this.call(target, member, [], true);
                }
                return (...args: unknown[]) => this.call(target, member, args);
            },
        });
    }

    close(): Promise<number> {
        return this.worker.terminate();
    }
}
