/**
 * Single undo in chat (interface.md §8 "Undo"), in the real engine: `/encrypt undo`, `/settype undo`, `/toteam undo`
 * revert the room's newest recorded change of that setting as a new change of the person asking — every check, the
 * confirmation rules, the announcement, a record with `undoes` — and refuse when the room changed since, naming that
 * change. `/toteam undo` is Rocket.Chat's `teams.convertToChannel`, never with `roomsToRemove`.
 */
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { onlyModal, onlyReply } from '../ui/support.cjs';
import { text } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

const PX = 'project-x';

const reply = (username: string, roomName: string, line: string): Promise<string> => engine.reply(username, roomName, line);

interface Rec {
    _id: string;
    at: string;
    operation: string;
    from: unknown;
    to: unknown;
    door: string;
    undoes?: string;
    actor: { username: string };
}

/** The requests the app sends to Rocket.Chat while `action` runs, with their bodies. */
async function sentDuring(action: () => Promise<unknown>): Promise<Array<{ path: string; body: unknown }>> {
    const sent: Array<{ path: string; body: unknown }> = [];
    const handle = engine.workspace.handleHttp.bind(engine.workspace);
    engine.workspace.handleHttp = async (req) => {
        sent.push({ path: req.path, body: req.body });
        return handle(req);
    };
    try {
        await action();
    } finally {
        engine.workspace.handleHttp = handle;
    }
    return sent;
}

/** The room's history, newest first, as GET groups.history answers it to alice. */
async function history(room = PX): Promise<Rec[]> {
    const answer = await engine.host.callApi({ method: 'GET', path: 'groups.history', query: { roomName: room }, headers: engine.headersOf('alice') });
    expect(answer.status).toBe(200);
    return (answer.body as { history: Rec[] }).history;
}

describe('/encrypt undo', () => {
    it('turns off what /encrypt on turned on, says it decrypts nothing, and records undoes', async () => {
        await engine.fresh();
        expect(await reply('alice', PX, '/encrypt on')).toBe(text('en', 'done_encrypt_on', { room: PX }));
        const [on] = await history();
        expect(await reply('alice', PX, '/encrypt undo')).toBe(`${text('en', 'done_encrypt_off', { room: PX })} ${text('en', 'undo_encrypt_note')}`);
        expect(engine.workspace.getRoomByName(PX)?.encrypted).toBe(false);
        const [undo] = await history();
        expect(undo).toMatchObject({ operation: 'setEncrypted', from: true, to: false, door: 'command', undoes: on._id, actor: { username: 'alice' } });
    });

    it('nothing on record: says so, changes nothing', async () => {
        await engine.fresh();
        const before = engine.workspace.snapshot();
        expect(await reply('alice', PX, '/encrypt undo')).toBe(text('en', 'error_nothing_to_undo', { room: PX }));
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('a room changed where nothing was recorded (the app disabled): refused, nothing changed', async () => {
        await engine.fresh();
        await reply('alice', PX, '/encrypt on');
        await engine.host.disable();
        expect((await engine.reference('rooms.saveRoomSettings', { rid: engine.roomId(PX), encrypted: false }, 'admin')).status).toBe(200);
        expect(await engine.host.enable()).toBe(true);
        const before = engine.workspace.snapshot();
        expect(await reply('alice', PX, '/encrypt undo')).toBe(text('en', 'error_changed_outside_record', { room: PX }));
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('a member who may not read the history (no edit-room): what /encrypt history answers them, no change named, nothing on record not told', async () => {
        await engine.fresh();
        const refused = await reply('carol', PX, '/encrypt history');
        expect(refused).toBe(text('en', 'error_history_not_allowed', { room: PX }));
        // Nothing on record yet: the same answer (not "nothing to undo").
        expect(await reply('carol', PX, '/encrypt undo')).toBe(refused);
        await reply('alice', PX, '/encrypt on');
        await engine.host.disable();
        expect((await engine.reference('rooms.saveRoomSettings', { rid: engine.roomId(PX), encrypted: false }, 'admin')).status).toBe(200);
        expect(await engine.host.enable()).toBe(true);
        expect(await reply('bob', PX, '/settype public')).toBe(text('en', 'done_type_public', { room: PX }));
        const before = engine.workspace.snapshot();
        // A record on file, the room changed since: still the same answer, never the change since (who, when, how).
        expect(await reply('carol', PX, '/encrypt undo')).toBe(refused);
        expect(await reply('carol', PX, '/settype undo')).toBe(refused);
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('someone who cannot access the room gets its "not found"', async () => {
        await engine.fresh();
        await reply('alice', PX, '/encrypt on');
        expect(await reply('dave', 'general', `/encrypt undo #${PX}`)).toBe(await reply('dave', 'general', '/encrypt undo #no-such-room').then((s) => s.replace('no-such-room', PX)));
        expect(engine.workspace.getRoomByName(PX)?.encrypted).toBe(true);
    });
});

describe('/settype undo', () => {
    it('asks first (making a channel private is risky), then makes it private again, recorded with undoes', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const modal = onlyModal(await engine.command('alice', PX, '/settype public'));
        expect(onlyReply(await engine.host.submitView(modal, engine.userId('alice')))).toBe(text('en', 'done_type_public', { room: PX }));
        const [made] = await history();
        const undoModal = onlyModal(await engine.command('alice', PX, '/settype undo'));
        expect(engine.workspace.getRoomByName(PX)?.t).toBe('c');
        expect(onlyReply(await engine.host.submitView(undoModal, engine.userId('alice')))).toBe(text('en', 'done_type_private', { room: PX }));
        expect(engine.workspace.getRoomByName(PX)?.t).toBe('p');
        expect((await history())[0]).toMatchObject({ operation: 'setType', from: 'c', to: 'p', undoes: made._id });
        // The undo's confirmation is spent too.
        expect(onlyReply(await engine.host.submitView(undoModal, engine.userId('alice')))).toBe(text('en', 'confirm_spent'));
    });

    it('decided again on Confirm: a change made since the modal opened is named (who, when, how), nothing undone', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        await engine.host.submitView(onlyModal(await engine.command('alice', PX, '/settype public')), engine.userId('alice'));
        const undoModal = onlyModal(await engine.command('alice', PX, '/settype undo'));
        // Meanwhile the admin makes it private themselves (through the app: a record of the same setting).
        expect(onlyReply(await engine.host.submitView(onlyModal(await engine.command('admin', PX, '/settype private')), engine.userId('admin')))).toBe(
            text('en', 'done_type_private', { room: PX }),
        );
        const [since] = await history();
        const when = `${since.at.slice(0, 16).replace('T', ' ')} UTC`;
        const before = engine.workspace.snapshot();
        expect(onlyReply(await engine.host.submitView(undoModal, engine.userId('alice')))).toBe(text('en', 'error_changed_since', { room: PX, user: 'admin', when, how: '/settype' }));
        expect(engine.workspace.snapshot()).toBe(before);
    });
});

describe('/toteam undo', () => {
    it("Rocket.Chat's teams.convertToChannel, never roomsToRemove: the room stays, the team is gone", async () => {
        await engine.fresh();
        expect(await reply('alice', PX, '/toteam')).toBe(text('en', 'done_team', { room: PX }));
        const [made] = await history();
        const teamId = engine.workspace.getRoomByName(PX)?.teamId;
        const sent = await sentDuring(async () => expect(await reply('alice', PX, '/toteam undo')).toBe(text('en', 'done_unteam', { room: PX })));
        expect(sent.filter((call) => call.path === '/api/v1/teams.convertToChannel')).toEqual([{ path: '/api/v1/teams.convertToChannel', body: { teamId } }]);
        const room = engine.workspace.getRoomByName(PX);
        expect(room?.teamId).toBeUndefined();
        expect(room?.t).toBe('p');
        expect(engine.workspace.getTeamByMainRoomId(engine.roomId(PX))).toBeUndefined();
        expect((await history())[0]).toMatchObject({ operation: 'convertToTeam', from: true, to: false, undoes: made._id });
        expect(engine.workspace.getMessages(engine.roomId(PX)).map((m) => m.t)).toContain('user-converted-to-channel');
    });

    it("a moderator (edit-room: may read the history) without convert-team (Rocket.Chat's rule) is refused, and who can act instead is said", async () => {
        await engine.fresh();
        await reply('alice', PX, '/toteam');
        expect(await reply('bob', PX, '/toteam undo')).toBe(`${text('en', 'error_convert_team_not_allowed', { room: PX })} ${text('en', 'hint_not_allowed')}`);
        expect(engine.workspace.getTeamByMainRoomId(engine.roomId(PX))).toBeDefined();
    });
});

describe('POST groups.undo (the caller\'s credentials; Rocket.Chat decides)', () => {
    it("reverts with Rocket.Chat's rooms.saveRoomSettings as the caller, recorded with undoes", async () => {
        await engine.fresh();
        expect((await engine.api('groups.setEncrypted', { roomName: PX, encrypted: true }, 'alice')).status).toBe(200);
        const [on] = await history();
        engine.workspace.resetCounters();
        const answer = await engine.api('groups.undo', { roomName: PX, operation: 'setEncrypted' }, 'alice');
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { rid: engine.roomId(PX), success: true } });
        // The pre-check reads the live permission table (the chat doors' way); the change is the caller's one request.
        expect(engine.workspace.restCalls.map((call) => call.path).filter((path) => path !== '/api/v1/permissions.listAll')).toEqual(['/api/v1/rooms.saveRoomSettings']);
        expect(engine.workspace.getRoomByName(PX)?.encrypted).toBe(false);
        expect((await history())[0]).toMatchObject({ operation: 'setEncrypted', from: true, to: false, door: 'endpoint', undoes: on._id, actor: { username: 'alice' } });
        // Rocket.Chat's system message names the caller.
        expect(engine.workspace.getMessages(engine.roomId(PX)).filter((m) => m.t === 'room_e2e_disabled').map((m) => m.u.username)).toEqual(['alice']);
    });

    it('a team: teams.convertToChannel { teamId }, never roomsToRemove', async () => {
        await engine.fresh();
        expect((await engine.api('groups.convertToTeam', { roomName: PX }, 'alice')).status).toBe(200);
        const teamId = engine.workspace.getRoomByName(PX)?.teamId;
        let status = 0;
        const sent = await sentDuring(async () => {
            status = (await engine.api('groups.undo', { roomName: PX, operation: 'convertToTeam' }, 'alice')).status;
        });
        expect(status).toBe(200);
        expect(sent.filter((call) => call.path !== '/api/v1/permissions.listAll')).toEqual([{ path: '/api/v1/teams.convertToChannel', body: { teamId } }]);
        expect(engine.workspace.getRoomByName(PX)?.teamId).toBeUndefined();
    });

    it('someone who cannot access the room (and lacks view-room-administration): "not found", as for a missing room, nothing sent', async () => {
        await engine.fresh();
        await engine.api('groups.setEncrypted', { roomName: PX, encrypted: true }, 'alice');
        engine.workspace.resetCounters();
        const hidden = await engine.api('groups.undo', { roomName: PX, operation: 'setEncrypted' }, 'dave');
        const missing = await engine.api('groups.undo', { roomName: 'no-such-room', operation: 'setEncrypted' }, 'dave');
        expect(hidden.status).toBe(400);
        expect(JSON.stringify(hidden.body)).toBe(JSON.stringify(missing.body).replace('no-such-room', PX));
        expect(engine.workspace.restCalls.filter((call) => call.path !== '/api/v1/permissions.listAll')).toEqual([]);
        expect(engine.workspace.getRoomByName(PX)?.encrypted).toBe(true);
    });

    it('a member who may not read the history (no edit-room): what groups.history answers them, before any undo decision, nothing sent', async () => {
        await engine.fresh();
        const readHistoryAs = (username: string) => engine.host.callApi({ method: 'GET', path: 'groups.history', query: { roomName: PX }, headers: engine.headersOf(username) });
        const refused = await readHistoryAs('carol');
        expect(refused).toMatchObject({ status: 400, body: { success: false, errorType: 'error-action-not-allowed' } });
        const undoAs = (username: string) => engine.api('groups.undo', { roomName: PX, operation: 'setEncrypted' }, username);
        // Nothing on record: not told.
        const none = await undoAs('carol');
        expect({ status: none.status, body: none.body }).toEqual({ status: refused.status, body: refused.body });
        expect((await engine.api('groups.setEncrypted', { roomName: PX, encrypted: true }, 'alice')).status).toBe(200);
        await engine.host.disable();
        expect((await engine.reference('rooms.saveRoomSettings', { rid: engine.roomId(PX), encrypted: false }, 'admin')).status).toBe(200);
        expect(await engine.host.enable()).toBe(true);
        expect((await engine.api('groups.setType', { roomName: PX, type: 'c' }, 'bob')).status).toBe(200);
        engine.workspace.resetCounters();
        const answer = await undoAs('carol');
        expect({ status: answer.status, body: answer.body }).toEqual({ status: refused.status, body: refused.body });
        expect(JSON.stringify(answer.body)).not.toContain('bob');
        expect(engine.workspace.restCalls.filter((call) => call.path !== '/api/v1/permissions.listAll')).toEqual([]);
        // Whoever may read it still gets the undo decision (here: the change since, named).
        expect(await undoAs('alice')).toMatchObject({ status: 400, body: { errorType: 'error-room-changed-since' } });
    });

    it('bad input: an unknown operation is 400 error-invalid-params, nothing sent', async () => {
        await engine.fresh();
        const answer = await engine.api('groups.undo', { roomName: PX, operation: 'deleteRoom' }, 'alice');
        expect(answer).toMatchObject({ status: 400, body: { success: false, errorType: 'error-invalid-params' } });
    });
});
