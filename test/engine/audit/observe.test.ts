/**
 * The complete trail (interface.md §9, issue 16): changes made in Rocket.Chat itself reach the app as system messages
 * (`IPostSystemMessageSent`) and are recorded with `door: "rocket.chat"` and the actor Rocket.Chat names; a change
 * made through the app is recorded once, with the real person — never a second time from its system message, also
 * when changes run at once.
 */
import type { ChangeRecord } from '../../../src/history/store';
import type { RestResponse } from '../../../host/workspace/model';
import type { EngineUnderTest } from '../harness';
import { useEngine, withoutRateLimits } from '../harness';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

interface HistoryBody {
    history: ChangeRecord[];
    total: number;
}

async function historyOf(room: string, username = 'alice'): Promise<ChangeRecord[]> {
    await engine.host.settled();
    const response: RestResponse = await engine.host.callApi({ method: 'GET', path: 'groups.history', query: { roomName: room, count: '0' }, headers: engine.headersOf(username) });
    expect(response.status).toBe(200);
    return (response.body as HistoryBody).history;
}

const what = (records: ChangeRecord[]) => records.map((r) => `${r.actor.username} ${r.operation} ${String(r.from)}→${String(r.to)} ${r.door}`);

const WATCHED = ['room_e2e_enabled', 'room_e2e_disabled', 'room_changed_privacy', 'user-converted-to-team', 'user-converted-to-channel'];

/** The watched system messages Rocket.Chat posted in a room. */
function systemMessages(room: string): string[] {
    return engine.workspace
        .getMessages(engine.roomId(room))
        .filter((m) => m.t && WATCHED.includes(m.t))
        .map((m) => `${m.t} ${m.u.username}`);
}

describe("changes made with Rocket.Chat's own endpoints", () => {
    it('groups.setEncrypted: recorded with door rocket.chat, the actor Rocket.Chat names, from and to', async () => {
        await engine.fresh();
        expect((await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice')).status).toBe(200);
        const records = await historyOf('project-x');
        expect(records).toEqual([
            {
                _id: expect.any(String),
                roomId: engine.roomId('project-x'),
                roomName: 'project-x',
                operation: 'setEncrypted',
                from: false,
                to: true,
                actor: { _id: engine.userId('alice'), username: 'alice' },
                door: 'rocket.chat',
                at: expect.any(String),
            },
        ]);
    });

    it('groups.setType: the new type read from the room, the type before said to be unknown', async () => {
        await engine.fresh();
        expect((await engine.reference('groups.setType', { roomName: 'project-x', type: 'c' }, 'alice')).status).toBe(200);
        const [record] = await historyOf('project-x');
        expect(record).toMatchObject({ operation: 'setType', from: null, fromUnknown: true, to: 'c', door: 'rocket.chat', actor: { username: 'alice' } });
    });

    it('groups.convertToTeam: recorded as a conversion to a team', async () => {
        await engine.fresh();
        expect((await engine.reference('groups.convertToTeam', { roomName: 'project-x' }, 'alice')).status).toBe(200);
        expect(what(await historyOf('project-x'))).toEqual(['alice convertToTeam false→true rocket.chat']);
    });

    it('other system messages and chat messages are not recorded', async () => {
        await engine.fresh();
        await engine.reference('chat.postMessage', { roomId: engine.roomId('project-x'), text: 'hello' }, 'alice');
        expect(await historyOf('project-x')).toEqual([]);
    });
});

describe('a change made through the app is recorded once, with the real person', () => {
    it('the HTTP door (the caller is the actor Rocket.Chat names): one record, door endpoint', async () => {
        await engine.fresh();
        expect((await engine.api('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice')).status).toBe(200);
        expect(systemMessages('project-x')).toEqual(['room_e2e_enabled alice']);
        expect(what(await historyOf('project-x'))).toEqual(['alice setEncrypted false→true endpoint']);
    });

    it('the chat door (the service account is the actor Rocket.Chat names): one record naming the person', async () => {
        await engine.fresh();
        await engine.command('alice', 'project-x', '/encrypt on');
        await engine.command('alice', 'project-x', '/settype public');
        expect(systemMessages('project-x').length).toBe(2);
        expect(what(await historyOf('project-x'))).toEqual(['alice setType p→c command', 'alice setEncrypted false→true command']);
    });

    it('the chat door\'s team conversion: one record naming the person, never a second one from its system message', async () => {
        await engine.fresh();
        await engine.command('alice', 'project-x', '/toteam');
        await engine.host.settled();
        expect(systemMessages('project-x')).toContain('user-converted-to-team group-admin.service');
        expect(what(await historyOf('project-x'))).toEqual(['alice convertToTeam false→true command']);
    });

    it('at once: app and Rocket.Chat changes of many rooms, each system message on record exactly once', async () => {
        const rooms = ['project-x', 'project-y', 'design'];
        await engine.fresh((fixture) => {
            withoutRateLimits(fixture);
            const alice = fixture.workspace.getUserByUsername('alice')?._id as string;
            for (const name of rooms.slice(1)) {
                fixture.workspace.addRoom({ name, t: 'p', owner: alice });
            }
        });
        const work: Array<Promise<unknown>> = [];
        for (const room of rooms) {
            work.push(engine.api('groups.setEncrypted', { roomName: room, encrypted: true }, 'alice'));
            work.push(engine.command('alice', room, '/encrypt off'));
            work.push(engine.reference('groups.setEncrypted', { roomName: room, encrypted: true }, 'alice'));
            work.push(engine.api('groups.setEncrypted', { roomName: room, encrypted: false }, 'alice'));
        }
        await Promise.all(work);
        for (const room of rooms) {
            const records = await historyOf(room);
            expect(systemMessages(room).length).toBeGreaterThan(0);
            // Every change Rocket.Chat reported is on record once, and nothing else is.
            expect(records).toHaveLength(systemMessages(room).length);
            expect(new Set(records.map((r) => r._id)).size).toBe(records.length);
            expect(records.every((r) => r.actor.username === 'alice')).toBe(true);
        }
    });
});
