/**
 * Foundation, in the real engine: the packaged zip installs and enables with a clean log, registers its commands,
 * endpoints and settings, guards endpoints like Rocket.Chat's router, and answers `help` to the invoker only.
 */
import { readFileSync } from 'fs';
import path from 'path';

import { UNAUTHORIZED_BODY } from '../../host/engine/EngineHost.cjs';
import { useEngine } from './harness.cjs';
import type { EngineUnderTest } from './harness.cjs';

const i18nDir = path.resolve(__dirname, '..', '..', 'i18n');
const languages = ['en', 'pt-BR', 'es', 'de'];
const catalogs = Object.fromEntries(languages.map((l) => [l, JSON.parse(readFileSync(path.join(i18nDir, `${l}.json`), 'utf8'))])) as Record<
    string,
    Record<string, string>
>;

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

beforeEach(async () => {
    await engine.fresh();
});

describe('installation', () => {
    it('runs with app-permission checks on (the engine skips them when NODE_ENV=test)', () => {
        expect(process.env.NODE_ENV).not.toBe('test');
    });

    it('is enabled with zero error entries in the app log', async () => {
        expect(await engine.host.status()).toMatch(/enabled/);
        expect(engine.host.logs().length).toBeGreaterThan(0);
        expect(engine.errorLines()).toEqual([]);
    });

    it('registers /encrypt, /settype and /toteam with translated descriptions and parameter examples', () => {
        expect(engine.host.commands()).toEqual(['encrypt', 'settype', 'toteam']);
        for (const name of engine.host.commands()) {
            const command = engine.host.ctx.records.commands.get(name);
            expect(command?.providesPreview).toBe(false);
            for (const key of [command?.i18nDescription, command?.i18nParamsExample]) {
                expect(typeof key).toBe('string');
                for (const language of languages) {
                    expect(catalogs[language][key as string]).toEqual(expect.any(String));
                }
            }
        }
    });

    it('registers the endpoints of interface.md §3 (changes POST, reads GET), all authRequired', () => {
        expect(engine.host.endpoints().sort((a, b) => a.path.localeCompare(b.path))).toEqual([
            { authRequired: true, methods: ['get'], path: 'groups.audit' },
            { authRequired: true, methods: ['get', 'post'], path: 'groups.bulk' },
            { authRequired: true, methods: ['post'], path: 'groups.bulk.cancel' },
            { authRequired: true, methods: ['post'], path: 'groups.bulk.undo' },
            { path: 'groups.convertToTeam', authRequired: true, methods: ['post'] },
            { authRequired: true, methods: ['get'], path: 'groups.encryptionReport' },
            { authRequired: true, methods: ['get'], path: 'groups.history' },
            { path: 'groups.setEncrypted', authRequired: true, methods: ['post'] },
            { path: 'groups.setType', authRequired: true, methods: ['post'] },
            { path: 'groups.undo', authRequired: true, methods: ['post'] },
        ]);
    });

    it('registers the settings of interface.md §4 with translated labels', () => {
        const settings = engine.host.settings();
        expect(Object.keys(settings).sort()).toEqual(['alert_room', 'announce_changes', 'confirm_changes', 'history_limit', 'report_schedule', 'server_url', 'service_user_id', 'service_user_token']);
        expect(String(settings.report_schedule.type)).toBe('select');
        expect(settings.report_schedule.packageValue).toBe('off');
        expect(settings.report_schedule.values).toEqual(['off', 'daily', 'weekly'].map((key) => ({ key, i18nLabel: `setting_report_schedule_${key}` })));
        expect(String(settings.history_limit.type)).toBe('int');
        expect(settings.history_limit.packageValue).toBe(100);
        expect(String(settings.service_user_token.type)).toBe('password');
        expect(String(settings.confirm_changes.type)).toBe('boolean');
        expect(settings.confirm_changes.packageValue).toBe(true);
        expect(String(settings.announce_changes.type)).toBe('boolean');
        expect(settings.announce_changes.packageValue).toBe(true);
        expect(String(settings.server_url.type)).toBe('string');
        expect(String(settings.service_user_id.type)).toBe('string');
        for (const setting of Object.values(settings)) {
            for (const key of [setting.i18nLabel, setting.i18nDescription, ...(setting.values ?? []).map((value) => value.i18nLabel)]) {
                for (const language of languages) {
                    expect(catalogs[language][key as string]).toEqual(expect.any(String));
                }
            }
        }
    });
});

describe('endpoints behind authentication', () => {
    it.each(['groups.setEncrypted', 'groups.setType', 'groups.convertToTeam'])('%s answers 401 without a user, changing nothing', async (endpoint) => {
        const before = engine.workspace.snapshot();
        const response = await engine.api(endpoint, { roomName: 'project-x', encrypted: true, type: 'c' }, null);
        expect(response).toEqual({ status: 401, body: UNAUTHORIZED_BODY });
        expect(engine.workspace.snapshot()).toBe(before);
    });

    it('answers 401 for a wrong token', async () => {
        const response = await engine.host.callApi({
            path: 'groups.setEncrypted',
            body: { roomName: 'project-x', encrypted: true },
            headers: { 'X-User-Id': engine.userId('alice'), 'X-Auth-Token': 'not-a-token' },
        });
        expect(response.status).toBe(401);
    });

    it("a method the endpoint does not implement: the runtime's refusal, 500 in plain text (as Rocket.Chat's apps router answers it)", async () => {
        // The engine's AppApi.runExecutor prints the runtime's error (console.error) before rethrowing it.
        const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
        const response = await engine.host.callApi({ method: 'GET', path: 'groups.setEncrypted', headers: engine.headersOf('alice') });
        quiet.mockRestore();
        expect(response).toEqual({ status: 500, body: "groups.setEncrypted's get not exists" });
    });
});

describe('help', () => {
    it.each([
        ['/encrypt help', '/encrypt'],
        ['/settype help', '/settype'],
        ['/toteam help', '/toteam'],
    ])('%s answers its usage in one ephemeral reply to the invoker only', async (line, usage) => {
        const before = engine.workspace.snapshot();
        const run = await engine.command('alice', 'project-x', line);
        expect(run.error).toBeUndefined();
        expect(run.deliveries).toHaveLength(1);
        const [reply] = run.deliveries;
        expect(reply.kind).toBe('ephemeral');
        expect(reply.toUserId).toBe(engine.userId('alice'));
        expect(reply.roomId).toBe(engine.roomId('project-x'));
        expect(reply.text).toContain(usage);
        expect(engine.workspace.snapshot()).toBe(before);
    });
});
