/**
 * Parity, in the real engine: every edge case of rocketchat-semantics.md (§8 and the check order of §3–§6) is sent to
 * Rocket.Chat's own endpoint (the workspace's `groups.*`, or `channels.setType` for the public → private extension, on
 * an exact twin of the workspace) and to the app's endpoint, as the same user. A real change over HTTP is forwarded to
 * Rocket.Chat with the caller's credentials, so there the app's answer is Rocket.Chat's; a dry run is the app's own
 * prediction (its operation cores, interface.md §5), and must give the same answer, or the plan, with the workspace
 * byte-for-byte unchanged. Both must give the document's answer — same status, `error`, `errorType`, `details` — and
 * leave the same rooms, subscriptions, teams, team members and messages behind. A rejection changes nothing at all.
 * Where the app refuses more than Rocket.Chat (its safety rules, `rocketChat` in the case), the app refuses both
 * ways and changes nothing.
 */
import { ALL_CASES, bodyOf } from './cases.cjs';
import type { Case } from './cases.cjs';
import type { Endpoint } from './support.cjs';
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { A, all, expectMessages, failureBody, normalizedState, prepareRun, room, runApp, runReference, setting } from './support.cjs';
import type { Prepared } from './support.cjs';
import type { RestResponse } from '../../../host/workspace/model.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

type Obj = Record<string, unknown>;

function omit(value: unknown, keys: string[]): Obj {
    const copy = { ...(value as Obj) };
    keys.forEach((key) => delete copy[key]);
    return copy;
}

/**
 * The room fields the app's `<room>` may add to Rocket.Chat's: the Apps-Engine room converter maps `sysMes`, `default`
 * and `ro` to booleans with defaults (`displaySystemMessages` true, `isDefault` false, `isReadOnly` false), and the
 * app always states `encrypted`; so an absent field can come back with its default value — and only with it.
 */
const CONVERTER_DEFAULTS: Obj = { sysMes: true, default: false, ro: false, encrypted: false };

function expectSameGroup(app: Obj, reference: Obj): void {
    const expected: Obj = omit(reference, ['_updatedAt']);
    const actual: Obj = omit(app, ['_updatedAt']);
    for (const [key, value] of Object.entries(CONVERTER_DEFAULTS)) {
        if (!(key in expected) && actual[key] === value) {
            delete actual[key];
        }
    }
    expect(actual).toEqual(expected);
    expect(typeof app._updatedAt).toBe('string');
}

/**
 * The team is the same but for its generated id and its timestamps; over HTTP the change is the caller's own
 * (interface.md §3), so `createdBy` is the caller, as in Rocket.Chat's answer.
 */
function expectSameTeam(app: Obj, reference: Obj, caller: string): void {
    const volatile = ['_id', 'createdAt', '_updatedAt'];
    expect(omit(app, volatile)).toEqual(omit(reference, volatile));
    expect(Object.keys(app).sort()).toEqual(Object.keys(reference).sort());
    expect(app.createdBy).toEqual({ _id: engine.userId(caller), username: caller });
    expect(app._id).toEqual(expect.stringMatching(/^[0-9a-f]{24}$/));
}

/** Rocket.Chat's answer to the case, on the twin: `channels.setType`'s `channel` answered as `group` (interface.md §3). */
async function reference(c: Case, prepared: Prepared, body: unknown): Promise<RestResponse> {
    const answer = await runReference(prepared, (c.via ?? c.endpoint) as Endpoint, body);
    if (c.via && answer.status === 200) {
        const { channel, ...rest } = answer.body as { channel: Obj };
        return { ...answer, body: { group: channel, ...rest } };
    }
    return answer;
}

/** The dry run (first, on the untouched workspace): the same error, or the plan; nothing written. */
async function expectDryRun(c: Case, prepared: Prepared, reference: RestResponse): Promise<void> {
    const body = { ...bodyOf(c, prepared.idOf), dryRun: true };
    const answer = await runApp(engine, prepared, c.endpoint, body);
    expect(engine.workspace.snapshot()).toBe(prepared.before);
    expect(engine.workspace.restCalls.filter((call) => call.method !== 'GET')).toEqual([]);
    if (c.appDecision !== undefined && c.appDecision !== 'ok') {
        // The app cannot predict this one and refuses (the real change is still Rocket.Chat's).
        expect(answer).toEqual({ status: c.appDecision.status, body: failureBody(c.appDecision) });
        return;
    }
    if (reference.status !== 200) {
        expect(answer).toEqual(reference);
        return;
    }
    expect(answer.status).toBe(200);
    // The plan summary (a human text of the plan) may come along; it is the plan's, not a decision.
    const { plan, summary: _summary, ...rest } = answer.body as { plan: Obj; summary?: unknown };
    expect(rest).toEqual({ success: true, dryRun: true });
    expect(plan.operation).toBe(c.endpoint.replace('groups.', ''));
    const ref = reference.body as { group?: Obj; team?: Obj };
    const roomId = ref.group ? ref.group._id : ref.team?.roomId;
    expect((plan.room as Obj)._id).toBe(roomId);
    const changes = plan.changes as Obj;
    switch (c.endpoint) {
        case 'groups.setEncrypted': {
            // A change is planned exactly when Rocket.Chat posts its system message.
            const encrypted = (bodyOf(c, prepared.idOf) as { encrypted: boolean }).encrypted;
            expect(changes).toEqual((c.messages ?? []).length ? { encrypted: { from: !encrypted, to: encrypted } } : {});
            break;
        }
        case 'groups.setType': {
            const to = (ref.group as Obj).t;
            expect(changes).toEqual({ t: { from: to === 'c' ? 'p' : 'c', to } });
            break;
        }
        default:
            expect(plan.team).toEqual({ name: (ref.team as Obj).name, type: 1, owner: engine.userId(c.user) });
    }
}

describe.each([
    ['groups.setEncrypted', ALL_CASES.filter((c) => c.endpoint === 'groups.setEncrypted')],
    ['groups.setType', ALL_CASES.filter((c) => c.endpoint === 'groups.setType')],
    ['groups.convertToTeam', ALL_CASES.filter((c) => c.endpoint === 'groups.convertToTeam')],
] as const)('%s: the app answers as Rocket.Chat does', (_endpoint, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        const prepared = await prepareRun(engine, c.user, c.prepare);
        const body = bodyOf(c, prepared.idOf);

        const ref = await reference(c, prepared, body);
        // The reference gives the semantics document's answer …
        const rocketChat = c.rocketChat ?? c.answer;
        if (rocketChat === 'ok') {
            expect(ref.status).toBe(200);
        } else {
            expect(ref).toEqual({ status: rocketChat.status, body: failureBody(rocketChat) });
        }
        if (c.rocketChat !== undefined) {
            // … but the app refuses more: as a dry run and as a change, and it changes nothing.
            if (c.answer === 'ok') {
                throw new Error(`${c.name}: an app that refuses more must refuse`);
            }
            const refused = { status: c.answer.status, body: failureBody(c.answer) };
            expect(await runApp(engine, prepared, c.endpoint, { ...body, dryRun: true })).toEqual(refused);
            expect(await runApp(engine, prepared, c.endpoint, body)).toEqual(refused);
            expect(engine.workspace.snapshot()).toBe(prepared.before);
            return;
        }

        await expectDryRun(c, prepared, ref);

        // … and so does the app, to the letter.
        const answer = await runApp(engine, prepared, c.endpoint, body);
        if (ref.status !== 200) {
            expect(answer).toEqual(ref);
            expect(engine.workspace.snapshot()).toBe(prepared.before);
            expect(prepared.twin.snapshot()).toBe(prepared.before);
            return;
        }
        expect(answer.status).toBe(200);
        const appBody = answer.body as { group?: Obj; team?: Obj; success: boolean };
        const refBody = ref.body as { group?: Obj; team?: Obj; success: boolean };
        expect(Object.keys(appBody).sort()).toEqual(Object.keys(refBody).sort());
        expect(appBody.success).toBe(true);
        if (refBody.group) {
            expectSameGroup(appBody.group as Obj, refBody.group);
        } else {
            expectSameTeam(appBody.team as Obj, refBody.team as Obj, c.user);
        }
        expect(normalizedState(engine.workspace, prepared.beforeJson)).toEqual(normalizedState(prepared.twin, prepared.beforeJson));
        expectMessages(engine.workspace, prepared.beforeJson, c.messages);
    });
});

describe('a dry run of a team conversion checks the name as teams.create will', () => {
    it('asks Rocket.Chat (users.checkUsernameAvailability) only on a dry run', async () => {
        const prepared = await prepareRun(engine, 'alice');
        await runApp(engine, prepared, 'groups.convertToTeam', { roomName: 'project-x', dryRun: true });
        expect(engine.workspace.restCalls.map((call) => call.path)).toContain('/api/v1/users.checkUsernameAvailability');
        engine.workspace.resetCounters();
        await runApp(engine, prepared, 'groups.convertToTeam', { roomName: 'project-x' });
        expect(engine.workspace.restCalls.map((call) => call.path)).not.toContain('/api/v1/users.checkUsernameAvailability');
    });

    it('cannot tell when Rocket.Chat refuses the check (Accounts_AllowUsernameChange off): the change itself still refuses', async () => {
        const prepared = await prepareRun(engine, 'alice', all(setting('Accounts_AllowUsernameChange', false), room({ name: 'dave', t: 'p', owner: 'alice' })));
        const dry = await runApp(engine, prepared, 'groups.convertToTeam', { roomName: 'dave', dryRun: true });
        expect(dry.status).toBe(200);
        expect(engine.workspace.snapshot()).toBe(prepared.before);
        const answer = await runApp(engine, prepared, 'groups.convertToTeam', { roomName: 'dave' });
        expect(answer).toEqual({ status: 400, body: { success: false, error: 'team-name-already-exists' } });
        expect(engine.workspace.snapshot()).toBe(prepared.before);
    });
});

describe("the workspace's GET users.checkUsernameAvailability (what the dry run asks)", () => {
    const ask = async (query: string): Promise<RestResponse> => {
        const { userId, token } = engine.serviceAccount;
        return engine.workspace.handle({
            method: 'GET',
            path: `/api/v1/users.checkUsernameAvailability${query}`,
            headers: { 'X-User-Id': userId, 'X-Auth-Token': token },
        });
    };

    it.each([
        ['?username=project-x', { result: true, success: true }],
        ['?username=DAVE', { result: false, success: true }],
        ['?username=Eng', { result: false, success: true }],
        ['?username=group-admin.service', { result: true, success: true }],
    ])('%s', async (query, body) => {
        await engine.fresh();
        expect(await ask(query)).toEqual({ status: 200, body });
    });

    it.each([
        ['?username=here', failureBody(A.blocked('here'))],
        ['?username=', failureBody({ status: 400, error: 'Invalid username [error-invalid-username]', errorType: 'error-invalid-username', details: { method: 'setUsername' } })],
        ['', { success: false, error: "must have required property 'username' [invalid-params]", errorType: 'invalid-params' }],
    ])('%s fails', async (query, body) => {
        await engine.fresh();
        expect(await ask(query)).toEqual({ status: 400, body });
    });

    it('refuses a caller with a username while Accounts_AllowUsernameChange is off', async () => {
        await engine.fresh(setting('Accounts_AllowUsernameChange', false));
        expect(await ask('?username=free-name')).toEqual({
            status: 400,
            body: { success: false, error: 'Not allowed [error-not-allowed]', errorType: 'error-not-allowed', details: { method: 'setUsername' } },
        });
    });
});
