/**
 * The edge cases of rocketchat-semantics.md through `/encrypt`, `/settype` and `/toteam`, in the real engine, wherever
 * a command can express them (room as `#name`, `name`, id or the room typed in; synonyms; `--dry-run`): exactly one
 * ephemeral reply, to the invoker, in the room typed in, with the i18n text of the outcome; the resulting state is
 * the one Rocket.Chat's own endpoint leaves for the same case (but for §7.1's attribution); a rejection, a dry run,
 * a status, help and every wrong input change nothing.
 */
import type { CommandRun } from '../../../host/engine/EngineHost.cjs';
import { ALL_CASES, bodyOf } from './cases.cjs';
import type { Case, CommandForm, Reply } from './cases.cjs';
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { ephemeral, expectMessages, normalizedState, prepareRun, roomFields, runReference, text } from './support.cjs';
import type { Prepare } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

const PERMISSION_REFUSALS = [
    'error_edit_room_not_allowed',
    'error_e2e_toggle_not_allowed',
    'error_to_public_not_allowed',
    'error_team_room_to_public_not_allowed',
    'error_to_private_not_allowed',
    'error_team_room_to_private_not_allowed',
    'error_team_not_allowed',
];

const USAGE: Record<string, string> = { encrypt: 'usage_encrypt', settype: 'usage_settype', toteam: 'usage_toteam' };

function usageOf(line: string): string {
    const name = /^\/(\w+)/.exec(line)?.[1] ?? '';
    return text('en', USAGE[name]);
}

/** Where the usage is (findings §B10: a typo or an unknown room is answered without the whole usage). */
function helpOf(line: string): string {
    return text('en', 'hint_help', { command: /^\/\w+/.exec(line)?.[0] ?? '' });
}

/** The chat's answer to a failure: after a missing permission, who can act instead (findings §B10). */
function withHint(body: string, key: string): string {
    return PERMISSION_REFUSALS.includes(key) ? `${body} ${text('en', 'hint_not_allowed')}` : body;
}

/** The single reply of a run: one ephemeral message, to `username`, in the room typed in. */
function theReply(run: CommandRun, username: string, roomName: string): string {
    expect(run.error).toBeUndefined();
    expect(run.deliveries).toHaveLength(1);
    const [reply] = ephemeral(run.deliveries);
    expect(reply).toBeDefined();
    expect(reply.toUserId).toBe(engine.userId(username));
    expect(reply.roomId).toBe(engine.roomId(roomName));
    return reply.text ?? '';
}

function replyText(reply: Reply, line: string): string {
    const body = withHint(text('en', reply.key, reply.params), reply.key);
    return reply.usage ? `${body} ${helpOf(line)}` : body;
}

/** A `--dry-run` reply: the failure as a dry run, the unchanged note, or the plan's heading and change line. */
function expectDryRunReply(actual: string, reply: Reply, line: string): void {
    const params = reply.params ?? {};
    if (reply.key.startsWith('error_')) {
        const reason = text('en', reply.key, params);
        const failed = withHint(text('en', 'dryrun_failed', { reason }), reply.key);
        expect(actual).toBe(reply.usage ? `${failed} ${helpOf(line)}` : failed);
        return;
    }
    if (reply.key.startsWith('public_channel_')) {
        expect(actual).toBe(text('en', reply.key, params));
        return;
    }
    if (reply.key.startsWith('done_encrypt_unchanged_')) {
        expect(actual).toBe(text('en', reply.key.replace('done_', 'dryrun_'), params));
        return;
    }
    const change = {
        done_encrypt_on: 'plan_encrypt_on_change',
        done_encrypt_off: 'plan_encrypt_off_change',
        done_type_public: reply.teamMain ? 'plan_public_team_change' : 'plan_public_change',
        done_type_private: reply.teamMain ? 'plan_private_team_change' : 'plan_private_change',
        done_team: 'plan_team_change',
    }[reply.key];
    expect(change).toBeDefined();
    const lines = actual.split('\n');
    expect(lines[0]).toBe(text('en', 'plan_dryrun_heading'));
    expect(lines[1]).toBe(`• ${text('en', change ?? '', { ...params, team: params.room })}`);
}

/**
 * In chat, a public channel the invoker can access is not "not found" for `/encrypt` and `/toteam` (issue 11): the
 * reply says it is a public channel and that `/settype private` is the way to a private group — for the real command
 * and its dry run alike. The HTTP door keeps Rocket.Chat's `groups.*` answer.
 */
const PUBLIC_CHANNEL_REPLY: Record<string, string> = { 'groups.setEncrypted': 'public_channel_encrypt', 'groups.convertToTeam': 'public_channel_team' };

function inChat(c: Case & { command: CommandForm }): Case & { command: CommandForm } {
    const key = PUBLIC_CHANNEL_REPLY[c.endpoint];
    if (c.name !== 'a public channel' || !key) {
        return c;
    }
    return { ...c, command: { ...c.command, reply: { key, params: { room: 'general', command: '/settype private' }, usage: false } } };
}

/**
 * A room that is not found when the command names no room (typed in a direct message) is named by its id, as
 * every room the app reached without a name typed by the person (H3a: a reply never names a room reached by id).
 */
function namedById(command: CommandForm, line: string, idOf: (name: string) => string): Reply {
    const { reply } = command;
    const room = reply.params ? reply.params.room : undefined;
    if (reply.key !== 'error_room_not_found' || room !== command.in || line.includes(room)) {
        return reply;
    }
    return { ...reply, params: { ...reply.params, room: idOf(room) } };
}

const commandCases = ALL_CASES.filter((c): c is Case & { command: CommandForm } => !!c.command).map(inChat);

describe.each(['groups.setEncrypted', 'groups.setType', 'groups.convertToTeam'])('the cases of %s, typed in chat', (endpoint) => {
    const title = (line: CommandForm['line']): string => (typeof line === 'string' ? line : line((name) => `<id of ${name}>`));
    it.each(commandCases.filter((c) => c.endpoint === endpoint).map((c) => [title(c.command.line), c.name, c] as const))(
        '%s — %s',
        async (_line, _name, c) => {
            const prepared = await prepareRun(engine, c.user, c.prepare);
            // Compared with Rocket.Chat's own state below: the app's announcement (its bot's message, tested in
            // test/engine/history) is not part of that.
            await engine.host.setSettings({ announce_changes: false });
            const line = typeof c.command.line === 'function' ? c.command.line(prepared.idOf) : c.command.line;
            const expected = namedById(c.command, line, prepared.idOf);

            const dry = await engine.command(c.user, c.command.in, `${line} --dry-run`);
            expectDryRunReply(theReply(dry, c.user, c.command.in), expected, line);
            expect(engine.workspace.snapshot()).toBe(prepared.before);

            const run = await engine.command(c.user, c.command.in, line);
            expect(theReply(run, c.user, c.command.in)).toBe(replyText(expected, line));
            if (c.answer !== 'ok' || (c.appDecision !== undefined && c.appDecision !== 'ok')) {
                expect(engine.workspace.snapshot()).toBe(prepared.before);
                return;
            }
            // The same change as Rocket.Chat's own endpoint makes for this case.
            const body = bodyOf(c, prepared.idOf);
            // A public channel made private is `channels.setType` in Rocket.Chat (groups.setType finds no group).
            const toPrivate = c.endpoint === 'groups.setType' && (body as { type?: unknown }).type === 'p';
            const reference = toPrivate
                ? await prepared.twin.handle({ method: 'POST', path: '/api/v1/channels.setType', body, headers: prepared.headers })
                : await runReference(prepared, c.endpoint, body);
            expect(reference.status).toBe(200);
            expect(normalizedState(engine.workspace, prepared.beforeJson)).toEqual(normalizedState(prepared.twin, prepared.beforeJson));
            expectMessages(engine.workspace, prepared.beforeJson, c.messages);
        },
    );
});

describe('synonyms, any case', () => {
    it.each([
        ['/encrypt on', 'done_encrypt_on', undefined],
        ['/encrypt TRUE', 'done_encrypt_on', undefined],
        ['/encrypt Enable', 'done_encrypt_on', undefined],
        ['/encrypt yes', 'done_encrypt_on', undefined],
        ['/encrypt OFF', 'done_encrypt_off', roomFields('project-x', { encrypted: true })],
        ['/encrypt false', 'done_encrypt_off', roomFields('project-x', { encrypted: true })],
        ['/encrypt disable', 'done_encrypt_off', roomFields('project-x', { encrypted: true })],
        ['/encrypt No', 'done_encrypt_off', roomFields('project-x', { encrypted: true })],
        ['/settype public', 'done_type_public', undefined],
        ['/settype c', 'done_type_public', undefined],
        ['/settype PUBLIC', 'done_type_public', undefined],
    ] as const)('%s', async (line, key, prepare?: Prepare) => {
        await engine.fresh(prepare);
        const run = await engine.command('alice', 'project-x', line);
        expect(theReply(run, 'alice', 'project-x')).toBe(text('en', key, { room: 'project-x' }));
    });

    it.each(['/settype private', '/settype p', '/settype Private', '/settype P'])('%s (confirm_changes off)', async (line) => {
        await engine.fresh();
        const run = await engine.command('admin', 'general', line);
        expect(theReply(run, 'admin', 'general')).toBe(text('en', 'done_type_private', { room: 'general' }));
        expect(engine.workspace.getRoomByName('general')?.t).toBe('p');
    });
});

describe('room forms', () => {
    it.each([
        ['/encrypt on', 'project-x'],
        ['/encrypt on #project-x', 'general'],
        ['/encrypt on project-x', 'general'],
        ['/encrypt on <id>', 'general'],
        ['/encrypt --dry-run on', 'project-x'],
    ])('%s typed in %s acts on project-x', async (line, typedIn) => {
        await engine.fresh();
        const resolved = line.replace('<id>', engine.roomId('project-x'));
        const run = await engine.command('alice', typedIn, resolved);
        const reply = theReply(run, 'alice', typedIn);
        if (line.includes('--dry-run')) {
            expect(reply.split('\n')[1]).toBe(`• ${text('en', 'plan_encrypt_on_change', { room: 'project-x' })}`);
            expect(engine.workspace.getRoomByName('project-x')?.encrypted).toBeUndefined();
        } else {
            expect(reply).toBe(text('en', 'done_encrypt_on', { room: 'project-x' }));
            expect(engine.workspace.getRoomByName('project-x')?.encrypted).toBe(true);
        }
    });

    it('a bare word is a room id, else a name; `#` always means a name', async () => {
        await engine.fresh((fixture) => {
            const px = fixture.workspace.getRoomByName('project-x');
            const alice = fixture.workspace.getUserByUsername('alice');
            fixture.workspace.addRoom({ name: px?._id ?? '', t: 'p', owner: alice?._id ?? '' });
        });
        const id = engine.roomId('project-x');
        // A word that is one room's id and another room's name is refused as ambiguous (H3a), naming both ways.
        const run = await engine.command('alice', 'general', `/encrypt on ${id}`);
        expect(theReply(run, 'alice', 'general')).toContain("is one room's id and another room's name");
        expect(engine.workspace.getRoomByName('project-x')?.encrypted).toBeUndefined();
        expect(engine.workspace.getRoomByName(id)?.encrypted).toBeUndefined();
        // `#` always means a name.
        const byName = await engine.command('alice', 'general', `/encrypt on #${id}`);
        expect(theReply(byName, 'alice', 'general')).toBe(text('en', 'done_encrypt_on', { room: id }));
        expect(engine.workspace.getRoomByName(id)?.encrypted).toBe(true);
    });
});

describe('wrong input, status and help change nothing', () => {
    const nothingChanges: Array<[string, string, string, (line: string) => string]> = [
        ['alice', 'project-x', '/encrypt maybe', (line) => `${text('en', 'parse_unknown_word', { word: 'maybe' })} ${helpOf(line)}`],
        ['alice', 'project-x', '/encrypt on project-x now', (line) => `${text('en', 'parse_extra_words', { words: 'now' })} ${helpOf(line)}`],
        ['alice', 'project-x', '/encrypt on --force', (line) => `${text('en', 'parse_unknown_option', { option: '--force' })} ${helpOf(line)}`],
        ['alice', 'project-x', '/encrypt on #', (line) => `${text('en', 'parse_missing_room_name')} ${helpOf(line)}`],
        ['alice', 'project-x', '/settype sideways', (line) => `${text('en', 'parse_unknown_word', { word: 'sideways' })} ${helpOf(line)}`],
        ['alice', 'project-x', '/settype public a b', (line) => `${text('en', 'parse_extra_words', { words: 'b' })} ${helpOf(line)}`],
        ['alice', 'project-x', '/toteam project-x again', (line) => `${text('en', 'parse_extra_words', { words: 'again' })} ${helpOf(line)}`],
        ['alice', 'project-x', '/toteam --now', (line) => `${text('en', 'parse_unknown_option', { option: '--now' })} ${helpOf(line)}`],
        ['alice', 'general', '/encrypt on nope', (line) => `${text('en', 'error_room_not_found', { room: 'nope' })} ${helpOf(line)}`],
        ['alice', 'general', '/encrypt status nope', (line) => `${text('en', 'error_room_not_found', { room: 'nope' })} ${helpOf(line)}`],
        ['alice', 'general', '/settype status nope', (line) => `${text('en', 'error_room_not_found', { room: 'nope' })} ${helpOf(line)}`],
        ['alice', 'general', '/toteam nope', (line) => `${text('en', 'error_room_not_found', { room: 'nope' })} ${helpOf(line)}`],
        ['alice', 'project-x', '/encrypt help', (line) => usageOf(line)],
        ['alice', 'project-x', '/settype HELP', (line) => usageOf(line)],
        ['alice', 'project-x', '/toteam help', (line) => usageOf(line)],
    ];

    it.each(nothingChanges)('%s in %s: %s', async (username, typedIn, line, expected) => {
        await engine.fresh();
        const before = engine.workspace.snapshot();
        const run = await engine.command(username, typedIn, line);
        expect(theReply(run, username, typedIn)).toBe(expected(line));
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it.each([
        ['/encrypt', 'project-x', 'status_encrypt_off', 'project-x', 'usage_encrypt'],
        ['/encrypt status', 'project-x', 'status_encrypt_off', 'project-x', 'usage_encrypt'],
        ['/encrypt status #old-stuff', 'general', 'status_encrypt_off', 'old-stuff', 'usage_encrypt'],
        ['/settype', 'project-x', 'status_type_private', 'project-x', 'usage_settype'],
        ['/settype status general', 'project-x', 'status_type_public', 'general', 'usage_settype'],
        ['/settype STATUS', 'general', 'status_type_public', 'general', 'usage_settype'],
    ])('%s typed in %s shows the state in two lines, without the usage', async (line, typedIn, key, room, usage) => {
        await engine.fresh();
        const before = engine.workspace.snapshot();
        const run = await engine.command('alice', typedIn, line);
        const reply = theReply(run, 'alice', typedIn);
        const lines = reply.split('\n');
        expect(lines[0]).toBe(text('en', key, { room }));
        expect(lines).toHaveLength(2);
        expect(reply).not.toContain(text('en', usage));
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('status of an encrypted group', async () => {
        await engine.fresh(roomFields('project-x', { encrypted: true }));
        const run = await engine.command('carol', 'project-x', '/encrypt');
        expect(theReply(run, 'carol', 'project-x').split('\n')[0]).toBe(text('en', 'status_encrypt_on', { room: 'project-x' }));
    });

    it('status of a group the invoker cannot access: not found', async () => {
        await engine.fresh();
        const before = engine.workspace.snapshot();
        const run = await engine.command('dave', 'general', '/encrypt status project-x');
        expect(theReply(run, 'dave', 'general')).toBe(`${text('en', 'error_room_not_found', { room: 'project-x' })} ${text('en', 'hint_help', { command: '/encrypt' })}`);
        expect(engine.workspace.snapshot()).toBe(before);
    });
});

it('the same reply, and the same change, whatever is before or after --dry-run', async () => {
    await engine.fresh();
    const before = engine.workspace.snapshot();
    const replies: string[] = [];
    for (const line of ['/toteam --dry-run', '/toteam --DRY-RUN project-x', '/toteam project-x --dry-run', '/toteam --dry-run #project-x']) {
        replies.push(theReply(await engine.command('alice', 'project-x', line), 'alice', 'project-x'));
    }
    expect(new Set(replies).size).toBe(1);
    expect(replies[0].split('\n')[1]).toBe(`• ${text('en', 'plan_team_change', { room: 'project-x', team: 'project-x' })}`);
    expect(engine.workspace.snapshot()).toBe(before);
});

describe('a public channel the invoker can access, in chat: the truth, not "not found" (issue 11)', () => {
    it.each([
        ['admin', 'general', '/encrypt on', 'public_channel_encrypt', '/settype private'],
        ['admin', 'general', '/encrypt', 'public_channel_encrypt', '/settype private'],
        ['dave', 'general', '/encrypt status', 'public_channel_encrypt', '/settype private'],
        ['alice', 'project-x', '/encrypt off #general', 'public_channel_encrypt', '/settype private #general'],
        ['alice', 'project-x', '/encrypt on general --dry-run', 'public_channel_encrypt', '/settype private #general'],
        ['admin', 'general', '/toteam', 'public_channel_team', '/settype private'],
        ['alice', 'project-x', '/toteam #general', 'public_channel_team', '/settype private #general'],
    ])('%s in %s: %s', async (username, typedIn, line, key, command) => {
        await engine.fresh();
        const before = engine.workspace.snapshot();
        expect(theReply(await engine.command(username, typedIn, line), username, typedIn)).toBe(text('en', key, { room: 'general', command }));
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('a public channel the invoker cannot access (a team channel of a private team) keeps the not-found answer', async () => {
        await engine.fresh(({ workspace }) => {
            const alice = workspace.getUserByUsername('alice')?._id ?? '';
            const lounge = workspace.addRoom({ name: 'eng-lounge', t: 'c', owner: alice });
            workspace.addRoomToTeam(lounge._id, workspace.getTeamByName('eng')?._id ?? '');
        });
        const before = engine.workspace.snapshot();
        for (const line of ['/encrypt on #eng-lounge', '/encrypt status eng-lounge', '/toteam #eng-lounge']) {
            expect(theReply(await engine.command('dave', 'general', line), 'dave', 'general')).toBe(
                `${text('en', 'error_room_not_found', { room: 'eng-lounge' })} ${helpOf(line)}`,
            );
        }
        expect(engine.workspace.snapshot()).toBe(before);
    });
});
