/**
 * Issue 17 (findings-2026-12.md §B 6–10, §C 14/15/18), in the real engine against the in-memory workspace:
 * - §C14 an unaccepted invitation to a federated room is no access on every read path (status, history over chat
 *   and HTTP, buttons): the invitee gets exactly what someone without access gets;
 * - §C15 a non-member's chat-door change never waits in the room's serialization;
 * - §C18 a submitted confirmation is spent: a second submit of the same view changes nothing and says so;
 * - §B6–8 `/settype public` on a public channel, team main rooms in dry runs, status and plans (§B9, the 429's
 *   headers: test/engine/http/limits.test.cts);
 * - §B10 short replies to a typo or an unknown room, refusals that say what to do (where the rest of a history is:
 *   test/engine/history/history.test.cts).
 */
import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit';

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

const historyGet = (query: Record<string, string>, username: string) =>
    engine.host.callApi({ method: 'GET', path: 'groups.history', query, headers: engine.headersOf(username) });

/** project-x federated, with a pending invitation of `admin` (who holds edit-room everywhere). */
async function invitedAdmin(): Promise<string> {
    await engine.fresh(({ workspace }) => {
        const rid = workspace.getRoomByName(PX)?._id ?? '';
        workspace.markFederated(rid);
        workspace.inviteMember(rid, workspace.getUserByUsername('admin')?._id ?? '');
    });
    return engine.roomId(PX);
}

describe('§C14 an unaccepted invitation is no access on every read path', () => {
    it('status and history in chat: the invitee gets what dave (no access) gets, "not found" by the id', async () => {
        const rid = await invitedAdmin();
        for (const line of [`/encrypt status ${rid}`, `/settype status ${rid}`, `/encrypt history ${rid}`, `/settype history ${rid}`, `/toteam history ${rid}`]) {
            const invitee = await reply('admin', 'general', line);
            expect(invitee).toBe(await reply('dave', 'general', line));
            expect(invitee).not.toContain(PX);
        }
    });

    it('GET groups.history: the invitee gets the "not found" of a missing room', async () => {
        const rid = await invitedAdmin();
        const invitee = await historyGet({ roomId: rid }, 'admin');
        expect(invitee.status).toBe(400);
        expect(invitee.body).toEqual((await historyGet({ roomId: rid }, 'dave')).body);
        expect(JSON.stringify(invitee.body)).not.toContain(PX);
    });

    it('a room button clicked by the invitee: "not found" by the id, no modal, nothing changed', async () => {
        const rid = await invitedAdmin();
        const before = engine.workspace.snapshot();
        const run = await engine.host.clickButton('group-admin.encryption', engine.userId('admin'), rid);
        expect(onlyReply(run)).toBe(text('en', 'error_room_not_found', { room: rid }));
        expect(engine.workspace.snapshot()).toBe(before);
    });
});

describe('§C15 a non-member cannot hold a room busy through the chat doors', () => {
    it("while a member's change of the group hangs, a non-member's command on it is answered at once", async () => {
        await engine.fresh();
        engine.workspace.setFault('/api/v1/rooms.saveRoomSettings', { kind: 'timeout', times: 1 });
        const hanging = engine.command('alice', PX, '/encrypt on');
        await new Promise((resolve) => setTimeout(resolve, 500));
        const started = Date.now();
        const outsider = await reply('dave', 'general', `/encrypt on #${PX}`);
        const waited = Date.now() - started;
        expect(outsider).toContain(text('en', 'error_room_not_found', { room: PX }));
        expect(waited).toBeLessThan(3000);
        await hanging;
    }, 60000);

    it('a hidden group and a missing room cost the same calls', async () => {
        await engine.fresh();
        const calls = async (line: string) => {
            engine.host.resetCounters();
            engine.workspace.resetCounters();
            await reply('dave', 'general', line);
            return { bridge: engine.host.bridgeCalls(), rest: engine.workspace.restCalls.map((call) => call.path) };
        };
        await calls('/encrypt on #warm-up');
        expect(await calls(`/encrypt on #${PX}`)).toEqual(await calls('/encrypt on #no-such-room'));
    });
});

describe('§C18 a submitted confirmation is spent', () => {
    it('a second submit of the same view changes nothing, even after the room changed back, and says so', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const view: IUIKitSurface = onlyModal(await engine.command('alice', PX, '/settype public'));
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe(text('en', 'done_type_public', { room: PX }));
        expect((await engine.reference('channels.setType', { roomName: PX, type: 'p' }, 'admin')).status).toBe(200);
        const before = engine.workspace.snapshot();
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe(text('en', 'confirm_spent'));
        expect(engine.workspace.getRoomByName(PX)?.t).toBe('p');
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('two modals of the same change are two confirmations', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const first = onlyModal(await engine.command('alice', PX, '/settype public'));
        const second = onlyModal(await engine.command('alice', PX, '/settype public'));
        expect(first.id).not.toBe(second.id);
    });
});

describe('§B6–8', () => {
    it('/settype public on a public channel says it already is one (no usage)', async () => {
        await engine.fresh();
        expect(await reply('alice', 'general', '/settype public')).toBe(text('en', 'already_public_channel', { room: 'general' }));
        expect(await reply('alice', PX, '/settype public general')).toBe(text('en', 'already_public_channel', { room: 'general' }));
    });

    it("a team's main room: the chat dry run and the HTTP dry run agree with the real HTTP change", async () => {
        await engine.fresh();
        const real = await engine.api('groups.convertToTeam', { roomName: 'eng' }, 'alice');
        const dry = await engine.api('groups.convertToTeam', { roomName: 'eng', dryRun: true }, 'alice');
        expect({ status: dry.status, body: dry.body }).toEqual({ status: real.status, body: real.body });
        expect(await reply('alice', 'eng', '/toteam --dry-run')).toBe(text('en', 'dryrun_failed', { reason: text('en', 'error_already_team_main', { room: 'eng' }) }));
    });

    it("a team's main room is described as a team in status and plans", async () => {
        await engine.fresh();
        expect((await reply('alice', 'eng', '/settype status')).split('\n')[0]).toBe(text('en', 'status_type_private_team', { room: 'eng' }));
        expect(await reply('alice', 'eng', '/settype public --dry-run')).toContain(text('en', 'plan_public_team_change', { room: 'eng' }));
    });

});

describe('§B10 short replies that say what to do', () => {
    it('a typo: the problem and where the usage is, not the whole usage', async () => {
        await engine.fresh();
        const answer = await reply('alice', PX, '/encrypt of');
        expect(answer).toBe(`${text('en', 'parse_unknown_word', { word: 'of' })} ${text('en', 'hint_help', { command: '/encrypt' })}`);
        expect(answer.length).toBeLessThan(120);
    });

    it('an unknown room: not found and where the usage is', async () => {
        await engine.fresh();
        const answer = await reply('alice', PX, '/encrypt on #nope');
        expect(answer).toBe(`${text('en', 'error_room_not_found', { room: 'nope' })} ${text('en', 'hint_help', { command: '/encrypt' })}`);
        expect(answer.length).toBeLessThan(200);
    });

    it('a refusal says what to do instead', async () => {
        await engine.fresh();
        expect(await reply('carol', PX, '/encrypt on')).toBe(`${text('en', 'error_edit_room_not_allowed', { room: PX })} ${text('en', 'hint_not_allowed')}`);
    });
});
