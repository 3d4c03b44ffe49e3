/**
 * The engine host with a probe app in the real Apps-Engine Deno runtime: app endpoints get the request headers as
 * Rocket.Chat's `AppApisBridge` passes them, the room bridge's `getMembers` as `AppRoomBridge` gives it, bot messages
 * land in the room, and persisted records survive a disable / enable.
 */
import { EngineHost, incomingHeaders } from '../../host/engine/EngineHost.cjs';
import { demoWorkspace } from '../../host/workspace/demo.cjs';
import type { WsMessage } from '../../host/workspace/model.cjs';
import { probeAppZip } from './probeApp.cjs';
import { SCHEDULER_PROBE_ID, schedulerProbeZip } from './schedulerProbeApp.cjs';
import { AppManager } from '@rocket.chat/apps-engine/server/AppManager';

describe('EngineHost with a probe app', () => {
    let host: EngineHost;
    let demo: ReturnType<typeof demoWorkspace>;

    beforeAll(async () => {
        demo = demoWorkspace();
        host = await EngineHost.start({ workspace: demo.workspace });
        await host.install(probeAppZip());
    }, 120000);

    afterAll(async () => {
        await host?.stop();
    });

    const room = (name: string): string => demo.workspace.getRoomByName(name)?._id as string;
    const user = (username: string): string => demo.workspace.getUserByUsername(username)?._id as string;

    it('every demo user can get a token; the endpoint receives every header lower-cased, credentials included', async () => {
        for (const u of demo.workspace.listUsers().filter((x) => x.type === 'user')) {
            const token = demo.workspace.createAuthToken(u._id);
            const res = await host.callApi({
                path: 'echo',
                headers: { 'X-User-Id': u._id, 'X-Auth-Token': token, 'X-Real-IP': '198.51.100.7', 'X-Forwarded-For': '203.0.113.9', 'Content-Type': 'application/json' },
                body: {},
            });
            expect(res.status).toBe(200);
            expect(res.body).toEqual({
                headers: {
                    'x-user-id': u._id,
                    'x-auth-token': token,
                    'x-real-ip': '198.51.100.7',
                    'x-forwarded-for': '203.0.113.9',
                    'content-type': 'application/json',
                },
                user: u.username,
            });
            const me = await demo.workspace.handle({ method: 'GET', path: '/api/v1/me', headers: { 'X-User-Id': u._id, 'X-Auth-Token': token } });
            expect(me).toMatchObject({ status: 200, body: { _id: u._id, username: u.username } });
        }
    });

    it('a header sent twice under two spellings is combined as Node does: a doubled X-User-Id authenticates no one', async () => {
        const alice = user('alice');
        const token = demo.workspace.createAuthToken(alice);
        const res = await host.callApi({ path: 'echo', headers: { 'X-User-Id': alice, 'x-user-id': alice, 'X-Auth-Token': token }, body: {} });
        expect(res.body).toMatchObject({ headers: { 'x-user-id': `${alice}, ${alice}` }, user: null });
        expect(incomingHeaders({ 'Content-Type': 'a', 'content-type': 'b', Cookie: 'x=1', cookie: 'y=2' })).toEqual({ 'content-type': 'a', cookie: 'x=1; y=2' });
    });

    it('an authRequired endpoint without a valid user: 401 plain-text "Unauthorized" (apps router, audit F10)', async () => {
        expect(await host.callApi({ path: 'private', body: {} })).toEqual({ status: 401, body: 'Unauthorized' });
        const alice = user('alice');
        expect(await host.callApi({ path: 'private', headers: { 'X-User-Id': alice, 'X-Auth-Token': 'wrong' }, body: {} })).toEqual({ status: 401, body: 'Unauthorized' });
        const token = demo.workspace.createAuthToken(alice);
        expect(await host.callApi({ path: 'private', headers: { 'X-User-Id': alice, 'X-Auth-Token': token }, body: {} })).toEqual({ status: 200, body: { user: 'alice' } });
    });

    it('getMembers: an orphaned subscription reaches the app as null', async () => {
        const rid = room('project-x');
        expect((await host.callApi({ path: 'members', body: { roomId: rid } })).body).toEqual({ members: ['alice', 'carol', 'bob'] });
        demo.workspace.deleteUserKeepingSubscriptions(user('carol'));
        expect((await host.callApi({ path: 'members', body: { roomId: rid } })).body).toEqual({ members: ['alice', 'null', 'bob'] });
    });

    it('getAllRooms: pages of raw rooms filtered by type, without encrypted, archived or e2eKeyId (AppRoomBridge projection)', async () => {
        const alice = user('alice');
        demo.workspace.addRoom({ name: 'locked', t: 'p', owner: alice, encrypted: true, e2eKeyId: 'key-1', archived: true });
        const answer = (await host.callApi({ path: 'allRooms', body: { filters: { types: ['p'] } } })).body as { rooms: Array<Record<string, unknown>> };
        const groups = demo.workspace.listRooms().filter((r) => r.t === 'p');
        expect(answer.rooms.map((r) => r.id)).toEqual(groups.map((r) => r._id));
        const locked = answer.rooms.find((r) => r.slugifiedName === 'locked');
        expect(locked).toMatchObject({ type: 'p', displayName: 'locked', creator: { _id: alice, username: 'alice' } });
        for (const hidden of ['encrypted', 'archived', 'e2eKeyId', '_unmappedProperties_']) expect(locked).not.toHaveProperty(hidden);
        const paged = (await host.callApi({ path: 'allRooms', body: { filters: { types: ['p'] }, options: { limit: 1, skip: 1 } } })).body as { rooms: Array<{ id: string }> };
        expect(paged.rooms.map((r) => r.id)).toEqual([groups[1]._id]);
        const counted = (await host.callApi({ path: 'encryptionByBridge', body: {} })).body;
        expect(counted).toEqual({ groups: groups.length, encrypted: groups.filter((r) => r.encrypted === true).length });
    });

    it('a bot message lands in the room as the app user, ts now, and onMessage hears it', async () => {
        const rid = room('general');
        const heard: WsMessage[] = [];
        const off = demo.workspace.onMessage((m) => heard.push(m));
        const before = Date.now();
        const res = await host.callApi({ path: 'post', body: { roomId: rid, text: 'hello from the bot' } });
        off();
        expect(res.status).toBe(200);
        const id = (res.body as { id: string }).id;
        const stored = demo.workspace.getMessages(rid).find((m) => m._id === id);
        expect(stored).toMatchObject({ rid, msg: 'hello from the bot', u: { username: 'host-probe.bot' } });
        expect(stored?.t).toBeUndefined();
        expect(new Date(stored?.ts as Date).getTime()).toBeGreaterThanOrEqual(before - 5);
        expect(heard.map((m) => m._id)).toEqual([id]);
    });

    it('persisted records survive disable / enable', async () => {
        await host.callApi({ path: 'remember', body: { value: 42 } });
        await host.disable();
        expect(await host.status()).toMatch(/disabled/);
        expect(await host.enable()).toBe(true);
        expect(await host.status()).toMatch(/enabled/);
        expect((await host.callApi({ path: 'recall', body: {} })).body).toEqual({ records: [{ value: 42 }] });
    });
});

describe('EngineHost.stop() leaves nothing running (findings §B11: "a worker process has failed to exit gracefully")', () => {
    /** What a Deno runtime controller of Apps-Engine 1.62 holds that outlives the app unless the host ends it. */
    type Runtime = { livenessManager: { watchdogTimeout: unknown }; deno?: { exitCode: number | null; signalCode: string | null } };
    const runtimeOf = (id: string): Runtime => AppManager.Instance.getOneById(id)?.getRuntimeController() as unknown as Runtime;

    it('every runtime it ran, the replaced one included: liveness watchdog stopped, Deno process gone', async () => {
        const host = await EngineHost.start({ workspace: demoWorkspace().workspace });
        const runtimes: Runtime[] = [];
        try {
            await host.install(schedulerProbeZip('0.0.1'));
            runtimes.push(runtimeOf(SCHEDULER_PROBE_ID));
            await host.update(schedulerProbeZip('0.0.2'));
            runtimes.push(runtimeOf(SCHEDULER_PROBE_ID));
            expect(runtimes[0]).not.toBe(runtimes[1]);
        } finally {
            await host.stop();
        }
        // The engine's unload does not await stopApp, and its liveness watchdog keeps ticking after the process is
        // gone: the next tick (10 s later) arms a 1 s ping timeout that holds the process open.
        for (const runtime of runtimes) {
            expect(runtime.livenessManager.watchdogTimeout).toBeNull();
            expect(runtime.deno === undefined || runtime.deno.exitCode !== null || runtime.deno.signalCode !== null).toBe(true);
        }
    }, 120000);
});
