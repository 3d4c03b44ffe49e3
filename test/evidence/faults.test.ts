/**
 * Fault injection, in the real engine against the in-memory workspace: Rocket.Chat answering 5xx, timing out,
 * refusing the connection, rejecting the service account's token; the permission table unreadable; no server URL;
 * no service account; `teams.create` failing. For every operation (encryption, type, team) and both doors (slash
 * command and app endpoint), each fault gives the answer interface.md §3 defines, a warning in the app log without
 * the token, and an unchanged workspace (compared with a full `snapshot()`): never half converted.
 */
import { readFileSync } from 'fs';
import path from 'path';

import type { RestFault } from '../../host/workspace/model';
import type { Workspace } from '../../host/workspace/Workspace';
import type { Evidence } from './support';
import { appFailure, snapshotDiff, timed, bootPerFile } from './support';

const en = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'i18n', 'en.json'), 'utf8')) as Record<string, string>;

function translated(key: string, params: Record<string, string> = {}): string {
    const template = en[key];
    if (typeof template !== 'string') {
        throw new Error(`no en text for ${key}`);
    }
    return template.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => params[name] ?? '');
}

const LIST_ALL = '/api/v1/permissions.listAll';
const SAVE = '/api/v1/rooms.saveRoomSettings';
const TEAMS_CREATE = '/api/v1/teams.create';
const TEAMS_INFO = '/api/v1/teams.info';
const ME = '/api/v1/me';
const EVERY_PATH = [LIST_ALL, SAVE, TEAMS_CREATE, TEAMS_INFO, ME];
const ROOM = 'project-x';

let ev: Evidence;
bootPerFile((booted) => {
    ev = booted;
});

interface Operation {
    name: 'encryption' | 'type' | 'team';
    endpoint: string;
    writePath: string;
    body(ws: Workspace): Record<string, unknown>;
    line(ws: Workspace): string;
}

function encryptedNow(ws: Workspace): boolean {
    return ws.getRoomByName(ROOM)?.encrypted === true;
}

const OPERATIONS: Operation[] = [
    {
        name: 'encryption',
        endpoint: 'groups.setEncrypted',
        writePath: SAVE,
        body: (ws) => ({ roomName: ROOM, encrypted: !encryptedNow(ws) }),
        line: (ws) => `/encrypt ${encryptedNow(ws) ? 'off' : 'on'} ${ROOM}`,
    },
    { name: 'type', endpoint: 'groups.setType', writePath: SAVE, body: () => ({ roomName: ROOM, type: 'c' }), line: () => `/settype public ${ROOM}` },
    { name: 'team', endpoint: 'groups.convertToTeam', writePath: TEAMS_CREATE, body: () => ({ roomName: ROOM }), line: () => `/toteam ${ROOM}` },
];

type Door = 'endpoint' | 'command';
const DOORS: Door[] = ['endpoint', 'command'];

interface Expected {
    status: 502 | 503;
    errorType: string;
    key: string;
}

const REQUEST_FAILED: Expected = { status: 502, errorType: 'error-workspace-request-failed', key: 'error_workspace_request_failed' };
const REJECTED: Expected = { status: 503, errorType: 'error-service-account-rejected', key: 'error_service_account_rejected' };
const NOT_CONFIGURED: Expected = { status: 503, errorType: 'error-app-not-configured', key: 'error_app_not_configured' };

interface Scenario {
    title: string;
    expected: Expected;
    /** Faults to inject, by path (`write` = the operation's write path). */
    faults?: Array<[string | 'write', RestFault]>;
    prepare?: (ws: Workspace) => void;
    settings?: Record<string, unknown>;
    /** The app must not even try to reach Rocket.Chat. */
    noRestCalls?: boolean;
}

const SCENARIOS: Scenario[] = [
    { title: 'Rocket.Chat answers 500 to the change', expected: REQUEST_FAILED, faults: [['write', { kind: 'status', status: 500 }]] },
    {
        title: 'Rocket.Chat answers 503 to every request',
        expected: REQUEST_FAILED,
        faults: EVERY_PATH.map((p): [string, RestFault] => [p, { kind: 'status', status: 503, body: '<html>Service Unavailable</html>' }]),
    },
    { title: 'Rocket.Chat answers 504 (a proxy gave up)', expected: REQUEST_FAILED, faults: [['write', { kind: 'status', status: 504 }]] },
    { title: 'Rocket.Chat refuses the connection for the change', expected: REQUEST_FAILED, faults: [['write', { kind: 'refuse' }]] },
    {
        title: 'Rocket.Chat refuses every connection (server down)',
        expected: REQUEST_FAILED,
        faults: EVERY_PATH.map((p): [string, RestFault] => [p, { kind: 'refuse' }]),
    },
    { title: 'server_url points at an address nobody listens on', expected: REQUEST_FAILED, settings: { server_url: 'http://127.0.0.1:9' } },
    { title: 'Rocket.Chat rejects the token on the change (401)', expected: REJECTED, faults: [['write', { kind: 'status', status: 401 }]] },
    { title: 'Rocket.Chat rejects a wrong service token (401 from the start)', expected: REJECTED, settings: { service_user_token: 'WrongToken-0123456789abcdefghijklmnopqrstu' } },
    {
        title: 'Rocket.Chat rejects the token when reading the permission table (401)',
        expected: REJECTED,
        faults: [[LIST_ALL, { kind: 'status', status: 401, body: { success: false, error: 'You must be logged in to do this.' } }]],
    },
    {
        title: 'no server_url and no Site_Url',
        expected: NOT_CONFIGURED,
        prepare: (ws) => ws.setSetting('Site_Url', ''),
        settings: { server_url: '' },
        noRestCalls: true,
    },
    {
        title: 'no server_url and Site_Url missing altogether',
        expected: NOT_CONFIGURED,
        prepare: (ws) => ws.setSetting('Site_Url', undefined),
        settings: { server_url: '' },
        noRestCalls: true,
    },
    { title: 'no service account (user id empty)', expected: NOT_CONFIGURED, settings: { service_user_id: '' }, noRestCalls: true },
    { title: 'no service account (token empty)', expected: NOT_CONFIGURED, settings: { service_user_token: '' }, noRestCalls: true },
    { title: 'no service account (both empty)', expected: NOT_CONFIGURED, settings: { service_user_id: '', service_user_token: '' }, noRestCalls: true },
];

/** The room and everything about it, for "never half converted" messages beside the whole-snapshot check. */
function roomState(ws: Workspace): unknown {
    const room = ws.getRoomByName(ROOM);
    return {
        t: room?.t,
        encrypted: room?.encrypted,
        teamId: room?.teamId,
        teamMain: room?.teamMain,
        subscriptionTypes: [...new Set(ws.getSubscriptions(room?._id ?? '').map((s) => s.t))],
        team: room ? ws.getTeamByMainRoomId(room._id) : undefined,
        messages: room ? ws.getMessages(room._id).map((m) => m.t) : [],
    };
}

async function freshFor(scenario: Scenario, op: Operation): Promise<Workspace> {
    const fixture = await ev.fresh((f) => scenario.prepare?.(f.workspace), scenario.settings ?? {});
    for (const [where, fault] of scenario.faults ?? []) {
        fixture.workspace.setFault(where === 'write' ? op.writePath : where, fault);
    }
    return fixture.workspace;
}

/** Runs one operation through one door and returns what the caller got, as text for the log check. */
async function attempt(door: Door, op: Operation, ws: Workspace, username = 'alice'): Promise<{ status?: number; body?: unknown; reply?: string }> {
    if (door === 'endpoint') {
        const response = await ev.api(op.endpoint, op.body(ws), username);
        return { status: response.status, body: response.body };
    }
    return { reply: await ev.reply(username, ROOM, op.line(ws)) };
}

function expectWarnings(mark: number, token: string, atLeast = 1): void {
    const warnings = ev.linesSince(mark, 'warning');
    expect(warnings.length).toBeGreaterThanOrEqual(atLeast);
    for (const line of warnings) {
        expect(line).not.toContain(token);
    }
    expect(ev.linesSince(mark, 'error')).toEqual([]);
}

describe.each(SCENARIOS)('$title', (scenario) => {
    describe.each(OPERATIONS)('$name', (op) => {
        it.each(DOORS)('via %s: the §3 answer, a warning without the token, an unchanged workspace', async (door) => {
            const ws = await freshFor(scenario, op);
            // Auth headers are minted before the snapshot (minting a token is itself a write).
            ev.headersOf('alice');
            const before = ws.snapshot();
            const room = roomState(ws);
            const mark = ev.logMark();
            ws.resetCounters();

            const got = await attempt(door, op, ws);

            if (door === 'endpoint') {
                expect({ status: got.status, body: got.body }).toEqual(appFailure(scenario.expected.status, scenario.expected.errorType));
            } else {
                expect(got.reply).toContain(translated(scenario.expected.key));
            }
            expectWarnings(mark, ev.engine.serviceAccount.token);
            expect(roomState(ws)).toEqual(room);
            expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
            if (scenario.noRestCalls) {
                expect(ws.restCalls).toEqual([]);
            }
        });
    });
});

describe('teams.create failing', () => {
    const teamOp = OPERATIONS[2];

    it.each(DOORS)('Rocket.Chat refusing the team (400 error-team-creation) is passed on unchanged via %s; no half-made team', async (door) => {
        const refusal = { success: false, error: 'error-team-creation' };
        const ws = await freshFor({ title: '', expected: REQUEST_FAILED, faults: [[TEAMS_CREATE, { kind: 'status', status: 400, body: refusal }]] }, teamOp);
        ev.headersOf('alice');
        const before = ws.snapshot();
        const got = await attempt(door, teamOp, ws);
        if (door === 'endpoint') {
            expect({ status: got.status, body: got.body }).toEqual({ status: 400, body: refusal });
        } else {
            expect(got.reply).toContain('error-team-creation');
        }
        expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        expect(ws.listTeams().map((t) => t.name)).toEqual(['eng']);
    });

    it('a failed conversion leaves the group convertible: the retry after the fault makes exactly one team', async () => {
        const ws = await freshFor({ title: '', expected: REQUEST_FAILED, faults: [[TEAMS_CREATE, { kind: 'status', status: 500, times: 1 }]] }, teamOp);
        const first = await ev.api('groups.convertToTeam', { roomName: ROOM }, 'alice');
        expect(first).toEqual(appFailure(502, 'error-workspace-request-failed'));
        const retry = await ev.api('groups.convertToTeam', { roomName: ROOM }, 'alice');
        expect(retry.status).toBe(200);
        expect(ws.listTeams().filter((t) => t.name === ROOM)).toHaveLength(1);
        expect(ws.getRoomByName(ROOM)?.teamMain).toBe(true);
    });
});

describe('the permission table unreadable: Rocket.Chat\'s default roles apply', () => {
    /** The workspace lets moderators toggle encryption; Rocket.Chat's default does not. */
    const moderatorsMayToggle = (ws: Workspace): void => {
        ws.setPermissionRoles('toggle-room-e2e-encryption', ['admin', 'owner', 'moderator']);
    };
    const encryption = OPERATIONS[0];
    const denial = {
        success: false,
        error: 'You do not have permission to toggle E2E encryption [error-action-not-allowed]',
        errorType: 'error-action-not-allowed',
        details: { method: 'saveRoomSettings', action: 'Change_Room_Encrypted' },
    };

    it('control: with the table readable, the moderator may toggle (the workspace table is used)', async () => {
        const ws = await freshFor({ title: '', expected: REQUEST_FAILED, prepare: moderatorsMayToggle }, encryption);
        const response = await ev.api('groups.setEncrypted', encryption.body(ws), 'bob');
        expect(response.status).toBe(200);
    });

    const unreadable: Array<[string, RestFault]> = [
        ['answers 500', { kind: 'status', status: 500 }],
        ['refuses the connection', { kind: 'refuse' }],
        ['answers 200 with an unexpected body', { kind: 'status', status: 200, body: { success: true } }],
        ['answers 403', { kind: 'status', status: 403, body: { success: false, error: 'unauthorized' } }],
    ];

    describe.each(unreadable)('permissions.listAll %s', (_title, fault) => {
        it.each(DOORS)('the moderator is refused by the default roles via %s, with a warning, nothing changed', async (door) => {
            const ws = await freshFor({ title: '', expected: REQUEST_FAILED, prepare: moderatorsMayToggle, faults: [[LIST_ALL, fault]] }, encryption);
            ev.headersOf('bob');
            const before = ws.snapshot();
            const mark = ev.logMark();
            const got = await attempt(door, encryption, ws, 'bob');
            if (door === 'endpoint') {
                expect({ status: got.status, body: got.body }).toEqual({ status: 400, body: denial });
            } else {
                expect(got.reply).toContain(translated('error_e2e_toggle_not_allowed', { room: ROOM }));
            }
            expectWarnings(mark, ev.engine.serviceAccount.token);
            expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        });

        it('the owner is still allowed by the default roles (defaults, not deny-all)', async () => {
            const ws = await freshFor({ title: '', expected: REQUEST_FAILED, prepare: moderatorsMayToggle, faults: [[LIST_ALL, fault]] }, encryption);
            const target = !encryptedNow(ws);
            const response = await ev.api('groups.setEncrypted', { roomName: ROOM, encrypted: target }, 'alice');
            expect(response.status).toBe(200);
            expect(ws.getRoomByName(ROOM)?.encrypted).toBe(target);
        });
    });

    it('a table that could not be read is not cached: the next request reads it again and uses it', async () => {
        const ws = await freshFor(
            { title: '', expected: REQUEST_FAILED, prepare: moderatorsMayToggle, faults: [[LIST_ALL, { kind: 'status', status: 500, times: 1 }]] },
            encryption,
        );
        const refused = await ev.api('groups.setEncrypted', encryption.body(ws), 'bob');
        expect(refused.status).toBe(400);
        const allowed = await ev.api('groups.setEncrypted', encryption.body(ws), 'bob');
        expect(allowed.status).toBe(200);
        expect(ws.restCalls.filter((c) => c.path === LIST_ALL)).toHaveLength(2);
    });

    it.each(DOORS)('a type change refused by the workspace table is allowed by the defaults via %s', async (door) => {
        const ws = await freshFor(
            {
                title: '',
                expected: REQUEST_FAILED,
                prepare: (w) => w.setPermissionRoles('create-c', ['admin']),
                faults: [[LIST_ALL, { kind: 'status', status: 500 }]],
            },
            OPERATIONS[1],
        );
        await attempt(door, OPERATIONS[1], ws);
        expect(ws.getRoomByName(ROOM)?.t).toBe('c');
    });
});

describe('timeouts (the app gives up after its request timeout; no hanging request, nothing changed)', () => {
    it('Rocket.Chat never answering the change: all three operations via both doors at once', async () => {
        const ws = await freshFor({ title: '', expected: REQUEST_FAILED }, OPERATIONS[0]);
        ws.setFault(SAVE, { kind: 'timeout' });
        ws.setFault(TEAMS_CREATE, { kind: 'timeout' });
        ev.headersOf('alice');
        const before = ws.snapshot();
        const mark = ev.logMark();
        const { value, ms } = await timed(() =>
            Promise.all([
                Promise.all(OPERATIONS.map((op) => ev.api(op.endpoint, op.body(ws), 'alice'))),
                ev.commandsAtOnce(OPERATIONS.map((op) => ({ username: 'alice', roomName: ROOM, line: op.line(ws) }))),
            ]),
        );
        const [responses, commands] = value;
        for (const response of responses) {
            expect(response).toEqual(appFailure(502, REQUEST_FAILED.errorType));
        }
        expect(commands.errors).toEqual([]);
        expect(commands.deliveries.map((d) => d.kind)).toEqual(['ephemeral', 'ephemeral', 'ephemeral']);
        for (const delivery of commands.deliveries) {
            expect(delivery.text).toContain(translated(REQUEST_FAILED.key));
        }
        expectWarnings(mark, ev.engine.serviceAccount.token, OPERATIONS.length * DOORS.length);
        expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        expect(ms).toBeLessThan(25000);
    }, 40000);

    it('the permission table never answering: the default roles apply after the timeout, via both doors', async () => {
        const ws = await freshFor(
            { title: '', expected: REQUEST_FAILED, prepare: (w) => w.setPermissionRoles('toggle-room-e2e-encryption', ['admin', 'owner', 'moderator']) },
            OPERATIONS[0],
        );
        ws.setFault(LIST_ALL, { kind: 'timeout' });
        ev.headersOf('bob');
        const before = ws.snapshot();
        const mark = ev.logMark();
        const [endpoint, command] = await Promise.all([
            ev.api('groups.setEncrypted', OPERATIONS[0].body(ws), 'bob'),
            ev.commandsAtOnce([{ username: 'bob', roomName: ROOM, line: OPERATIONS[0].line(ws) }]),
        ]);
        expect(endpoint.status).toBe(400);
        expect((endpoint.body as { error?: string }).error).toBe('You do not have permission to toggle E2E encryption [error-action-not-allowed]');
        expect(command.deliveries).toHaveLength(1);
        expect(command.deliveries[0].text).toContain(translated('error_e2e_toggle_not_allowed', { room: ROOM }));
        expectWarnings(mark, ev.engine.serviceAccount.token);
        expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
    }, 40000);
});

it('the service token never appears in any reply, response, error or log line of the fault tests', () => {
    expect(ev.watch.secretCount).toBeGreaterThan(0);
    expect(ev.watch.counts.responses + ev.watch.counts.replies).toBeGreaterThan(0);
    expect(ev.leaks()).toEqual([]);
});
