/**
 * Confirmation, in the real engine (`confirm_changes` on): `/settype public`, `/encrypt off` and `/toteam` open a
 * modal with the command's trigger id that says, in the invoker's language, what will happen; only Confirm makes the
 * change — after every check ran again for whoever submits — and Cancel changes nothing. The safe directions act at
 * once, and with the setting off everything does. The modal and `--dry-run` show the same plan; a dry run leaves the
 * workspace byte-for-byte as it was.
 */
import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit';

import type { EngineUnderTest, Fixture } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { LANGUAGES, SIGNED, dryRunReply, expectedModalTexts, expectedPlan, modalTexts, nonceOf, onlyModal, onlyReply, text, unsigned } from './support.cjs';
import type { Language } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

/** A private encrypted group `vault`: alice owner, bob member. */
function addVault(f: Fixture): void {
    const alice = f.workspace.getUserByUsername('alice');
    const bob = f.workspace.getUserByUsername('bob');
    f.workspace.addRoom({ name: 'vault', t: 'p', owner: alice?._id ?? '', members: [bob?._id ?? ''], encrypted: true });
}

const confirmOn = (prepare?: (f: Fixture) => void): Promise<Fixture> => engine.fresh(prepare, { confirm_changes: true });

const type = (name: string) => engine.workspace.getRoomByName(name)?.t;

/** Opens the confirmation of `line` as `username` in `room` and returns the modal. */
async function openModal(username: string, room: string, line: string): Promise<IUIKitSurface> {
    return onlyModal(await engine.command(username, room, line));
}

describe('/settype public in a private group', () => {
    beforeEach(async () => {
        await confirmOn();
    });

    it('opens the modal with the trigger id, says who can find and read the history, and changes nothing yet', async () => {
        const before = engine.workspace.snapshot();
        const run = await engine.command('alice', 'project-x', '/settype public', 'trigger-42');
        const view = onlyModal(run);
        const interaction = run.deliveries[0].interaction as unknown as { type: string; triggerId: string };
        expect(interaction).toMatchObject({ type: 'modal.open', triggerId: 'trigger-42' });
        expect(run.deliveries[0].toUserId).toBe(engine.userId('alice'));
        expect(view).toMatchObject({ type: 'modal', appId: engine.host.id, notifyOnClose: true });
        expect(modalTexts(view)).toEqual(expectedModalTexts('en', 'public', { room: 'project-x', members: 3 }));
        expect(view.submit).toMatchObject({ actionId: 'confirm', style: 'danger' });
        expect(view.close).toMatchObject({ actionId: 'cancel' });
        // The modal carries the change and the room itself.
        expect(unsigned(view.id)).toBe(`group-admin.confirm/public/${engine.roomId('project-x')}/${engine.roomId('project-x')}/command/${nonceOf(view.id)}`);
        expect(view.id).toMatch(SIGNED);
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('Confirm makes it public and answers once, privately, where the command was typed', async () => {
        const view = await openModal('alice', 'project-x', '/settype public');
        const submitted = await engine.host.submitView(view, engine.userId('alice'));
        expect(submitted.response).toEqual({ success: true });
        expect(onlyReply(submitted)).toBe('project-x is now a public channel.');
        expect(submitted.deliveries[0]).toMatchObject({ toUserId: engine.userId('alice'), roomId: engine.roomId('project-x') });
        expect(type('project-x')).toBe('c');
        expect(engine.workspace.getMessages(engine.roomId('project-x')).some((m) => m.t === 'room_changed_privacy')).toBe(true);
    });

    it('Cancel leaves it private and says nothing', async () => {
        const view = await openModal('alice', 'project-x', '/settype public');
        const before = engine.workspace.snapshot();
        const closed = await engine.host.closeView(view, engine.userId('alice'));
        expect(closed.response).toEqual({ success: true });
        expect(closed.deliveries).toEqual([]);
        expect(engine.workspace.snapshot()).toBe(before);
        expect(type('project-x')).toBe('p');
    });

    it('permission lost between open and Confirm → refused, still private', async () => {
        const view = await openModal('alice', 'project-x', '/settype public');
        engine.workspace.setRoomRoles(engine.roomId('project-x'), engine.userId('alice'), []);
        const before = engine.workspace.snapshot();
        const submitted = await engine.host.submitView(view, engine.userId('alice'));
        expect(onlyReply(submitted)).toBe(`You are not allowed to edit project-x. ${text('en', 'hint_not_allowed')}`);
        expect(engine.workspace.snapshot()).toBe(before);
        expect(type('project-x')).toBe('p');
    });

    it('the modal grants nothing: submitted by a member who may not change the room → refused', async () => {
        const view = await openModal('alice', 'project-x', '/settype public');
        const submitted = await engine.host.submitView(view, engine.userId('carol'));
        expect(onlyReply(submitted)).toBe(`You are not allowed to edit project-x. ${text('en', 'hint_not_allowed')}`);
        expect(submitted.deliveries[0].toUserId).toBe(engine.userId('carol'));
        expect(type('project-x')).toBe('p');
    });

    it('a submitted view that is not a confirmation of the app changes nothing', async () => {
        const view = await openModal('alice', 'project-x', '/settype public');
        const before = engine.workspace.snapshot();
        for (const id of [
            'something-else',
            'group-admin.confirm/explode/x/y/command',
            `group-admin.confirm/public/${engine.roomId('project-x')}`,
            `group-admin.confirm/public/${engine.roomId('project-x')}/${engine.roomId('project-x')}/endpoint`,
            `${unsigned(view.id).replace('/command/', '/endpoint/')}/${view.id.slice(-64)}`,
            unsigned(view.id),
            `${view.id}/extra`,
        ]) {
            const submitted = await engine.host.submitView({ ...view, id }, engine.userId('alice'));
            expect(submitted.deliveries).toEqual([]);
        }
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('a failed check answers at once, without a modal', async () => {
        expect(onlyReply(await engine.command('carol', 'project-x', '/settype public'))).toBe(`You are not allowed to edit project-x. ${text('en', 'hint_not_allowed')}`);
        expect(onlyReply(await engine.command('alice', 'project-x', '/settype public old-stuff'))).toBe('The private group old-stuff is archived.');
    });

    it('a client that sends no trigger id gets the plan and nothing changes', async () => {
        const before = engine.workspace.snapshot();
        const reply = onlyReply(await engine.command('alice', 'project-x', '/settype public', ''));
        const plan = expectedPlan('en', 'public', { room: 'project-x', members: 3 });
        expect(reply).toBe([text('en', 'confirm_unavailable'), ...plan.lines.map((l) => `• ${l}`), `⚠️ ${plan.warning}`].join('\n'));
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('a room named in the command: the modal is about it, the answer comes where the command was typed', async () => {
        const view = await openModal('alice', 'general', '/settype public #project-x');
        expect(unsigned(view.id)).toBe(`group-admin.confirm/public/${engine.roomId('project-x')}/${engine.roomId('general')}/command/${nonceOf(view.id)}`);
        const submitted = await engine.host.submitView(view, engine.userId('alice'));
        expect(onlyReply(submitted)).toBe('project-x is now a public channel.');
        expect(submitted.deliveries[0].roomId).toBe(engine.roomId('general'));
        expect(type('project-x')).toBe('c');
    });
});

describe('/encrypt off and /toteam', () => {
    it('/encrypt off: messages already encrypted stay encrypted; Confirm turns it off, Cancel does not', async () => {
        await confirmOn(addVault);
        const view = await openModal('alice', 'vault', '/encrypt off');
        expect(modalTexts(view)).toEqual(expectedModalTexts('en', 'encrypt_off', { room: 'vault', members: 2 }));
        expect(modalTexts(view).blocks[1]).toContain('messages already encrypted stay encrypted');
        await engine.host.closeView(view, engine.userId('alice'));
        expect(engine.workspace.getRoomByName('vault')?.encrypted).toBe(true);
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe('End-to-end encryption is now off for vault.');
        expect(engine.workspace.getRoomByName('vault')?.encrypted).toBe(false);
    });

    it('/encrypt off where it is already off: nothing to confirm', async () => {
        await confirmOn();
        expect(onlyReply(await engine.command('alice', 'project-x', '/encrypt off'))).toBe(
            'End-to-end encryption was already off for project-x; nothing changed.',
        );
    });

    it('/toteam: the group becomes a team main room (the warning names /toteam undo); Confirm converts', async () => {
        await confirmOn();
        const view = await openModal('alice', 'project-x', '/toteam');
        expect(modalTexts(view)).toEqual(expectedModalTexts('en', 'team', { room: 'project-x', team: 'project-x', members: 3 }));
        expect(modalTexts(view).blocks[2]).toBe(`⚠️ ${text('en', 'plan_team_warning')}`);
        expect(modalTexts(view).blocks[2]).toContain('/toteam undo');
        expect(engine.workspace.getTeamByName('project-x')).toBeUndefined();
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe('project-x is now a private team, with you as its owner.');
        expect(engine.workspace.getRoomByName('project-x')).toMatchObject({ teamMain: true });
        expect(engine.workspace.getTeamByName('project-x')).toBeDefined();
    });

    it('a second Confirm of the same modal is spent (findings §C18); a new modal is checked again: already a team', async () => {
        await confirmOn();
        const view = await openModal('alice', 'project-x', '/toteam');
        const again = await openModal('alice', 'project-x', '/toteam');
        await engine.host.submitView(view, engine.userId('alice'));
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe(text('en', 'confirm_spent'));
        expect(onlyReply(await engine.host.submitView(again, engine.userId('alice')))).toBe('project-x is already a team.');
    });
});

describe('/settype private on a public channel: risky too (everyone else loses access)', () => {
    it('asks first with the plan of its dry run; Cancel keeps it public, Confirm makes it private', async () => {
        await confirmOn();
        const members = engine.workspace.getRoomByName('general')?.usersCount ?? 0;
        const view = await openModal('admin', 'general', '/settype private');
        expect(modalTexts(view)).toEqual(expectedModalTexts('en', 'private', { room: 'general', members }));
        expect(view.submit).toMatchObject({ actionId: 'confirm', style: 'danger' });
        const before = engine.workspace.snapshot();
        await engine.host.closeView(view, engine.userId('admin'));
        expect(engine.workspace.snapshot()).toBe(before);
        expect(type('general')).toBe('c');
        expect(onlyReply(await engine.host.submitView(view, engine.userId('admin')))).toBe('general is now a private group.');
        expect(type('general')).toBe('p');
    });
});

describe('what acts at once', () => {
    it('the safe direction, with confirm_changes on: /encrypt on', async () => {
        await confirmOn();
        expect(onlyReply(await engine.command('alice', 'project-x', '/encrypt on'))).toBe('End-to-end encryption is now on for project-x.');
    });

    it('everything, with confirm_changes off', async () => {
        await engine.fresh(addVault, { confirm_changes: false });
        expect(onlyReply(await engine.command('admin', 'general', '/settype private'))).toBe('general is now a private group.');
        expect(onlyReply(await engine.command('alice', 'project-x', '/settype public'))).toBe('project-x is now a public channel.');
        expect(onlyReply(await engine.command('alice', 'vault', '/encrypt off'))).toBe('End-to-end encryption is now off for vault.');
        expect(onlyReply(await engine.command('alice', 'eng-secrets', '/toteam'))).toBe('eng-secrets already belongs to a team.');
    });

    it('turning the setting on and off takes effect at once', async () => {
        await engine.fresh(undefined, { confirm_changes: false });
        await engine.host.setSettings({ confirm_changes: true });
        onlyModal(await engine.command('alice', 'project-x', '/settype public'));
        await engine.host.setSettings({ confirm_changes: false });
        expect(onlyReply(await engine.command('alice', 'project-x', '/settype public'))).toBe('project-x is now a public channel.');
    });
});

describe('dry runs: the plan of the modal, nothing changed', () => {
    it.each([
        ['alice', 'project-x', '/settype public', 'public', { room: 'project-x', members: 3 }],
        ['alice', 'vault', '/encrypt off', 'encrypt_off', { room: 'vault', members: 2 }],
        ['alice', 'project-x', '/toteam', 'team', { room: 'project-x', team: 'project-x', members: 3 }],
    ] as const)('%s: %s --dry-run answers the modal’s texts and leaves the workspace byte-for-byte unchanged', async (user, room, line, plan, params) => {
        await confirmOn(addVault);
        const before = engine.workspace.snapshot();
        const reply = onlyReply(await engine.command(user, room, `${line} --dry-run`));
        expect(engine.workspace.snapshot()).toBe(before);
        expect(reply).toBe(dryRunReply('en', plan, params));
        const view = await openModal(user, room, line);
        const shown = modalTexts(view).blocks;
        expect(reply.split('\n').slice(1)).toEqual([`• ${shown[0]}`, `• ${shown[1]}`, shown[2]]);
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('the safe directions plan too: who loses access when a public channel becomes private', async () => {
        await confirmOn();
        const before = engine.workspace.snapshot();
        const members = engine.workspace.getRoomByName('general')?.usersCount ?? 0;
        expect(onlyReply(await engine.command('admin', 'general', '/settype private --dry-run'))).toBe(dryRunReply('en', 'private', { room: 'general', members }));
        expect(dryRunReply('en', 'private', { room: 'general', members })).toContain('Everyone else in the workspace loses access');
        expect(onlyReply(await engine.command('alice', 'project-x', '/encrypt on --dry-run'))).toBe(dryRunReply('en', 'encrypt_on', { room: 'project-x', members: 3 }));
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('a failing dry run says which check fails, and changes nothing', async () => {
        await confirmOn();
        const before = engine.workspace.snapshot();
        expect(onlyReply(await engine.command('carol', 'project-x', '/toteam --dry-run'))).toBe(
            `Dry run: this would fail. You are not allowed to convert project-x into a team. ${text('en', 'hint_not_allowed')}`,
        );
        expect(engine.workspace.snapshot()).toBe(before);
    });
});

describe("the modal speaks the invoker's language", () => {
    it.each(LANGUAGES.filter((l) => l !== 'en'))('%s (server language)', async (language: Language) => {
        await confirmOn((f) => f.workspace.setSetting('Language', language));
        const view = await openModal('alice', 'project-x', '/settype public');
        expect(modalTexts(view)).toEqual(expectedModalTexts(language, 'public', { room: 'project-x', members: 3 }));
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe(text(language, 'done_type_public', { room: 'project-x' }));
    });

    it("the user's own preference wins, for the modal and for the answer to whoever confirms", async () => {
        await confirmOn((f) => {
            const hans = f.workspace.addUser({ username: 'hans', language: 'de' });
            const ana = f.workspace.addUser({ username: 'ana', language: 'es' });
            const group = f.workspace.getRoomByName('project-x')?._id ?? '';
            f.workspace.addMember(group, hans._id, ['owner']);
            f.workspace.addMember(group, ana._id, ['owner']);
        });
        const view = await openModal('hans', 'project-x', '/toteam');
        expect(modalTexts(view)).toEqual(expectedModalTexts('de', 'team', { room: 'project-x', team: 'project-x', members: 5 }));
        expect(onlyReply(await engine.host.submitView(view, engine.userId('ana')))).toBe(text('es', 'done_team', { room: 'project-x' }));
    });
});

/**
 * A client sends the view back on submit and could change its id. The id is signed when the modal opens (HMAC with a
 * per-install secret in the app's persistence), so a changed id — another room, another door, another change — is a
 * forged submit: nothing changes, nothing is counted, and the answer is the "not found" of the room it names, by id,
 * whatever that room is. A genuine modal submitted by someone who cannot access its room gets exactly the same.
 */
describe('forged and foreign submits', () => {
    /** vault (encrypted, alice owner, bob member); dave-room (dave owner); dave is in neither project-x nor vault. */
    function rooms(f: Fixture): void {
        addVault(f);
        f.workspace.addRoom({ name: 'dave-room', t: 'p', owner: f.workspace.getUserByUsername('dave')?._id ?? '', members: [] });
    }

    const notFound = (roomId: string): string => text('en', 'error_room_not_found', { room: roomId });

    const announcements = (room: string): string[] =>
        engine.workspace
            .getMessages(engine.roomId(room))
            .filter((m) => !m.t)
            .map((m) => m.msg ?? '');

    it('a changed view id (door, room, change) changes nothing, counts nothing, and answers "not found" by the id it names', async () => {
        await confirmOn(rooms);
        const dave = engine.userId('dave');
        const view = await openModal('dave', 'dave-room', '/settype public');
        const signature = view.id.slice(-64);
        const nonce = nonceOf(view.id);
        const own = engine.roomId('dave-room');
        const before = engine.workspace.snapshot();
        const forged: Array<[string, string]> = [
            // The door: it would go on record as a room button.
            [`group-admin.confirm/public/${own}/${own}/button/${nonce}/${signature}`, own],
            // Another room, hidden or not there: the same answer, by the id the forged view names.
            [`group-admin.confirm/public/${engine.roomId('project-x')}/${own}/command/${nonce}/${signature}`, engine.roomId('project-x')],
            [`group-admin.confirm/encrypt-off/${engine.roomId('vault')}/${own}/command/${nonce}/${signature}`, engine.roomId('vault')],
            [`group-admin.confirm/public/NoSuchRoom1234567/${own}/command/${nonce}/${signature}`, 'NoSuchRoom1234567'],
            // Another change, the signature of another view or none that could be.
            [`group-admin.confirm/team/${own}/${own}/command/${nonce}/${signature}`, own],
            [`${unsigned(view.id)}/${'0'.repeat(64)}`, own],
            [`${unsigned(view.id)}/not-a-signature`, own],
        ];
        for (let i = 0; i < 11; i++) {
            for (const [id, named] of forged) {
                const submitted = await engine.host.submitView({ ...view, id }, dave);
                expect(onlyReply(submitted)).toBe(notFound(named));
                expect(submitted.deliveries[0]).toMatchObject({ toUserId: dave, roomId: own });
            }
        }
        expect(engine.workspace.snapshot()).toBe(before);
        // Answered in the room the forged view names as its origin only when the person can access it, else not at all.
        const elsewhere = `group-admin.confirm/public/${engine.roomId('project-x')}/${engine.roomId('vault')}/command/${nonce}/${signature}`;
        expect((await engine.host.submitView({ ...view, id: elsewhere }, dave)).deliveries).toEqual([]);
        // Nothing was counted; the genuine view still works, and goes on record through the door that opened it.
        expect(onlyReply(await engine.host.submitView(view, dave))).toBe('dave-room is now a public channel.');
        expect(announcements('dave-room')).toEqual([text('en', 'announce_public', { user: 'dave', how: '/settype' })]);
    });

    it('a genuine modal submitted by someone who cannot access its room: eleven times "not found" by id, nothing counted', async () => {
        await confirmOn(rooms);
        const view = await openModal('alice', 'vault', '/encrypt off');
        const before = engine.workspace.snapshot();
        for (let i = 0; i < 11; i++) {
            expect(onlyReply(await engine.host.submitView(view, engine.userId('dave')))).toBe(notFound(engine.roomId('vault')));
        }
        expect(engine.workspace.snapshot()).toBe(before);
        expect(await engine.reply('dave', 'dave-room', '/encrypt on')).toBe('End-to-end encryption is now on for dave-room.');
        expect(onlyReply(await engine.host.submitView(view, engine.userId('alice')))).toBe('End-to-end encryption is now off for vault.');
    });
});
