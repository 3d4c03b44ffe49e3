/**
 * Room buttons, in the real engine: "Encryption", "Make public" / "Make private" and "Convert to team" are registered
 * as room actions (`ui.registerButtons`) for admins, owners and moderators in the rooms where they apply; a click
 * asks for the change the matching command would ask for — the same modal for the risky ones — and the server checks
 * everything again, whoever clicks.
 */
import { RoomTypeFilter } from '@rocket.chat/apps-engine/definition/ui/IUIActionButtonDescriptor';

import type { EngineUnderTest, Fixture } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { LANGUAGES, SIGNED, catalogs, expectedModalTexts, modalTexts, nonceOf, onlyModal, onlyReply, unsigned } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

const ENCRYPTION = 'group-admin.encryption';
const MAKE_PUBLIC = 'group-admin.make-public';
const MAKE_PRIVATE = 'group-admin.make-private';
const TO_TEAM = 'group-admin.convert-to-team';

const ROLES = ['admin', 'owner', 'moderator'];

/** A discussion of project-x (alice owner, carol member). */
function addDiscussion(f: Fixture): void {
    const alice = f.workspace.getUserByUsername('alice')?._id ?? '';
    const carol = f.workspace.getUserByUsername('carol')?._id ?? '';
    const parent = f.workspace.getRoomByName('project-x')?._id ?? '';
    f.workspace.addRoom({ name: 'd-plan', fname: 'Plan', t: 'p', owner: alice, members: [carol], prid: parent });
}

const click = (actionId: string, username: string, room: string) => engine.host.clickButton(actionId, engine.userId(username), engine.roomId(room));

const shown = async (username: string, room: string): Promise<string[]> =>
    (await engine.host.buttonsShown(engine.userId(username), engine.roomId(room))).map((b) => b.actionId).sort();

describe('registration', () => {
    beforeEach(async () => {
        await engine.fresh(undefined, { confirm_changes: true });
    });

    it('registers four room actions with room-type and role filters, labels in every language', async () => {
        const buttons = await engine.host.actionButtons();
        const byId = Object.fromEntries(buttons.map((b) => [b.actionId, b]));
        expect(Object.keys(byId).sort()).toEqual([TO_TEAM, ENCRYPTION, MAKE_PRIVATE, MAKE_PUBLIC].sort());
        const filters: Record<string, RoomTypeFilter[]> = {
            [ENCRYPTION]: [RoomTypeFilter.PRIVATE_CHANNEL, RoomTypeFilter.PRIVATE_TEAM, RoomTypeFilter.PRIVATE_DISCUSSION],
            [MAKE_PUBLIC]: [RoomTypeFilter.PRIVATE_CHANNEL, RoomTypeFilter.PRIVATE_TEAM],
            [MAKE_PRIVATE]: [RoomTypeFilter.PUBLIC_CHANNEL, RoomTypeFilter.PUBLIC_TEAM],
            [TO_TEAM]: [RoomTypeFilter.PRIVATE_CHANNEL],
        };
        for (const [actionId, roomTypes] of Object.entries(filters)) {
            expect(byId[actionId]).toMatchObject({ appId: engine.host.id, context: 'roomAction', when: { roomTypes, hasOneRole: ROLES } });
            for (const language of LANGUAGES) {
                expect(catalogs[language][byId[actionId].labelI18n]).toEqual(expect.any(String));
            }
        }
        expect(catalogs.en[byId[ENCRYPTION].labelI18n]).toBe('Encryption');
        expect(catalogs.en[byId[MAKE_PUBLIC].labelI18n]).toBe('Make public');
        expect(catalogs.en[byId[MAKE_PRIVATE].labelI18n]).toBe('Make private');
        expect(catalogs.en[byId[TO_TEAM].labelI18n]).toBe('Convert to team');
    });

    it('shows them to owners, moderators and admins where they apply, to nobody else', async () => {
        const group = [TO_TEAM, ENCRYPTION, MAKE_PUBLIC].sort();
        expect(await shown('alice', 'project-x')).toEqual(group); // owner
        expect(await shown('bob', 'project-x')).toEqual(group); // moderator
        expect(await shown('carol', 'project-x')).toEqual([]); // member
        expect(await shown('admin', 'general')).toEqual([MAKE_PRIVATE]); // admin, public channel
        expect(await shown('alice', 'general')).toEqual([]);
        // A private team's main room: Rocket.Chat's `private_channel` filter matches every `p` room, so "Convert to
        // team" shows there too (a click answers that it already is a team).
        expect(await shown('alice', 'eng')).toEqual([TO_TEAM, ENCRYPTION, MAKE_PUBLIC].sort());
    });
});

describe('clicks', () => {
    it('"Make public" opens the same modal as /settype public; Confirm makes it public', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const fromCommand = onlyModal(await engine.command('alice', 'project-x', '/settype public'));
        const clicked = await click(MAKE_PUBLIC, 'alice', 'project-x');
        expect(clicked.response).toEqual({ success: true });
        const view = onlyModal(clicked);
        // The same modal (the engine gives context texts random action ids), opened by the button.
        expect(view.id).toMatch(SIGNED);
        // Each modal has a nonce of its own (spent by its first submit).
        expect(unsigned(view.id).replace(/\/[0-9a-f]{32}$/, '')).toBe(unsigned(fromCommand.id).replace(/\/command\/[0-9a-f]{32}$/, '/button'));
        expect(modalTexts(view)).toEqual(modalTexts(fromCommand));
        expect([view.submit, view.close]).toEqual([fromCommand.submit, fromCommand.close]);
        expect(engine.workspace.getRoomByName('project-x')?.t).toBe('p');
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe('project-x is now a public channel.');
        expect(engine.workspace.getRoomByName('project-x')?.t).toBe('c');
    });

    it('"Encryption" turns it on at once (the safe direction), then asks before turning it off', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        expect(onlyReply(await click(ENCRYPTION, 'alice', 'project-x'))).toBe('End-to-end encryption is now on for project-x.');
        const view = onlyModal(await click(ENCRYPTION, 'alice', 'project-x'));
        expect(modalTexts(view)).toEqual(expectedModalTexts('en', 'encrypt_off', { room: 'project-x', members: 3 }));
        expect(engine.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe('End-to-end encryption is now off for project-x.');
        expect(engine.workspace.getRoomByName('project-x')?.encrypted).toBe(false);
    });

    it('"Encryption" in a discussion works on the discussion', async () => {
        await engine.fresh(addDiscussion, { confirm_changes: true });
        expect(await shown('alice', 'd-plan')).toEqual([TO_TEAM, ENCRYPTION, MAKE_PUBLIC].sort());
        expect(onlyReply(await click(ENCRYPTION, 'alice', 'd-plan'))).toBe('End-to-end encryption is now on for Plan.');
    });

    it('"Convert to team" opens the modal; Cancel changes nothing, Confirm converts', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const view = onlyModal(await click(TO_TEAM, 'bob', 'project-x'));
        expect(modalTexts(view)).toEqual(expectedModalTexts('en', 'team', { room: 'project-x', team: 'project-x', members: 3 }));
        const before = engine.workspace.snapshot();
        expect((await engine.host.closeView(view, engine.userId('bob'))).deliveries).toEqual([]);
        expect(engine.workspace.snapshot()).toBe(before);
        expect(onlyReply(await engine.host.submitView(view, engine.userId('bob')))).toBe('project-x is now a private team, with you as its owner.');
        expect(engine.workspace.getRoomByName('project-x')?.teamMain).toBe(true);
    });

    it('"Make private" opens the modal like the command (everyone else loses access); Confirm makes it private', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const members = engine.workspace.getRoomByName('general')?.usersCount ?? 0;
        const view = onlyModal(await click(MAKE_PRIVATE, 'admin', 'general'));
        expect(modalTexts(view)).toEqual(expectedModalTexts('en', 'private', { room: 'general', members }));
        expect(unsigned(view.id)).toBe(`group-admin.confirm/private/${engine.roomId('general')}/${engine.roomId('general')}/button/${nonceOf(view.id)}`);
        expect(view.id).toMatch(SIGNED);
        expect(engine.workspace.getRoomByName('general')?.t).toBe('c');
        expect(onlyReply(await engine.host.submitView(view, engine.userId('admin')))).toBe('general is now a private group.');
        expect(engine.workspace.getRoomByName('general')?.t).toBe('p');
    });

    it('with confirm_changes off, "Make private" acts at once', async () => {
        await engine.fresh(undefined, { confirm_changes: false });
        expect(onlyReply(await click(MAKE_PRIVATE, 'admin', 'general'))).toBe('general is now a private group.');
        expect(engine.workspace.getRoomByName('general')?.t).toBe('p');
    });

    it('with confirm_changes off, "Make public" acts at once', async () => {
        await engine.fresh(undefined, { confirm_changes: false });
        expect(onlyReply(await click(MAKE_PUBLIC, 'alice', 'project-x'))).toBe('project-x is now a public channel.');
    });

    it('"Convert to team" in a team\'s main room: already a team', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        expect(onlyReply(await click(TO_TEAM, 'alice', 'eng'))).toBe('eng is already a team.');
    });

    it('a click the menu would not offer (a plain member) is checked on the server: refused, nothing changed, no modal', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const before = engine.workspace.snapshot();
        for (const actionId of [MAKE_PUBLIC, ENCRYPTION, TO_TEAM]) {
            const text = onlyReply(await click(actionId, 'carol', 'project-x'));
            expect(text).toMatch(/^You are not allowed to (edit|convert) project-x/);
        }
        // Not a private group: the answer of a group that does not exist, as for the command.
        // A room reached by a click is named by its id (H3a: a reply never names a room reached by id).
        expect(onlyReply(await click(MAKE_PUBLIC, 'alice', 'general'))).toBe(`I couldn't find a private group "${engine.roomId('general')}" that you can access.`);
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it("answers in the clicker's language", async () => {
        await engine.fresh((f) => f.workspace.setSetting('Language', 'pt-BR'), { confirm_changes: true });
        const view = onlyModal(await click(MAKE_PUBLIC, 'alice', 'project-x'));
        expect(modalTexts(view)).toEqual(expectedModalTexts('pt-BR', 'public', { room: 'project-x', members: 3 }));
    });

    it('an unknown button changes nothing and answers nothing', async () => {
        await engine.fresh(undefined, { confirm_changes: true });
        const before = engine.workspace.snapshot();
        const run = await click('someone-else.button', 'alice', 'project-x');
        expect(run.deliveries).toEqual([]);
        expect(engine.workspace.snapshot()).toBe(before);
    });
});

/**
 * Forged clicks: a client can send an `actionButton` interaction naming any room. A room the clicker cannot access is
 * answered "not found" by its id before anything else — no change is chosen from the room's own state (the
 * Encryption button picks on/off from `encrypted`), nothing is counted by the rate limit, no modal opens — so the
 * answers are the same whatever the hidden room is and however often it is clicked.
 */
describe('a forged click on a room the clicker cannot access', () => {
    /** dave is in none of: project-x (not encrypted), vault (encrypted), eng-news (a public channel of the private
     * team eng); dave owns his own group dave-room. */
    function hiddenRooms(f: Fixture): void {
        const alice = f.workspace.getUserByUsername('alice')?._id ?? '';
        const dave = f.workspace.getUserByUsername('dave')?._id ?? '';
        f.workspace.addRoom({ name: 'vault', t: 'p', owner: alice, members: [], encrypted: true });
        const news = f.workspace.addRoom({ name: 'eng-news', t: 'c', owner: alice, members: [] });
        const team = f.workspace.getTeamByMainRoomId(f.workspace.getRoomByName('eng')?._id ?? '');
        f.workspace.addRoomToTeam(news._id, team?._id ?? '');
        f.workspace.addRoom({ name: 'dave-room', t: 'p', owner: dave, members: [] });
    }

    const notFound = (room: string): string => `I couldn't find a private group "${engine.roomId(room)}" that you can access.`;

    it.each([
        ['Encryption', 'project-x', true, ENCRYPTION],
        ['Encryption', 'vault', true, ENCRYPTION],
        ['Make public', 'project-x', false, MAKE_PUBLIC],
        ['Convert to team', 'project-x', false, TO_TEAM],
        ['Make private', 'eng-news', false, MAKE_PRIVATE],
        ['Encryption', 'project-x', false, ENCRYPTION],
        ['Encryption', 'vault', false, ENCRYPTION],
    ])('%s in %s (confirm_changes %s): eleven clicks, eleven times the same "not found" by id, nothing counted or changed', async (_label, name, confirm, actionId) => {
        await engine.fresh(hiddenRooms, { confirm_changes: confirm });
        const before = engine.workspace.snapshot();
        for (let i = 0; i < 11; i++) {
            expect(onlyReply(await click(actionId, 'dave', name))).toBe(notFound(name));
        }
        expect(engine.workspace.snapshot()).toBe(before);
        // Nothing was counted: dave's own change of the same kind still runs (the limit is 10 per 60 s).
        const own = actionId === MAKE_PRIVATE ? MAKE_PUBLIC : actionId;
        const reply = onlyReply(await click(own, 'dave', 'dave-room'));
        expect(reply).not.toMatch(/Too many/i);
        expect(reply).toMatch(/dave-room/);
    });
});
