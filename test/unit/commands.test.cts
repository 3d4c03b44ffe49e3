import type { IHttp } from '@rocket.chat/apps-engine/definition/accessors';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { ENCRYPT_SPEC } from '../../src/commands/encrypt';
import { SETTYPE_SPEC } from '../../src/commands/settype';
import { SlashCommand } from '../../src/commands/SlashCommand';
import { TOTEAM_SPEC } from '../../src/commands/toteam';
import type { CommandSpec } from '../../src/commands/runCommand';
import { CATALOG } from '../../src/i18n/catalog.generated';
import { TOKEN } from './fakes.cjs';
import type { FakeWorkspace } from './fakes.cjs';
import { fakeApp, standardWorkspace } from './helpers.cjs';

async function type(ws: FakeWorkspace, spec: CommandSpec<string>, userId: string, args: string[], roomId = 'g1'): Promise<string> {
    const command = new SlashCommand(fakeApp(ws), spec);
    const context = new SlashCommandContext(ws.user(userId), ws.room(roomId), args);
    const before = ws.notifications.length;
    await command.executor(context, ws.read(), ws.modify(), ws.http(), ws.persistence());
    expect(ws.notifications.length).toBe(before + 1);
    const { user, message } = ws.notifications[ws.notifications.length - 1];
    expect(user.id).toBe(userId);
    expect(message.room.id).toBe(roomId);
    expect(message.sender && message.sender.id).toBe('app-bot');
    return message.text || '';
}

const en = CATALOG.en;

/** `{{name}}` → params, as the app's translator does. */
const fill = (text: string, params: Record<string, string | number>): string => text.replace(/\{\{(\w+)\}\}/g, (_all, name: string) => String(params[name]));

/** The dry-run reply of a change: the heading, the plan's two lines, the warning. */
const dryRun = (plan: 'encrypt_on' | 'public' | 'team', params: Record<string, string | number>): string =>
    [
        en.plan_dryrun_heading,
        `• ${fill(en[`plan_${plan}_change`], params)}`,
        `• ${fill(en[`plan_${plan}_who`], params)}`,
        `⚠️ ${fill(en[`plan_${plan}_warning`], params)}`,
    ].join('\n');

describe('slash commands', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = standardWorkspace();
        // Changes act at once here; confirmation modals are tested in the engine (test/engine/ui).
        ws.appSettings.confirm_changes = false;
    });

    it('registers without a permission field and without previews', () => {
        const command = new SlashCommand(fakeApp(ws), ENCRYPT_SPEC);
        expect(command).toMatchObject({ command: 'encrypt', i18nDescription: 'command_encrypt_description', i18nParamsExample: 'command_encrypt_params', providesPreview: false });
        expect('permission' in command).toBe(false);
    });

    it('/encrypt on in the current room: one write, a short confirmation', async () => {
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['on'])).toBe('End-to-end encryption is now on for g1.');
        expect(ws.writes).toEqual([{ path: '/api/v1/rooms.saveRoomSettings', body: { rid: 'g1', encrypted: true } }]);
    });

    it('/encrypt alone and /encrypt status show the state and what the invoker may change, without the usage', async () => {
        const text = await type(ws, ENCRYPT_SPEC, 'mem', []);
        expect(text).toBe('End-to-end encryption is off for g1.\nYou cannot turn it on. You are not allowed to edit g1.');
        expect(await type(ws, ENCRYPT_SPEC, 'olga', [])).toBe('End-to-end encryption is off for g1.\nYou can turn it on: `/encrypt on`.');
        expect(await type(ws, ENCRYPT_SPEC, 'mem', ['status', '#g1'], 'g1')).toBe(text);
        expect(ws.writes).toEqual([]);
    });

    it('/encrypt help → the usage', async () => {
        expect(await type(ws, ENCRYPT_SPEC, 'mem', ['help'])).toBe(en.usage_encrypt);
    });

    it('an unknown word → what was wrong and where the usage is (findings §B10: not the whole usage), nothing changed', async () => {
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['maybe'])).toBe('I don\'t understand "maybe". Type `/encrypt help` for the usage.');
        expect(await type(ws, SETTYPE_SPEC, 'olga', ['public', 'g1', 'now'])).toBe('Too many arguments: "now" was not expected. Type `/settype help` for the usage.');
        expect(ws.writes).toEqual([]);
        expect(ws.calls.filter((c) => c.indexOf('http.') === 0)).toEqual([]);
    });

    it('an unknown room → not found and where the usage is', async () => {
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['on', '#nope'])).toBe('I couldn\'t find a private group "nope" that you can access. Type `/encrypt help` for the usage.');
    });

    it('a bare word is tried as a room id, then as a name', async () => {
        ws.addRoom({ _id: 'R1', name: 'other' }, [['olga', ['owner']]]);
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['on', 'R1'])).toBe('End-to-end encryption is now on for other.');
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['off', 'other'])).toBe('End-to-end encryption is now off for other.');
    });

    it('--dry-run → what would happen, nothing written', async () => {
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['--dry-run', 'on'])).toBe(dryRun('encrypt_on', { room: 'g1', members: 4 }));
        expect(await type(ws, ENCRYPT_SPEC, 'mo', ['on', '--dry-run'])).toBe(
            `Dry run: this would fail. You do not have permission to turn end-to-end encryption on or off in g1. ${en.hint_not_allowed}`,
        );
        expect(ws.writes).toEqual([]);
    });

    it('a failed check → its localized reason, and for a missing permission who can act instead (§B10)', async () => {
        expect(await type(ws, ENCRYPT_SPEC, 'mem', ['on'])).toBe(`You are not allowed to edit g1. ${en.hint_not_allowed}`);
    });

    it('/settype public|private|status', async () => {
        expect(await type(ws, SETTYPE_SPEC, 'olga', [])).toBe('g1 is a private group.\nYou can make it a public channel: `/settype public`.');
        expect(await type(ws, SETTYPE_SPEC, 'olga', ['public', '--dry-run'])).toBe(dryRun('public', { room: 'g1', members: 4 }));
        expect(await type(ws, SETTYPE_SPEC, 'olga', ['p'])).toBe('g1 is already a private group.');
        expect(await type(ws, SETTYPE_SPEC, 'olga', ['Public'])).toBe('g1 is now a public channel.');
        expect(await type(ws, SETTYPE_SPEC, 'olga', ['status'])).toMatch(
            /^g1 is a public channel\. Last change through Group Admin, \d{4}-\d\d-\d\d \d\d:\d\d UTC: @olga made this group public \(\/settype\)\.\nYou can make it a private group: `\/settype private`\.$/,
        );
        expect(await type(ws, SETTYPE_SPEC, 'olga', ['private'])).toBe('g1 is now a private group.');
        expect(ws.writes.map((w) => w.body.roomType)).toEqual(['c', 'p']);
    });

    it('/toteam converts; --dry-run tells the team name', async () => {
        expect(await type(ws, TOTEAM_SPEC, 'olga', ['--dry-run'])).toBe(dryRun('team', { room: 'g1', team: 'g1', members: 4 }));
        expect(await type(ws, TOTEAM_SPEC, 'olga', [])).toBe('g1 is now a private team, with you as its owner.');
        expect(await type(ws, TOTEAM_SPEC, 'olga', [])).toBe('g1 is already a team.');
    });

    it("Rocket.Chat's own refusal is explained", async () => {
        ws.addUser('g1');
        expect(await type(ws, TOTEAM_SPEC, 'olga', [])).toBe("A team or a user with the group's name already exists.");
        ws.fault = (method) => (method === 'post' ? { url: '', method: 'post' as never, statusCode: 400, data: { success: false, error: 'Something odd' } } : undefined);
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['on'])).toBe('Rocket.Chat refused the change: Something odd');
    });

    it("replies in the user's language, else the server's", async () => {
        ws.users.get('olga')!.language = 'de';
        ws.serverSettings.Language = 'pt-BR';
        // The announcement in a room that ends up encrypted needs unencrypted messages allowed (interface.md §9).
        ws.serverSettings.E2E_Allow_Unencrypted_Messages = true;
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['on'])).toBe('Die Ende-zu-Ende-Verschlüsselung ist jetzt für g1 eingeschaltet.');
        // The room's announcement is in the server's language, for everyone.
        expect(ws.posted.map((m) => m.text)).toEqual(['@olga ativou a criptografia de ponta a ponta nesta sala (/encrypt).']);
        expect(await type(ws, SETTYPE_SPEC, 'mem', [])).toBe(
            'g1 é um grupo privado.\nVocê não pode torná-lo um canal público. Você não tem permissão para editar g1.',
        );
        expect(await type(ws, SETTYPE_SPEC, 'mem', ['bogus'])).toContain('Não entendi "bogus".');
    });

    it('service failures: a localized reply and a warning, never the token', async () => {
        ws.appSettings.service_user_id = '';
        expect(await type(ws, ENCRYPT_SPEC, 'olga', ['on'])).toBe(en.error_app_not_configured);
        expect(ws.logs.some((l) => l.indexOf('warn') === 0 && l.indexOf('error-app-not-configured') >= 0)).toBe(true);
    });

    it('an unexpected error → a generic reply and a log line without the token; never thrown to the engine', async () => {
        const read = ws.read();
        const broken = {
            ...read,
            getRoomReader: () => ({
                ...read.getRoomReader(),
                getOwners: () => Promise.reject(new Error(`boom with ${TOKEN}`)),
            }),
        };
        // Warm the token into the app's settings memory, as a real call would.
        await type(ws, ENCRYPT_SPEC, 'mem', []);
        const command = new SlashCommand(fakeApp(ws), ENCRYPT_SPEC);
        await command.executor(new SlashCommandContext(ws.user('olga'), ws.room('g1'), ['on']), broken as never, ws.modify(), ws.http() as IHttp, ws.persistence());
        expect(ws.notifications[ws.notifications.length - 1].message.text).toBe(en.error_unexpected);
        const line = ws.logs[ws.logs.length - 1];
        expect(line).toContain('/encrypt failed: Error: boom with [redacted]');
        expect(line).not.toContain(TOKEN);
    });

    it('a failing reply is logged, not thrown', async () => {
        const modify = ws.modify();
        const failing = { ...modify, getNotifier: () => ({ notifyUser: () => Promise.reject(new Error('down')) }) };
        const command = new SlashCommand(fakeApp(ws), ENCRYPT_SPEC);
        await expect(command.executor(new SlashCommandContext(ws.user('olga'), ws.room('g1'), []), ws.read(), failing as never, ws.http(), ws.persistence())).resolves.toBeUndefined();
        expect(ws.logs[ws.logs.length - 1]).toContain('could not reply');
    });
});
