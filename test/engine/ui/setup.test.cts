/**
 * The setup check, in the real engine: on enable and whenever a service account setting changes, the app asks
 * Rocket.Chat who the service account is (`GET /api/v1/me`) and logs a clear warning when it is missing, rejected or
 * unreachable — never the token. A command used while the app is not configured tells the invoker that an
 * administrator must set it up, and which settings.
 */
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { catalogs, onlyReply } from './support.cjs';

let engine: EngineUnderTest;
let installLog: string;
useEngine((booted) => {
    engine = booted;
    installLog = booted.host.logText();
});

/** The app's log lines (severity and text) written while `action` ran. */
const logLinesOf = (action: () => Promise<unknown>) => engine.logLinesDuring(action);

const warnings = (lines: Array<{ severity: string; text: string }>) => lines.filter((l) => l.severity === 'warning').map((l) => l.text);

it('on enable (installed without settings): a warning naming the settings to fill in', () => {
    expect(installLog).toContain('Group Admin is not set up: an administrator must fill in service_user_id (\\"Service account user id\\") and service_user_token');
});

it('a working service account: one info line naming it, no warning', async () => {
    const lines = await logLinesOf(() => engine.fresh());
    const last = lines[lines.length - 1];
    expect(last.severity).toBe('info');
    expect(last.text).toMatch(/^Group Admin is set up: Rocket\.Chat at http:\/\/localhost:3000 accepts the service account @group-admin\.service\.$/);
    // Intermediate states while the settings were saved one by one may warn; the final one does not.
    expect(lines.filter((l) => l.text.includes('Group Admin')).pop()?.severity).toBe('info');
});

it('a wrong token: rejected, saved as entered, and the log carries neither token (not even the engine\'s debug lines)', async () => {
    await engine.fresh();
    const lines = await logLinesOf(() => engine.host.setSettings({ service_user_token: 'wrong-token-123456' }));
    expect(warnings(lines)).toEqual([
        'Group Admin: Rocket.Chat rejected the service account\'s credentials; check service_user_id ("Service account user id") and service_user_token ("Service account personal access token").',
    ]);
    expect(engine.host.logText()).not.toContain('wrong-token-123456');
    expect(engine.host.logText()).not.toContain(engine.serviceAccount.token);
    expect(engine.host.settings().service_user_token.value).toBe('wrong-token-123456');
});

it('a missing user id: which setting to fill in', async () => {
    await engine.fresh();
    const lines = await logLinesOf(() => engine.host.setSettings({ service_user_id: '' }));
    expect(warnings(lines)).toEqual([
        'Group Admin is not set up: an administrator must fill in service_user_id ("Service account user id") in the app\'s settings. Until then every command and endpoint answers that the app is not configured.',
    ]);
});

it('an unreachable server URL: a warning about server_url', async () => {
    await engine.fresh();
    const lines = await logLinesOf(() => engine.host.setSettings({ server_url: 'http://127.0.0.1:9' }));
    expect(warnings(lines)).toEqual([
        'Group Admin could not reach Rocket.Chat to check the service account (it may still be starting); check server_url ("Workspace REST API URL") or the server\'s Site_Url.',
    ]);
});

it('changing confirm_changes does not check the account again', async () => {
    await engine.fresh();
    const calls = engine.workspace.restCalls.length;
    const lines = await logLinesOf(() => engine.host.setSettings({ confirm_changes: true }));
    expect(lines.filter((l) => l.text.includes('Group Admin'))).toEqual([]);
    expect(engine.workspace.restCalls.length).toBe(calls);
});

describe('a command while the app is not configured', () => {
    it.each(['/encrypt on', '/settype public', '/toteam', '/encrypt status'])('%s: an administrator must set it up, with the settings named', async (line) => {
        await engine.fresh(undefined, { service_user_token: '', confirm_changes: true });
        const before = engine.workspace.snapshot();
        const reply = onlyReply(await engine.command('alice', 'project-x', line));
        expect(reply).toBe(catalogs.en.error_app_not_configured);
        expect(reply).toContain('"Service account user id"');
        expect(reply).toContain('"Service account personal access token"');
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('in the invoker’s language, naming the settings as the settings page does', async () => {
        await engine.fresh((f) => f.workspace.setSetting('Language', 'de'), { service_user_id: '' });
        const reply = onlyReply(await engine.command('alice', 'project-x', '/encrypt on'));
        expect(reply).toBe(catalogs.de.error_app_not_configured);
        expect(reply).toContain(catalogs.de.setting_service_user_id_label);
        expect(reply).toContain(catalogs.de.setting_service_user_token_label);
    });
});
