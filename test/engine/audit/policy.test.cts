/**
 * The policy watch (interface.md §9, issue 16): `alert_room` (kept by id) gets one line when encryption is turned off
 * in a private group, a private group becomes public, or `E2E_Enable` is turned off — by any door — only while every
 * member of that room holds `view-room-administration`; otherwise no alert and a setup warning naming why. Also the
 * `gap` a disable leaves, and `history_limit`'s bad values.
 */
import type { ChangeRecord } from '../../../src/history/store';
import type { EngineUnderTest, Fixture } from '../harness.cjs';
import { useEngine, withoutRateLimits } from '../harness.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

/** A private group `security` of admins only (admin and the service account), and E2E on. */
function withAlertRoom(fixture: Fixture): void {
    withoutRateLimits(fixture);
    const { workspace } = fixture;
    workspace.setSetting('E2E_Enable', true);
    const admin = workspace.getUserByUsername('admin')?._id as string;
    workspace.addRoom({ name: 'security', t: 'p', owner: admin });
}

function alerts(): string[] {
    return engine.workspace
        .getMessages(engine.roomId('security'))
        .filter((m) => !m.t && m.u.username.endsWith('.bot'))
        .map((m) => m.msg);
}

async function settledAlerts(): Promise<string[]> {
    await engine.host.settled();
    return alerts();
}

describe('the policy watch', () => {
    it('alert_room entered by name is kept by id', async () => {
        await engine.fresh(withAlertRoom, { alert_room: 'security' });
        expect(engine.host.settings().alert_room.value).toBe(engine.roomId('security'));
    });

    it("encryption off by Rocket.Chat's own endpoint, and a group made public in chat: one line each, room, who, how, undo", async () => {
        await engine.fresh(withAlertRoom, { alert_room: 'security' });
        await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice');
        await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: false }, 'alice');
        await engine.command('alice', 'project-x', '/settype public');
        const lines = await settledAlerts();
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(/^⚠ Encryption turned off in project-x by @alice \(in Rocket\.Chat\) at \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Undo: \/encrypt undo project-x$/);
        expect(lines[1]).toMatch(/^⚠ Private group project-x made public by @alice \(\/settype\) at .* Undo: \/settype undo project-x$/);
    });

    it("the app's own bot a member of alert_room: alerts still posted (only it is left out of the members' check)", async () => {
        await engine.fresh(withAlertRoom, { alert_room: 'security' });
        const bot = engine.workspace.listUsers().find((user) => user.type === 'app');
        engine.workspace.addMember(engine.roomId('security'), bot?._id as string);
        await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice');
        await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: false }, 'alice');
        expect(await settledAlerts()).toHaveLength(1);
    });

    it('E2E_Enable turned off: noticed at the next watched event or command', async () => {
        await engine.fresh(withAlertRoom, { alert_room: 'security' });
        await engine.command('alice', 'project-x', '/encrypt status');
        engine.workspace.setSetting('E2E_Enable', false);
        // A tick runs at most once a minute per process; an enable starts afresh.
        await engine.host.disable();
        await engine.host.enable();
        await engine.reference('groups.setType', { roomName: 'project-x', type: 'c' }, 'alice');
        const lines = await settledAlerts();
        expect(lines.some((line) => line.startsWith('⚠ End-to-end encryption was turned off for the whole workspace'))).toBe(true);
    });

    it.each([
        ['a member without view-room-administration', (f: Fixture) => f.workspace.addMember(f.workspace.getRoomByName('security')?._id as string, f.workspace.getUserByUsername('carol')?._id as string), 'a member of the room does not hold view-room-administration'],
        [
            "another app's bot",
            (f: Fixture) => {
                const bot = f.workspace.addUser({ username: 'other-app.bot', roles: ['app'], type: 'app' });
                f.workspace.addMember(f.workspace.getRoomByName('security')?._id as string, bot._id);
            },
            'a member of the room does not hold view-room-administration',
        ],
        ['a public room', (f: Fixture) => f.workspace.addRoom({ name: 'security-public', t: 'c', owner: f.workspace.getUserByUsername('admin')?._id as string }), 'not a private group'],
    ])('%s: no alert, a setup warning naming why, no crash', async (_label, prepare, why) => {
        const alertRoom = _label === 'a public room' ? 'security-public' : 'security';
        await engine.fresh((f) => {
            withAlertRoom(f);
            prepare(f);
        }, { alert_room: alertRoom });
        const lines = await engine.logLinesDuring(async () => {
            await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice');
            await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: false }, 'alice');
            await engine.host.settled();
        });
        expect(engine.workspace.getMessages(engine.roomId(alertRoom)).filter((m) => !m.t && m.u.username.endsWith('.bot'))).toEqual([]);
        expect(lines.some((line) => line.severity === 'warning' && line.text.includes('alert_room') && line.text.includes(why))).toBe(true);
    });

    it('a room that does not exist: no alert, a warning, no crash', async () => {
        await engine.fresh(withAlertRoom, { alert_room: 'nowhere' });
        const lines = await engine.logLinesDuring(async () => {
            await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice');
            await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: false }, 'alice');
            await engine.host.settled();
        });
        expect(lines.some((line) => line.severity === 'warning' && line.text.includes('does not exist'))).toBe(true);
    });
});

describe('history_limit', () => {
    it('a value out of range keeps the last valid one, and the app log says why', async () => {
        await engine.fresh(undefined, { history_limit: 20 });
        const lines = await engine.logLinesDuring(() => engine.host.setSettings({ history_limit: 20000 }));
        expect(engine.host.settings().history_limit.value).toBe(20);
        expect(lines.some((line) => line.severity === 'warning' && line.text.includes('history_limit'))).toBe(true);
    });
});

describe('gaps are said', () => {
    it('a disable and enable: a gap entry in the audit, from the last time the app was known to listen', async () => {
        const began = new Date().toISOString();
        await engine.fresh(withAlertRoom);
        await engine.command('alice', 'project-x', '/encrypt status');
        await engine.host.disable();
        await engine.host.enable();
        const response = await engine.host.callApi({ method: 'GET', path: 'groups.audit', query: { since: began, operation: 'gap' }, headers: engine.headersOf('admin') });
        const gaps = (response.body as { history: ChangeRecord[] }).history;
        expect(gaps).toHaveLength(1);
        expect(Date.parse(String(gaps[0].from))).toBeLessThanOrEqual(Date.parse(String(gaps[0].to)));
    });
});
