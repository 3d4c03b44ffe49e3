/**
 * Fault injection, in the real engine against the in-memory workspace: Rocket.Chat answering 5xx, timing out,
 * refusing the connection, rejecting credentials; the permission table unreadable; no server URL; no service
 * account; the team refused. For every operation (encryption, type, team) and both doors:
 * - the chat door (slash command) decides with the service account: each fault gives the answer interface.md §3
 *   defines, a warning in the app log without the token, an unchanged workspace (a full `snapshot()`): never half
 *   converted; an unreadable permission table is a refusal (fail closed);
 * - the HTTP door forwards a real change to Rocket.Chat as the caller (§3): a fault of the forwarded read or write is
 *   502 `error-workspace-request-failed` (a 4xx is Rocket.Chat's answer, passed on); faults that concern only the
 *   service account or the permission table do not concern it at all — it needs neither.
 */
import { readFileSync } from 'fs';
import path from 'path';

import type { RestFault } from '../../host/workspace/model.cjs';
import type { Workspace } from '../../host/workspace/Workspace.cjs';
import type { Evidence } from './support.cjs';
import { appFailure, snapshotDiff, timed, bootPerFile } from './support.cjs';

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
const GROUPS_INFO = '/api/v1/groups.info';
const SERVICE_PATHS = [LIST_ALL, SAVE, TEAMS_CREATE, TEAMS_INFO, ME];
const FORWARDED_PATHS = [GROUPS_INFO, '/api/v1/groups.setEncrypted', '/api/v1/groups.setType', '/api/v1/channels.setType', '/api/v1/groups.convertToTeam'];
const EVERY_PATH = [...SERVICE_PATHS, ...FORWARDED_PATHS];
const ROOM = 'project-x';

let ev: Evidence;
bootPerFile((booted) => {
    ev = booted;
});

interface Operation {
    name: 'encryption' | 'type' | 'team';
    endpoint: string;
    /** The chat door's write (as the service account). */
    writePath: string;
    /** The HTTP door's write (Rocket.Chat's own endpoint, as the caller). */
    forwardPath: string;
    body(ws: Workspace): Record<string, unknown>;
    line(ws: Workspace): string;
    /** Whether the room shows the operation done. */
    done(ws: Workspace, before: { encrypted: boolean }): boolean;
}

function encryptedNow(ws: Workspace): boolean {
    return ws.getRoomByName(ROOM)?.encrypted === true;
}

const OPERATIONS: Operation[] = [
    {
        name: 'encryption',
        endpoint: 'groups.setEncrypted',
        writePath: SAVE,
        forwardPath: '/api/v1/groups.setEncrypted',
        body: (ws) => ({ roomName: ROOM, encrypted: !encryptedNow(ws) }),
        line: (ws) => `/encrypt ${encryptedNow(ws) ? 'off' : 'on'} ${ROOM}`,
        done: (ws, before) => encryptedNow(ws) !== before.encrypted,
    },
    {
        name: 'type',
        endpoint: 'groups.setType',
        writePath: SAVE,
        forwardPath: '/api/v1/groups.setType',
        body: () => ({ roomName: ROOM, type: 'c' }),
        line: () => `/settype public ${ROOM}`,
        done: (ws) => ws.getRoomByName(ROOM)?.t === 'c',
    },
    {
        name: 'team',
        endpoint: 'groups.convertToTeam',
        writePath: TEAMS_CREATE,
        forwardPath: '/api/v1/groups.convertToTeam',
        body: () => ({ roomName: ROOM }),
        line: () => `/toteam ${ROOM}`,
        done: (ws) => ws.getRoomByName(ROOM)?.teamMain === true,
    },
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
const TABLE_UNREADABLE: Expected = { status: 503, errorType: 'error-permissions-unavailable', key: 'error_permissions_unavailable' };

/** What the HTTP door answers in a scenario: an app failure, Rocket.Chat's 4xx passed on, or the change made. */
type EndpointExpected = { fails: Expected } | { passedOn: number } | { works: true };

interface Scenario {
    title: string;
    /** The chat door's answer. */
    command: Expected;
    /** The HTTP door's answer (per operation where they differ). */
    endpoint: EndpointExpected | ((op: Operation) => EndpointExpected);
    /** Faults to inject, by path (`write` = the door's write path). */
    faults?: Array<[string | 'write', RestFault]>;
    prepare?: (ws: Workspace) => void;
    settings?: Record<string, unknown>;
    /** The app must not even try to reach Rocket.Chat. */
    noRestCalls?: boolean;
}

const WORKS = { works: true } as const;
/** A 401 body of Rocket.Chat's REST API for the change. */
const CHANGE_UNAUTHORIZED = { status: 'error', message: 'You must be logged in to do this.' };
const FAILS = { fails: REQUEST_FAILED } as const;

const SCENARIOS: Scenario[] = [
    { title: 'Rocket.Chat answers 500 to the change', command: REQUEST_FAILED, endpoint: FAILS, faults: [['write', { kind: 'status', status: 500 }]] },
    {
        title: 'Rocket.Chat answers 503 to every request',
        command: TABLE_UNREADABLE,
        endpoint: FAILS,
        faults: EVERY_PATH.map((p): [string, RestFault] => [p, { kind: 'status', status: 503, body: '<html>Service Unavailable</html>' }]),
    },
    { title: 'Rocket.Chat answers 504 (a proxy gave up)', command: REQUEST_FAILED, endpoint: FAILS, faults: [['write', { kind: 'status', status: 504 }]] },
    { title: 'Rocket.Chat refuses the connection for the change', command: REQUEST_FAILED, endpoint: FAILS, faults: [['write', { kind: 'refuse' }]] },
    {
        title: 'Rocket.Chat refuses every connection (server down)',
        command: TABLE_UNREADABLE,
        endpoint: FAILS,
        faults: EVERY_PATH.map((p): [string, RestFault] => [p, { kind: 'refuse' }]),
    },
    {
        title: "Rocket.Chat answers 500 to the HTTP door's one read (groups.info)",
        command: REQUEST_FAILED,
        // Only groups.convertToTeam reads groups.info (its guard); the others read the room through the accessor.
        endpoint: (op) => (op.name === 'team' ? FAILS : WORKS),
        faults: [
            [GROUPS_INFO, { kind: 'status', status: 500 }],
            [SAVE, { kind: 'status', status: 500 }],
            [TEAMS_CREATE, { kind: 'status', status: 500 }],
        ],
    },
    { title: 'server_url points at an address nobody listens on', command: TABLE_UNREADABLE, endpoint: FAILS, settings: { server_url: 'http://127.0.0.1:9' } },
    {
        title: 'Rocket.Chat rejects the credentials of the change (401)',
        command: REJECTED,
        endpoint: { passedOn: 401 },
        faults: [['write', { kind: 'status', status: 401, body: CHANGE_UNAUTHORIZED }]],
    },
    { title: 'Rocket.Chat rejects a wrong service token (401 from the start)', command: REJECTED, endpoint: WORKS, settings: { service_user_token: 'WrongToken-0123456789abcdefghijklmnopqrstu' } },
    {
        title: 'Rocket.Chat rejects the token when reading the permission table (401)',
        command: REJECTED,
        endpoint: WORKS,
        faults: [[LIST_ALL, { kind: 'status', status: 401, body: { success: false, error: 'You must be logged in to do this.' } }]],
    },
    {
        title: 'no server_url and no Site_Url',
        command: NOT_CONFIGURED,
        endpoint: FAILS,
        prepare: (ws) => ws.setSetting('Site_Url', ''),
        settings: { server_url: '' },
        noRestCalls: true,
    },
    {
        title: 'no server_url and Site_Url missing altogether',
        command: NOT_CONFIGURED,
        endpoint: FAILS,
        prepare: (ws) => ws.setSetting('Site_Url', undefined),
        settings: { server_url: '' },
        noRestCalls: true,
    },
    { title: 'no service account (user id empty)', command: NOT_CONFIGURED, endpoint: WORKS, settings: { service_user_id: '' }, noRestCalls: true },
    { title: 'no service account (token empty)', command: NOT_CONFIGURED, endpoint: WORKS, settings: { service_user_token: '' }, noRestCalls: true },
    {
        title: 'no service account (both empty)',
        command: NOT_CONFIGURED,
        endpoint: WORKS,
        settings: { service_user_id: '', service_user_token: '' },
        noRestCalls: true,
    },
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

async function freshFor(scenario: Pick<Scenario, 'prepare' | 'settings' | 'faults'>, op: Operation, door: Door): Promise<Workspace> {
    const fixture = await ev.fresh((f) => scenario.prepare?.(f.workspace), scenario.settings ?? {});
    for (const [where, fault] of scenario.faults ?? []) {
        fixture.workspace.setFault(where === 'write' ? (door === 'endpoint' ? op.forwardPath : op.writePath) : where, fault);
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
        it('via command: the §3 answer, a warning without the token, an unchanged workspace', async () => {
            const ws = await freshFor(scenario, op, 'command');
            const before = ws.snapshot();
            const room = roomState(ws);
            const mark = ev.logMark();
            ws.resetCounters();

            const got = await attempt('command', op, ws);

            expect(got.reply).toContain(translated(scenario.command.key));
            expectWarnings(mark, ev.engine.serviceAccount.token);
            expect(roomState(ws)).toEqual(room);
            expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
            if (scenario.noRestCalls) {
                expect(ws.restCalls).toEqual([]);
            }
        });

        const expected = typeof scenario.endpoint === 'function' ? scenario.endpoint(op) : scenario.endpoint;
        const title =
            'works' in expected
                ? 'via endpoint: the change is made all the same (Rocket.Chat decides, as the caller)'
                : 'fails' in expected
                  ? 'via endpoint: 502, a warning without any token, an unchanged workspace'
                  : `via endpoint: Rocket.Chat's ${expected.passedOn} passed on, an unchanged workspace`;
        it(title, async () => {
            const ws = await freshFor(scenario, op, 'endpoint');
            // Auth headers are minted before the snapshot (minting a token is itself a write).
            const token = ev.headersOf('alice')['X-Auth-Token'];
            const before = ws.snapshot();
            const room = roomState(ws);
            const was = { encrypted: encryptedNow(ws) };
            const mark = ev.logMark();
            ws.resetCounters();

            const got = await attempt('endpoint', op, ws);

            if ('works' in expected) {
                expect(got.status).toBe(200);
                expect(op.done(ws, was)).toBe(true);
                expect(ws.restCalls.filter((call) => call.userId !== ev.userId('alice'))).toEqual([]);
                return;
            }
            if ('fails' in expected) {
                expect({ status: got.status, body: got.body }).toEqual(appFailure(expected.fails.status, expected.fails.errorType));
                expectWarnings(mark, ev.engine.serviceAccount.token);
                for (const line of ev.linesSince(mark, 'warning')) {
                    expect(line).not.toContain(token);
                }
            } else {
                expect(got.status).toBe(expected.passedOn);
                expect(got.body).toEqual(CHANGE_UNAUTHORIZED);
            }
            expect(roomState(ws)).toEqual(room);
            expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
            if (scenario.noRestCalls) {
                expect(ws.restCalls).toEqual([]);
            }
        });
    });
});

describe('the team refused', () => {
    const teamOp = OPERATIONS[2];
    const refusal = { success: false, error: 'error-team-creation' };

    it('via command: Rocket.Chat refusing teams.create (400 error-team-creation) is named in the reply; no half-made team', async () => {
        const ws = await freshFor({ faults: [[TEAMS_CREATE, { kind: 'status', status: 400, body: refusal }]] }, teamOp, 'command');
        const before = ws.snapshot();
        const got = await attempt('command', teamOp, ws);
        expect(got.reply).toContain('error-team-creation');
        expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        expect(ws.listTeams().map((t) => t.name)).toEqual(['eng']);
    });

    it("via endpoint: Rocket.Chat's 400 to groups.convertToTeam is passed on unchanged; no half-made team", async () => {
        const ws = await freshFor({ faults: [['write', { kind: 'status', status: 400, body: refusal }]] }, teamOp, 'endpoint');
        ev.headersOf('alice');
        const before = ws.snapshot();
        const got = await attempt('endpoint', teamOp, ws);
        expect({ status: got.status, body: got.body }).toEqual({ status: 400, body: refusal });
        expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        expect(ws.listTeams().map((t) => t.name)).toEqual(['eng']);
    });

    it.each(DOORS)('a failed conversion via %s leaves the group convertible: the retry makes exactly one team', async (door) => {
        const ws = await freshFor({ faults: [['write', { kind: 'status', status: 500, times: 1 }]] }, teamOp, door);
        const first = await attempt(door, teamOp, ws);
        if (door === 'endpoint') {
            expect({ status: first.status, body: first.body }).toEqual(appFailure(502, 'error-workspace-request-failed'));
        } else {
            expect(first.reply).toContain(translated(REQUEST_FAILED.key));
        }
        const retry = await attempt(door, teamOp, ws);
        if (door === 'endpoint') {
            expect(retry.status).toBe(200);
        }
        expect(ws.listTeams().filter((t) => t.name === ROOM)).toHaveLength(1);
        expect(ws.getRoomByName(ROOM)?.teamMain).toBe(true);
    });
});

describe('the permission table unreadable: the chat door refuses (fail closed), the HTTP door needs no table', () => {
    /** The workspace lets moderators toggle encryption; Rocket.Chat's default does not. */
    const moderatorsMayToggle = (ws: Workspace): void => {
        ws.setPermissionRoles('toggle-room-e2e-encryption', ['admin', 'owner', 'moderator']);
    };
    const encryption = OPERATIONS[0];

    it('control: with the table readable, the moderator may toggle through both doors (the workspace table is used)', async () => {
        let ws = await freshFor({ prepare: moderatorsMayToggle }, encryption, 'command');
        await attempt('command', encryption, ws, 'bob');
        expect(encryptedNow(ws)).toBe(true);
        ws = await freshFor({ prepare: moderatorsMayToggle }, encryption, 'endpoint');
        expect((await attempt('endpoint', encryption, ws, 'bob')).status).toBe(200);
        expect(encryptedNow(ws)).toBe(true);
    });

    const unreadable: Array<[string, RestFault]> = [
        ['answers 500', { kind: 'status', status: 500 }],
        ['refuses the connection', { kind: 'refuse' }],
        ['answers 200 with an unexpected body', { kind: 'status', status: 200, body: { success: true } }],
        ['answers 403', { kind: 'status', status: 403, body: { success: false, error: 'unauthorized' } }],
        ['answers 429 (the service account without api-bypass-rate-limit)', { kind: 'status', status: 429, body: { success: false, error: 'too many' } }],
    ];

    describe.each(unreadable)('permissions.listAll %s', (_title, fault) => {
        it.each(['bob', 'alice'])('via command: %s is refused (permissions unavailable), with a warning, nothing changed', async (username) => {
            const ws = await freshFor({ prepare: moderatorsMayToggle, faults: [[LIST_ALL, fault]] }, encryption, 'command');
            const before = ws.snapshot();
            const mark = ev.logMark();
            const got = await attempt('command', encryption, ws, username);
            expect(got.reply).toContain(translated(TABLE_UNREADABLE.key));
            expectWarnings(mark, ev.engine.serviceAccount.token);
            expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        });

        it('via endpoint: the moderator changes it all the same (Rocket.Chat decides; the app reads no table)', async () => {
            const ws = await freshFor({ prepare: moderatorsMayToggle, faults: [[LIST_ALL, fault]] }, encryption, 'endpoint');
            const response = await attempt('endpoint', encryption, ws, 'bob');
            expect(response.status).toBe(200);
            expect(encryptedNow(ws)).toBe(true);
            expect(ws.restCalls.map((call) => call.path)).not.toContain(LIST_ALL);
        });

        it('a dry run over HTTP is refused like the chat door (503 error-permissions-unavailable)', async () => {
            const ws = await freshFor({ prepare: moderatorsMayToggle, faults: [[LIST_ALL, fault]] }, encryption, 'endpoint');
            ev.headersOf('bob');
            const before = ws.snapshot();
            const response = await ev.api('groups.setEncrypted', { ...encryption.body(ws), dryRun: true }, 'bob');
            expect(response).toEqual(appFailure(503, TABLE_UNREADABLE.errorType));
            expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        });
    });

    it('a table that could not be read is not kept: the next command reads it again and uses it', async () => {
        const ws = await freshFor({ prepare: moderatorsMayToggle, faults: [[LIST_ALL, { kind: 'status', status: 500, times: 1 }]] }, encryption, 'command');
        const refused = await attempt('command', encryption, ws, 'bob');
        expect(refused.reply).toContain(translated(TABLE_UNREADABLE.key));
        await attempt('command', encryption, ws, 'bob');
        expect(encryptedNow(ws)).toBe(true);
        expect(ws.restCalls.filter((c) => c.path === LIST_ALL)).toHaveLength(2);
    });
});

describe('timeouts (the app gives up after its request timeout; no hanging request, nothing changed)', () => {
    it('Rocket.Chat never answering the change: all three operations over HTTP and a command, at once', async () => {
        // One command: the chat door makes one change of a room at a time, so several commands on one room would wait
        // for each other's timeouts in turn.
        const ws = await freshFor({}, OPERATIONS[0], 'command');
        for (const op of OPERATIONS) {
            ws.setFault(op.writePath, { kind: 'timeout' });
            ws.setFault(op.forwardPath, { kind: 'timeout' });
        }
        ev.headersOf('alice');
        const before = ws.snapshot();
        const mark = ev.logMark();
        const { value, ms } = await timed(() =>
            Promise.all([
                Promise.all(OPERATIONS.map((op) => ev.api(op.endpoint, op.body(ws), 'alice'))),
                ev.commandsAtOnce([{ username: 'alice', roomName: ROOM, line: OPERATIONS[2].line(ws) }]),
            ]),
        );
        const [responses, commands] = value;
        for (const response of responses) {
            expect(response).toEqual(appFailure(502, REQUEST_FAILED.errorType));
        }
        expect(commands.errors).toEqual([]);
        expect(commands.deliveries.map((d) => d.kind)).toEqual(['ephemeral']);
        expect(commands.deliveries[0].text).toContain(translated(REQUEST_FAILED.key));
        expectWarnings(mark, ev.engine.serviceAccount.token, OPERATIONS.length + 1);
        expect(snapshotDiff(before, ws.snapshot())).toEqual([]);
        expect(ms).toBeLessThan(25000);
    }, 40000);

    it('the permission table never answering: the chat door refuses after the timeout; the HTTP door is not held up', async () => {
        const ws = await freshFor({ prepare: (w) => w.setPermissionRoles('toggle-room-e2e-encryption', ['admin', 'owner', 'moderator']) }, OPERATIONS[0], 'command');
        ws.setFault(LIST_ALL, { kind: 'timeout' });
        ev.headersOf('bob');
        const mark = ev.logMark();
        const line = OPERATIONS[0].line(ws);
        const [endpoint, command] = await Promise.all([
            timed(() => ev.api('groups.setEncrypted', OPERATIONS[0].body(ws), 'bob')),
            ev.commandsAtOnce([{ username: 'bob', roomName: ROOM, line }]),
        ]);
        expect(endpoint.value.status).toBe(200);
        expect(endpoint.ms).toBeLessThan(5000);
        const replies = command.deliveries.filter((d) => d.toUserId === ev.userId('bob'));
        expect(replies).toHaveLength(1);
        expect(replies[0].text).toContain(translated(TABLE_UNREADABLE.key));
        expectWarnings(mark, ev.engine.serviceAccount.token);
        expect(encryptedNow(ws)).toBe(true);
    }, 40000);
});

it('the service token never appears in any reply, response, error or log line of the fault tests', () => {
    expect(ev.watch.secretCount).toBeGreaterThan(0);
    expect(ev.watch.counts.responses + ev.watch.counts.replies).toBeGreaterThan(0);
    expect(ev.leaks()).toEqual([]);
});
