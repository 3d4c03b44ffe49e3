/**
 * Accountability, in the real engine (interface.md §7, issue 10): a change made from chat is announced in the room by
 * the app's bot, in the server's language, naming the person and how (`announce_changes`); every change made through
 * the app — chat or HTTP — is recorded in the app's persistence, in order; `/… history`, `status` and
 * `GET groups.history` read it, for whoever may change the room's settings only.
 */
import type { ChangeRecord } from '../../../src/history/store';
import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit';

import type { RestResponse } from '../../../host/workspace/model.cjs';
import type { EngineUnderTest, Fixture } from '../harness.cjs';
import { useEngine, withoutRateLimits } from '../harness.cjs';
import { LANGUAGES, catalogs, onlyModal, onlyReply, text } from '../ui/support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

/**
 * The bot's announcements in rooms that end up encrypted need the workspace to allow unencrypted messages
 * (interface.md §9; the rule itself is tested in test/engine/audit/inert.test.cts): allowed in every test here.
 */
function allowBots(fixture: Fixture, more?: (fixture: Fixture) => void): void {
    fixture.workspace.setSetting('E2E_Allow_Unencrypted_Messages', true);
    more?.(fixture);
}

/** The messages the app's bot posted in a room (not system messages), oldest first. */
function announcements(room: string): string[] {
    return engine.workspace
        .getMessages(engine.roomId(room))
        .filter((m) => !m.t && m.u.username.endsWith('.bot'))
        .map((m) => m.msg);
}

type HistoryRecord = ChangeRecord;

interface HistoryBody {
    history: HistoryRecord[];
    offset: number;
    count: number;
    total: number;
    success: boolean;
}

async function getHistory(username: string, query: Record<string, string>): Promise<RestResponse> {
    return engine.host.callApi({ method: 'GET', path: 'groups.history', query, headers: engine.headersOf(username) });
}

/** The room's history as its owner alice reads it over HTTP, newest first. */
async function historyOf(room: string, username = 'alice'): Promise<HistoryRecord[]> {
    const response = await getHistory(username, { roomName: room });
    expect(response.status).toBe(200);
    return (response.body as HistoryBody).history;
}

const what = (records: HistoryRecord[]) => records.map((r) => `${r.actor.username} ${r.operation} ${String(r.from)}→${String(r.to)} ${r.door}`);

/** Many changes in a row by one person: the workspace's rate limiter off. */

describe('the announcement', () => {
    it('after a command: one visible message by the bot, naming the person and the change; one record', async () => {
        await engine.fresh(allowBots);
        expect(onlyReply(await engine.command('alice', 'project-x', '/settype public'))).toBe('project-x is now a public channel.');
        expect(announcements('project-x')).toEqual(['@alice made this group public (/settype).']);
        const records = await historyOf('project-x');
        expect(records).toHaveLength(1);
        expect(records[0]).toEqual({
            _id: expect.stringMatching(/^[0-9a-f]{24}$/),
            roomId: engine.roomId('project-x'),
            roomName: 'project-x',
            operation: 'setType',
            from: 'p',
            to: 'c',
            actor: { _id: engine.userId('alice'), username: 'alice' },
            door: 'command',
            at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        });
    });

    it.each([
        ['/encrypt on', 'project-x', 'alice', '@alice turned end-to-end encryption on for this room (/encrypt).'],
        ['/toteam', 'project-x', 'alice', '@alice converted this group into a team (/toteam).'],
        ['/settype private', 'general', 'admin', '@admin made this channel private (/settype).'],
    ])('%s in %s', async (line, room, username, expected) => {
        await engine.fresh(allowBots);
        await engine.command(username, room, line);
        expect(announcements(room)).toEqual([expected]);
    });

    it("in the server's language, whatever the person's own", async () => {
        await engine.fresh((f) => {
            allowBots(f);
            f.workspace.setSetting('Language', 'de');
            const ana = f.workspace.addUser({ username: 'ana', language: 'es' });
            f.workspace.addMember(f.workspace.getRoomByName('project-x')?._id ?? '', ana._id, ['owner']);
        });
        expect(onlyReply(await engine.command('ana', 'project-x', '/encrypt on'))).toBe(text('es', 'done_encrypt_on', { room: 'project-x' }));
        expect(announcements('project-x')).toEqual([text('de', 'announce_encrypt_on', { user: 'ana', how: '/encrypt' })]);
    });

    it('a room button says so; a modal counts as the door that opened it', async () => {
        await engine.fresh(allowBots, { confirm_changes: true });
        const view = onlyModal(await engine.host.clickButton('group-admin.make-public', engine.userId('alice'), engine.roomId('project-x')));
        await engine.host.submitView(view, engine.userId('alice'));
        const byCommand = onlyModal(await engine.command('alice', 'project-x', '/settype private'));
        await engine.host.submitView(byCommand, engine.userId('alice'));
        expect(announcements('project-x')).toEqual(['@alice made this group public (room button).', '@alice made this channel private (/settype).']);
        expect(what(await historyOf('project-x'))).toEqual(['alice setType c→p command', 'alice setType p→c button']);
    });

    it('nothing for a dry run, a refusal, a cancelled modal, or a change that changes nothing', async () => {
        await engine.fresh(allowBots, { confirm_changes: true });
        await engine.command('alice', 'project-x', '/settype public --dry-run');
        await engine.command('carol', 'project-x', '/settype public');
        const view = onlyModal(await engine.command('alice', 'project-x', '/settype public'));
        await engine.host.closeView(view, engine.userId('alice'));
        expect(onlyReply(await engine.command('alice', 'project-x', '/encrypt off'))).toBe(text('en', 'done_encrypt_unchanged_off', { room: 'project-x' }));
        expect(announcements('project-x')).toEqual([]);
        expect(await historyOf('project-x')).toEqual([]);
    });

    it('announce_changes off: no message, the change is still recorded', async () => {
        await engine.fresh(allowBots, { announce_changes: false });
        await engine.command('alice', 'project-x', '/encrypt on');
        expect(announcements('project-x')).toEqual([]);
        expect(what(await historyOf('project-x'))).toEqual(['alice setEncrypted false→true command']);
        await engine.host.setSettings({ announce_changes: true });
        await engine.command('alice', 'project-x', '/encrypt off');
        expect(announcements('project-x')).toEqual(['@alice turned end-to-end encryption off for this room (/encrypt).']);
    });
});

describe('the announce_changes setting', () => {
    it('is provided, on by default, with a translated label and description', async () => {
        await engine.fresh(allowBots);
        const setting = engine.host.settings().announce_changes;
        expect(setting).toMatchObject({ type: 'boolean', packageValue: true, i18nLabel: 'setting_announce_changes_label', i18nDescription: 'setting_announce_changes_description' });
        for (const language of LANGUAGES) {
            expect(catalogs[language].setting_announce_changes_label).toEqual(expect.any(String));
            expect(catalogs[language].setting_announce_changes_description).toEqual(expect.any(String));
        }
        expect(new Set(LANGUAGES.map((l) => catalogs[l].setting_announce_changes_label)).size).toBe(LANGUAGES.length);
    });

    it.each(LANGUAGES.filter((l) => l !== 'en'))('every announcement in %s (server language)', async (language) => {
        await engine.fresh((f) => {
            allowBots(f);
            f.workspace.setSetting('Language', language);
            withoutRateLimits(f);
        });
        await engine.command('alice', 'project-x', '/encrypt on');
        await engine.command('alice', 'project-x', '/encrypt off');
        await engine.command('alice', 'project-x', '/settype public');
        await engine.command('admin', 'project-x', '/settype private');
        await engine.command('alice', 'project-x', '/toteam');
        expect(announcements('project-x')).toEqual([
            text(language, 'announce_encrypt_on', { user: 'alice', how: '/encrypt' }),
            text(language, 'announce_encrypt_off', { user: 'alice', how: '/encrypt' }),
            text(language, 'announce_public', { user: 'alice', how: '/settype' }),
            text(language, 'announce_private', { user: 'admin', how: '/settype' }),
            text(language, 'announce_team', { user: 'alice', how: '/toteam' }),
        ]);
        expect(new Set(announcements('project-x')).size).toBe(5);
    });
});

describe('two people confirm at once', () => {
    it('the same change: made once, one announcement, one record; the other is told it is already done (or that the view was used)', async () => {
        await engine.fresh(allowBots, { confirm_changes: true });
        const view: IUIKitSurface = onlyModal(await engine.command('alice', 'project-x', '/toteam'));
        const runs = await Promise.all([engine.host.submitView(view, engine.userId('alice')), engine.host.submitView(view, engine.userId('bob'))]);
        expect(runs.map((run) => run.error)).toEqual([undefined, undefined]);
        // Runs at the same time see each other's deliveries: one private answer to each of them.
        const replies = new Map(runs.flatMap((run) => run.deliveries).map((d) => [d.toUserId, d.text]));
        expect(replies.size).toBe(2);
        // The other is told the view was used already (it is spent by the first submit, findings §C18) or, when both
        // passed that check at once, that the room already is a team (every check runs again).
        const answers = [...replies.values()];
        expect(answers).toContain('project-x is now a private team, with you as its owner.');
        expect(answers.filter((a) => a !== 'project-x is now a private team, with you as its owner.')).toEqual([
            expect.stringMatching(/^(project-x is already a team\.|This confirmation was already used, so nothing was changed\. Ask for the change again to get a new one\.)$/),
        ]);
        expect(announcements('project-x')).toHaveLength(1);
        expect(await historyOf('project-x')).toHaveLength(1);
    });

    it('different changes of one room at once: each made, announced and recorded once, in the order they were made', async () => {
        await engine.fresh(allowBots, { confirm_changes: true });
        const toPublic = onlyModal(await engine.command('alice', 'project-x', '/settype public'));
        const [, , encrypted] = await Promise.all([
            engine.host.submitView(toPublic, engine.userId('alice')),
            engine.host.submitView(toPublic, engine.userId('bob')),
            engine.command('alice', 'project-x', '/encrypt on'),
        ]);
        expect(encrypted.error).toBeUndefined();
        const records = await historyOf('project-x');
        const made = announcements('project-x');
        expect(made).toHaveLength(records.length);
        expect(records.filter((r) => r.operation === 'setType')).toHaveLength(1);
        // Newest first in the history, oldest first in the room.
        expect(records.map((r) => r.actor.username + ':' + r.operation).reverse()).toEqual(
            made.map((m) => (m.includes('public') ? 'alice:setType' : 'alice:setEncrypted')),
        );
        const times = records.map((r) => Date.parse(r.at));
        expect([...times].sort((a, b) => b - a)).toEqual(times);
    });
});

describe('one history for every door', () => {
    it('chat and HTTP changes, in the order they happened', async () => {
        await engine.fresh((f) => allowBots(f, withoutRateLimits));
        await engine.command('alice', 'project-x', '/encrypt on');
        const http = await engine.api('groups.setEncrypted', { roomName: 'project-x', encrypted: false }, 'alice');
        expect(http.status).toBe(200);
        await engine.host.clickButton('group-admin.encryption', engine.userId('alice'), engine.roomId('project-x'));
        const httpType = await engine.api('groups.setType', { roomName: 'project-x', type: 'c' }, 'alice');
        expect(httpType.status).toBe(200);
        expect(what(await historyOf('project-x'))).toEqual([
            'alice setType p→c endpoint',
            'alice setEncrypted false→true button',
            'alice setEncrypted true→false endpoint',
            'alice setEncrypted false→true command',
        ]);
        // HTTP changes are Rocket.Chat's own (its system message names the caller): no announcement for them.
        expect(announcements('project-x')).toEqual([
            '@alice turned end-to-end encryption on for this room (/encrypt).',
            '@alice turned end-to-end encryption on for this room (room button).',
        ]);
    });

    it('a failed HTTP change and an HTTP dry run record nothing', async () => {
        await engine.fresh(allowBots);
        expect((await engine.api('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'carol')).status).toBe(400);
        expect((await engine.api('groups.setEncrypted', { roomName: 'project-x', encrypted: true, dryRun: true }, 'alice')).status).toBe(200);
        expect(await historyOf('project-x')).toEqual([]);
    });
});

describe('reading it in chat', () => {
    it('/encrypt, /settype and /toteam history: newest first, who, what, when and how', async () => {
        await engine.fresh(allowBots);
        await engine.command('alice', 'project-x', '/encrypt on');
        await engine.command('alice', 'general', '/settype public #project-x');
        const records = await historyOf('project-x');
        const when = (r: HistoryRecord) => `${r.at.slice(0, 16).replace('T', ' ')} UTC`;
        const expected = [
            text('en', 'history_heading', { room: 'project-x', shown: 2, total: 2 }),
            `• ${when(records[0])}: @alice made this group public (/settype).`,
            `• ${when(records[1])}: @alice turned end-to-end encryption on for this room (/encrypt).`,
        ].join('\n');
        for (const line of ['/encrypt history', '/settype history', '/toteam history']) {
            expect(onlyReply(await engine.command('alice', 'project-x', line))).toBe(expected);
        }
        expect(onlyReply(await engine.command('alice', 'general', '/encrypt history #project-x'))).toBe(expected);
    });

    it('the newest 10 only, and an empty history says so', async () => {
        await engine.fresh((f) => allowBots(f, withoutRateLimits));
        expect(onlyReply(await engine.command('alice', 'project-x', '/encrypt history'))).toBe(text('en', 'history_empty', { room: 'project-x' }));
        for (let i = 0; i < 12; i++) {
            await engine.command('alice', 'project-x', i % 2 === 0 ? '/encrypt on' : '/encrypt off');
        }
        const lines = onlyReply(await engine.command('alice', 'project-x', '/encrypt history')).split('\n');
        expect(lines[0]).toBe(text('en', 'history_heading', { room: 'project-x', shown: 10, total: 12 }));
        expect(lines).toHaveLength(12);
        expect(lines[1]).toMatch(/@alice turned end-to-end encryption off for this room \(\/encrypt\)\.$/);
        // Where the rest is (findings §B10): the app's endpoint, from where this page ends.
        const path = `/api/apps/public/${engine.host.id}/groups.history?roomId=${engine.roomId('project-x')}&offset=10`;
        expect(lines[11]).toBe(text('en', 'history_more', { more: 2, path }));
    });

    it('status names the last recorded change of that setting, for whoever may read the history', async () => {
        await engine.fresh(allowBots);
        await engine.command('alice', 'project-x', '/encrypt on');
        const [record] = await historyOf('project-x');
        const when = `${record.at.slice(0, 16).replace('T', ' ')} UTC`;
        const last = text('en', 'history_last', { when, change: '@alice turned end-to-end encryption on for this room (/encrypt).' });
        expect(onlyReply(await engine.command('alice', 'project-x', '/encrypt status')).split('\n')[0]).toBe(`End-to-end encryption is on for project-x. ${last}`);
        // The type was never changed through the app; a member without edit-room is not told who changed what.
        expect(onlyReply(await engine.command('alice', 'project-x', '/settype status')).split('\n')[0]).toBe('project-x is a private group.');
        expect(onlyReply(await engine.command('carol', 'project-x', '/encrypt status')).split('\n')[0]).toBe('End-to-end encryption is on for project-x.');
    });
});

describe('who may read a history', () => {
    beforeEach(async () => {
        await engine.fresh(allowBots);
        await engine.command('alice', 'project-x', '/encrypt on');
    });

    it('the owner (edit-room) may; a workspace admin as a change would: not outside the group, yes inside it', async () => {
        expect(await historyOf('project-x', 'alice')).toHaveLength(1);
        // Not a member of the private group: a change by the admin would not find it, nor does the history.
        const change = await engine.api('groups.setEncrypted', { roomName: 'project-x', encrypted: false, dryRun: true }, 'admin');
        const history = await getHistory('admin', { roomName: 'project-x' });
        expect(history).toEqual({ status: change.status, body: change.body });
        expect(history.body).toMatchObject({ errorType: 'error-room-not-found' });
        // A member: the global admin role holds edit-room.
        engine.workspace.addMember(engine.roomId('project-x'), engine.userId('admin'), []);
        expect(await historyOf('project-x', 'admin')).toHaveLength(1);
        expect(onlyReply(await engine.command('admin', 'general', '/encrypt history #project-x')).split('\n')[0]).toBe(
            text('en', 'history_heading', { room: 'project-x', shown: 1, total: 1 }),
        );
    });

    it('a member without edit-room: error-action-not-allowed (400), in chat too', async () => {
        const response = await getHistory('carol', { roomName: 'project-x' });
        expect(response).toEqual({
            status: 400,
            body: {
                success: false,
                error: 'Reading the change history of this room is not allowed [error-action-not-allowed]',
                errorType: 'error-action-not-allowed',
            },
        });
        expect(onlyReply(await engine.command('carol', 'project-x', '/toteam history'))).toBe(text('en', 'error_history_not_allowed', { room: 'project-x' }));
    });

    it('someone who cannot access the room gets its "not found" answer, exactly as for a room that does not exist', async () => {
        const hidden = await getHistory('dave', { roomName: 'project-x' });
        const missing = await getHistory('dave', { roomName: 'no-such-room' });
        expect(hidden.status).toBe(400);
        expect(hidden.body).toEqual({ ...(missing.body as object) });
        expect(hidden.body).toMatchObject({ success: false, errorType: 'error-room-not-found' });
        expect(await getHistory('dave', { roomId: engine.roomId('project-x') })).toEqual(await getHistory('dave', { roomId: 'nope' }));
        expect(onlyReply(await engine.command('dave', 'general', '/encrypt history #project-x'))).toBe(
            `${text('en', 'error_room_not_found', { room: 'project-x' })} ${text('en', 'hint_help', { command: '/encrypt' })}`,
        );
    });

    it('no room named: the room parameter error; not logged in: 401', async () => {
        expect(await getHistory('alice', {})).toMatchObject({ status: 400, body: { success: false, errorType: 'error-room-param-not-provided' } });
        expect((await engine.host.callApi({ method: 'GET', path: 'groups.history', query: { roomName: 'project-x' } })).status).toBe(401);
    });
});

describe('GET groups.history: pagination like Rocket.Chat', () => {
    beforeEach(async () => {
        await engine.fresh((f) => allowBots(f, withoutRateLimits));
        for (let i = 0; i < 7; i++) {
            await engine.command('alice', 'project-x', i % 2 === 0 ? '/encrypt on' : '/encrypt off');
        }
    });

    it('offset and count page through it, newest first; total is the whole history', async () => {
        const all = await historyOf('project-x');
        expect(all).toHaveLength(7);
        const page = (await getHistory('alice', { roomName: 'project-x', offset: '2', count: '3' })).body as HistoryBody;
        expect(page).toEqual({ history: all.slice(2, 5), offset: 2, count: 3, total: 7, trimmed: 0, success: true });
        const tail = (await getHistory('alice', { roomName: 'project-x', offset: '5', count: '10' })).body as HistoryBody;
        expect(tail).toMatchObject({ offset: 5, count: 2, total: 7 });
        const past = (await getHistory('alice', { roomName: 'project-x', offset: '50' })).body as HistoryBody;
        expect(past).toEqual({ history: [], offset: 50, count: 0, total: 7, trimmed: 0, success: true });
    });

    it('count is capped by API_Upper_Count_Limit; 0 means all', async () => {
        engine.workspace.setSetting('API_Upper_Count_Limit', 4);
        expect(((await getHistory('alice', { roomName: 'project-x', count: '1000' })).body as HistoryBody).count).toBe(4);
        expect(((await getHistory('alice', { roomName: 'project-x', count: '0' })).body as HistoryBody).count).toBe(7);
    });

    it.each([
        ['count', 'abc'],
        ['count', '-1'],
        ['offset', 'x1'],
        ['offset', '-5'],
        ['count', '1e999x'],
    ])('%s=%s is a 400 error-invalid-params naming the parameter', async (param, value) => {
        const response = await getHistory('alice', { roomName: 'project-x', [param]: value });
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ success: false, errorType: 'error-invalid-params', error: `The parameter "${param}" must be a non-negative integer` });
    });
});

describe('kept across an app restart', () => {
    it('disable and enable: the history is still there, and every door works again', async () => {
        await engine.fresh(allowBots);
        await engine.command('alice', 'project-x', '/encrypt on');
        await engine.host.disable();
        expect(await engine.host.enable()).toBe(true);
        // Enabled again with everything it provides (its slash commands were kept by the engine meanwhile).
        expect((await engine.host.actionButtons()).length).toBe(4);
        expect(what(await historyOf('project-x'))).toEqual(['alice setEncrypted false→true command']);
        await engine.command('alice', 'project-x', '/encrypt off');
        expect(what(await historyOf('project-x'))).toEqual(['alice setEncrypted true→false command', 'alice setEncrypted false→true command']);
    });
});

describe("GET groups.history keeps the caller's credentials out of the log", () => {
    it("the runtime's debug entry of the request (headers included) holds no token, whatever the answer", async () => {
        await engine.fresh(allowBots);
        const headers = engine.headersOf('alice');
        const token = headers['X-Auth-Token'];
        expect(token).toEqual(expect.any(String));
        const statuses: number[] = [];
        const queries: Array<Record<string, string>> = [{ roomName: 'project-x' }, { roomName: 'no-such-room' }, { roomName: 'project-x', count: 'abc' }, {}];
        for (const query of queries) {
            statuses.push((await engine.host.callApi({ method: 'GET', path: 'groups.history', query, headers })).status);
        }
        expect(statuses).toEqual([200, 400, 400, 400]);
        expect(engine.host.logText()).not.toContain(token);
        const debug = engine.host
            .logs()
            .flatMap((entry) => entry.entries)
            .filter((line) => String(line.severity) === 'debug');
        expect(JSON.stringify(debug)).toContain('groups.history');
        expect(JSON.stringify(debug)).toContain('[redacted]');
    });
});
