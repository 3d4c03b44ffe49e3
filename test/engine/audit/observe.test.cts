/**
 * The complete trail (interface.md §9, issue 16): changes made in Rocket.Chat itself reach the app as system messages
 * (`IPostSystemMessageSent`) and are recorded with `door: "rocket.chat"` and the actor Rocket.Chat names; a change
 * made through the app is recorded once, with the real person — never a second time from its system message, also
 * when changes run at once.
 */
import type { ChangeRecord } from '../../../src/history/store';
import type { RestResponse } from '../../../host/workspace/model.cjs';
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine, withoutRateLimits } from '../harness.cjs';

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

describe("a message of a watched type that does not agree with its room (another app's): not on record, the log says why", () => {
    /** Posts a message of `type` in `room` as `username`, the way another app may (its own message, any type). */
    async function postAsAnotherApp(room: string, type: string, username: string, text: string): Promise<Array<{ severity: string; text: string }>> {
        return engine.logLinesDuring(async () => {
            engine.workspace.sendMessageAs(engine.roomId(room), engine.userId(username), text, { t: type });
            await engine.host.settled();
        });
    }

    const notRecorded = (lines: Array<{ severity: string; text: string }>) => lines.filter((line) => / was not recorded: /.test(line.text));

    it('encryption: the room not in the state the message reports, or a text that is not the sender\'s username', async () => {
        await engine.fresh();
        // Not encrypted: "turned on by bob" does not agree.
        const on = notRecorded(await postAsAnotherApp('project-x', 'room_e2e_enabled', 'bob', 'bob'));
        expect(await historyOf('project-x')).toEqual([]);
        expect(on.map((line) => line.text)).toEqual([
            `the system message room_e2e_enabled in ${engine.roomId('project-x')} sent as @bob (${engine.userId('bob')}) was not recorded: the room's encryption is off`,
        ]);
        expect(on[0].severity).toBe('warning');
        expect((await engine.api('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice')).status).toBe(200);
        // Encrypted: "turned off by bob" does not agree; "turned on" whose text is not the sender's username does not either.
        expect(notRecorded(await postAsAnotherApp('project-x', 'room_e2e_disabled', 'bob', 'bob'))).toHaveLength(1);
        expect(notRecorded(await postAsAnotherApp('project-x', 'room_e2e_enabled', 'bob', 'alice'))).toHaveLength(1);
        expect(what(await historyOf('project-x'))).toEqual(['alice setEncrypted false→true endpoint']);
        // So undo is not refused for a change nobody made.
        expect((await engine.api('groups.undo', { roomName: 'project-x', operation: 'setEncrypted' }, 'alice')).status).toBe(200);
        expect(engine.workspace.getRoomByName('project-x')?.encrypted).toBe(false);
    });

    it("teams: converted to a team while no team's main room, converted back while still one", async () => {
        await engine.fresh();
        const lines = notRecorded(await postAsAnotherApp('project-x', 'user-converted-to-team', 'bob', 'project-x'));
        expect(await historyOf('project-x')).toEqual([]);
        expect(lines.map((line) => line.text.replace(/.* was not recorded: /, ''))).toEqual(["the room is not a team's main room"]);
        expect((await engine.api('groups.convertToTeam', { roomName: 'project-x' }, 'alice')).status).toBe(200);
        const back = notRecorded(await postAsAnotherApp('project-x', 'user-converted-to-channel', 'bob', 'project-x'));
        expect(what(await historyOf('project-x'))).toEqual(['alice convertToTeam false→true endpoint']);
        expect(back.map((line) => line.text.replace(/.* was not recorded: /, ''))).toEqual(['the room is in a team']);
    });

    it("Rocket.Chat's own messages still agree: recorded, nothing in the log", async () => {
        await engine.fresh();
        const lines = await engine.logLinesDuring(async () => {
            expect((await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice')).status).toBe(200);
            expect((await engine.reference('groups.convertToTeam', { roomName: 'project-x' }, 'alice')).status).toBe(200);
            expect((await engine.reference('teams.convertToChannel', { teamName: 'project-x' }, 'alice')).status).toBe(200);
            await engine.host.settled();
        });
        expect(notRecorded(lines)).toEqual([]);
        expect(what(await historyOf('project-x'))).toEqual([
            'alice convertToTeam true→false rocket.chat',
            'alice convertToTeam false→true rocket.chat',
            'alice setEncrypted false→true rocket.chat',
        ]);
    });
});
