/**
 * Status replies, in the real engine: `/encrypt status` and `/settype status` say, in two lines, the current state and
 * which change the invoker may make there (with the command, naming the room when it was not typed in it), or why
 * not — no usage paragraph. Nothing changes.
 */
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { onlyReply, text } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

beforeEach(async () => {
    await engine.fresh(undefined, { confirm_changes: true });
});

async function status(username: string, room: string, line: string): Promise<string> {
    const before = engine.workspace.snapshot();
    const reply = onlyReply(await engine.command(username, room, line));
    expect(engine.workspace.snapshot()).toBe(before);
    return reply;
}

describe('/encrypt status', () => {
    it('an owner may turn it on', async () => {
        expect(await status('alice', 'project-x', '/encrypt status')).toBe(
            `End-to-end encryption is off for project-x.\nYou can turn it on: \`/encrypt on\`.`,
        );
    });

    it('a moderator may not, and is told why', async () => {
        expect(await status('bob', 'project-x', '/encrypt')).toBe(
            `End-to-end encryption is off for project-x.\nYou cannot turn it on. You do not have permission to turn end-to-end encryption on or off in project-x.`,
        );
    });

    it('a member may not edit the room', async () => {
        expect(await status('carol', 'project-x', '/encrypt status')).toBe(
            `End-to-end encryption is off for project-x.\nYou cannot turn it on. You are not allowed to edit project-x.`,
        );
    });

    it('once on, the owner may turn it off', async () => {
        await engine.command('alice', 'project-x', '/encrypt on');
        const reply = await status('alice', 'project-x', '/encrypt status');
        expect(reply.split('\n')).toEqual([
            expect.stringMatching(
                /^End-to-end encryption is on for project-x\. Last change through Group Admin, \d{4}-\d\d-\d\d \d\d:\d\d UTC: @alice turned end-to-end encryption on for this room \(\/encrypt\)\.$/,
            ),
            'You can turn it off: `/encrypt off`.',
        ]);
    });

    it('E2E disabled on the workspace, an archived group', async () => {
        engine.workspace.setSetting('E2E_Enable', false);
        expect((await status('alice', 'project-x', '/encrypt status')).split('\n')[1]).toBe(
            'You cannot turn it on. End-to-end encryption is disabled on this workspace, so it cannot be turned on or off for project-x.',
        );
        expect((await status('alice', 'general', '/encrypt status old-stuff')).split('\n').slice(0, 2)).toEqual([
            'End-to-end encryption is off for old-stuff.',
            'You cannot turn it on. The private group old-stuff is archived.',
        ]);
    });

    it("in the invoker's language", async () => {
        engine.workspace.setSetting('Language', 'de');
        expect(await status('alice', 'project-x', '/encrypt status')).toBe(
            [text('de', 'status_encrypt_off', { room: 'project-x' }), text('de', 'status_may_encrypt_on', { command: '/encrypt on' })].join('\n'),
        );
    });
});

describe('/settype status', () => {
    it('a private group: owner and moderator may make it public, a member may not', async () => {
        const may = `project-x is a private group.\nYou can make it a public channel: \`/settype public\`.`;
        expect(await status('alice', 'project-x', '/settype status')).toBe(may);
        expect(await status('bob', 'project-x', '/settype')).toBe(may);
        expect(await status('carol', 'project-x', '/settype status')).toBe(
            `project-x is a private group.\nYou cannot make it a public channel. You are not allowed to edit project-x.`,
        );
    });

    it("a team's private room: its owner may make it public, a member may not", async () => {
        expect((await status('alice', 'eng-secrets', '/settype status')).split('\n')[1]).toBe('You can make it a public channel: `/settype public`.');
        expect((await status('bob', 'eng-secrets', '/settype status')).split('\n')[1]).toBe('You cannot make it a public channel. You are not allowed to edit eng-secrets.');
    });

    it('a public channel: an admin may make it private, a user may not', async () => {
        expect(await status('admin', 'general', '/settype status')).toBe(
            `general is a public channel.\nYou can make it a private group: \`/settype private\`.`,
        );
        expect(await status('dave', 'general', '/settype status')).toBe(
            `general is a public channel.\nYou cannot make it a private group. You are not allowed to edit general.`,
        );
    });

    it('a group the invoker cannot see reads like one that does not exist', async () => {
        expect(await status('dave', 'general', '/settype status project-x')).toBe(
            `I couldn't find a private group "project-x" that you can access. ${text('en', 'hint_help', { command: '/settype' })}`,
        );
    });
});

describe('a room other than the one typed in: every suggested command names it', () => {
    it('/encrypt status #eng-secrets typed in #general suggests `/encrypt on #eng-secrets`, never `/encrypt on`', async () => {
        expect(await status('alice', 'general', '/encrypt status #eng-secrets')).toBe(
            'End-to-end encryption is off for eng-secrets.\nYou can turn it on: `/encrypt on #eng-secrets`.',
        );
        expect(await status('alice', 'general', `/encrypt status ${engine.roomId('eng-secrets')}`)).toBe(
            'End-to-end encryption is off for eng-secrets.\nYou can turn it on: `/encrypt on #eng-secrets`.',
        );
        // Typed in the room itself, the bare command is the right one.
        expect(await status('alice', 'eng-secrets', '/encrypt status #eng-secrets')).toBe(
            'End-to-end encryption is off for eng-secrets.\nYou can turn it on: `/encrypt on`.',
        );
    });

    it('/settype status <room> names the room too, and the suggestion does what it says', async () => {
        expect(await status('alice', 'general', '/settype status project-x')).toBe(
            'project-x is a private group.\nYou can make it a public channel: `/settype public #project-x`.',
        );
        expect(await status('admin', 'project-x', '/settype status #general')).toBe(
            'general is a public channel.\nYou can make it a private group: `/settype private #general`.',
        );
        await engine.host.setSettings({ confirm_changes: false });
        expect(onlyReply(await engine.command('alice', 'general', '/settype public #project-x'))).toBe('project-x is now a public channel.');
        expect(engine.workspace.getRoomByName('general')?.t).toBe('c');
    });
});
