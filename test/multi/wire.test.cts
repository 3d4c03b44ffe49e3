/**
 * The store server the instances reach the workspace process through (host/multi/wire.cts), spoken to over a plain
 * socket: only a client that sends the server's token first is answered; calls, property reads and errors come back as
 * data, Dates intact.
 */
import net from 'net';
import v8 from 'v8';

import { frame, readFrames, StoreServer } from '../../host/multi/wire.cjs';
import type { WireReply, WireRequest } from '../../host/multi/wire.cjs';

describe('store server', () => {
    let server: StoreServer;
    let port: number;
    const target = {
        count: 3,
        add(a: number, b: number): number {
            return a + b + this.count;
        },
        async later(): Promise<Date> {
            return new Date(0);
        },
        fail(): never {
            throw new Error('nope');
        },
    };

    beforeAll(async () => {
        server = new StoreServer(() => ({ target }));
        port = await server.listen();
    });

    afterAll(async () => {
        await server.close();
    });

    function connect(first: string): Promise<{ ask: (request: Omit<WireRequest, 'id'>) => Promise<WireReply>; closed: Promise<void>; end: () => void }> {
        return new Promise((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => {
                socket.write(Buffer.concat([Buffer.from([0, 0, 0, Buffer.byteLength(first)]), Buffer.from(first)]));
                const waiting = new Map<number, (reply: WireReply) => void>();
                readFrames(socket, (body) => {
                    const reply = v8.deserialize(body) as WireReply;
                    waiting.get(reply.id)?.(reply);
                });
                let id = 0;
                resolve({
                    ask: (request) =>
                        new Promise((answer) => {
                            waiting.set(++id, answer);
                            socket.write(frame({ ...request, id }));
                        }),
                    closed: new Promise((done) => socket.on('close', () => done())),
                    end: () => socket.destroy(),
                });
            });
            socket.on('error', () => undefined);
        });
    }

    it('answers calls, reads and errors of a client that sent the token', async () => {
        const client = await connect(server.token);
        expect(await client.ask({ target: 'target', member: 'add', args: [1, 2] })).toMatchObject({ ok: true, value: 6 });
        expect(await client.ask({ target: 'target', member: 'count', args: [], get: true })).toMatchObject({ ok: true, value: 3 });
        expect(await client.ask({ target: 'target', member: 'later', args: [] })).toMatchObject({ ok: true, value: new Date(0) });
        expect(await client.ask({ target: 'target', member: 'fail', args: [] })).toMatchObject({ ok: false, error: { message: 'nope' } });
        expect(await client.ask({ target: 'nothing', member: 'x', args: [] })).toMatchObject({ ok: false, error: { message: 'No target nothing' } });
        client.end();
    });

    it('cuts off a client whose first frame is not the token', async () => {
        const client = await connect('not-the-token-not-the-token-not-the-token-not-the-tok');
        const reply = client.ask({ target: 'target', member: 'add', args: [1, 2] });
        await client.closed;
        await expect(Promise.race([reply, new Promise((resolve) => setTimeout(() => resolve('no answer'), 200))])).resolves.toBe('no answer');
    });
});
