/**
 * Cost, in the real engine: what an operation asks of the server (accessor and bridge round trips from the app's
 * Deno process, bridge calls by method, REST calls to the workspace) does not grow with the room: the same on a
 * 5,000-member group as on a 3-member one. A chat-door change reads the permission table live (what changed since
 * the last read) and stays within 6 round trips, that read included (the door's own answer, announcement and history
 * apart); the HTTP door forwards the change to Rocket.Chat (the write plus at most one read).
 */
import type { EngineUnderTest } from '../harness.cjs';
import type { RestCall } from '../../../host/workspace/Workspace.cjs';
import { useEngine } from '../harness.cjs';
import { ephemeral, text } from './support.cjs';
import type { Prepare } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

const BIG = 'big-group';

/** A private group of `size` members: alice (owner) and `size - 1` others. */
function groupOf(size: number): Prepare {
    return ({ workspace }) => {
        const others: string[] = [];
        for (let i = 1; i < size; i++) {
            others.push(workspace.addUser({ username: `member-${String(i).padStart(4, '0')}` })._id);
        }
        const alice = workspace.getUserByUsername('alice');
        workspace.addRoom({ name: BIG, t: 'p', owner: alice?._id ?? '', members: others });
    };
}

interface Cost {
    roundTrips: number;
    bridgeCalls: Record<string, number>;
    rest: string[];
}

interface Measured {
    costs: Record<string, Cost>;
    /** Every REST call of the whole run, warm-up included. */
    allRest: RestCall[];
}

/** One operation, measured: what it asked of the server, and that it worked. */
async function measure(run: () => Promise<void>): Promise<Cost> {
    engine.host.resetCounters();
    const trips = engine.host.roundTrips();
    const restBefore = engine.workspace.restCalls.length;
    await run();
    // The operation's system message reaches the app without the write waiting (as upstream): its handling is counted
    // with the operation that caused it, not with the next one.
    await engine.host.settled();
    return {
        roundTrips: engine.host.roundTrips() - trips,
        bridgeCalls: engine.host.bridgeCalls(),
        rest: engine.workspace.restCalls.slice(restBefore).map((call) => `${call.method} ${call.path}`),
    };
}

async function command(line: string, expected: string): Promise<void> {
    const run = await engine.command('alice', BIG, line);
    expect(ephemeral(run.deliveries).map((d) => d.text)).toEqual([expected]);
}

async function endpoint(path: string, body: Record<string, unknown>, headers: Record<string, string>): Promise<void> {
    const answer = await engine.host.callApi({ path, body, headers });
    expect(answer.status).toBe(200);
}

/** The same sequence of operations on a group of `size` members. */
async function runSequence(size: number): Promise<Measured> {
    await engine.fresh(groupOf(size));
    expect(engine.workspace.getSubscriptions(engine.roomId(BIG))).toHaveLength(size);
    const headers = engine.headersOf('alice');
    const restStart = engine.workspace.restCalls.length;
    const costs: Record<string, Cost> = {};
    // Warm-up, the same in both runs: a first full read of the permission table, the rate limiter's settings
    // (remembered a minute) with a real change attempt that changes nothing; the app's bot user is read once; the app's
    // own settings are read once.
    costs.warmUp = await measure(async () => {
        await endpoint('groups.setEncrypted', { roomName: BIG, encrypted: true, dryRun: true }, headers);
        const run = await engine.command('alice', BIG, '/encrypt status');
        expect(ephemeral(run.deliveries)).toHaveLength(1);
        await command('/encrypt off', text('en', 'done_encrypt_unchanged_off', { room: BIG }));
        // A first real change reads the app settings the record and the announcement use (history_limit,
        // announce_changes), which the app then keeps in module memory (current through onSettingUpdated); undone over HTTP.
        await command('/encrypt on', text('en', 'done_encrypt_on', { room: BIG }));
        await endpoint('groups.setEncrypted', { roomName: BIG, encrypted: false }, headers);
    });
    costs['/encrypt on'] = await measure(() => command('/encrypt on', text('en', 'done_encrypt_on', { room: BIG })));
    costs['groups.setEncrypted'] = await measure(() => endpoint('groups.setEncrypted', { roomName: BIG, encrypted: false }, headers));
    costs['groups.setType c'] = await measure(() => endpoint('groups.setType', { roomName: BIG, type: 'c' }, headers));
    costs['/settype private'] = await measure(() => command('/settype private', text('en', 'done_type_private', { room: BIG })));
    costs['/settype public'] = await measure(() => command('/settype public', text('en', 'done_type_public', { room: BIG })));
    costs['groups.setType p'] = await measure(() => endpoint('groups.setType', { roomName: BIG, type: 'p' }, headers));
    costs['groups.convertToTeam'] = await measure(() => endpoint('groups.convertToTeam', { roomName: BIG }, headers));
    const room = engine.workspace.getRoomByName(BIG);
    expect(room).toMatchObject({ t: 'p', encrypted: false, teamMain: true });
    return { costs, allRest: engine.workspace.restCalls.slice(restStart) };
}

describe('the cost of an operation does not grow with the room', () => {
    let small: Measured;
    let large: Measured;

    beforeAll(async () => {
        small = await runSequence(3);
        large = await runSequence(5000);
    }, 120000);

    it.each(['/encrypt on', 'groups.setEncrypted', 'groups.setType c', '/settype private', '/settype public', 'groups.setType p', 'groups.convertToTeam'])(
        '%s: the same round trips, bridge calls and REST calls on 5,000 members as on 3',
        (operation) => {
            expect(large.costs[operation]).toEqual(small.costs[operation]);
        },
    );

    it('a chat-door change, warm: the live permission read and the write; ≤ 6 round trips for the operation (7 when the room ends up encrypted)', () => {
        for (const operation of ['/encrypt on', '/settype private', '/settype public']) {
            const cost = small.costs[operation];
            expect(cost.rest).toEqual(['GET /api/v1/permissions.listAll', 'POST /api/v1/rooms.saveRoomSettings']);
            // The door's own work (its answer, the announcement, the history record) is not the operation's.
            const operationCalls = Object.entries(cost.bridgeCalls)
                .filter(([method]) => !/^(PersistenceBridge|MessageBridge)\./.test(method))
                .reduce((sum, [, count]) => sum + count, 0);
            // A room encrypted after the change: the announcement first asks E2E_Allow_Unencrypted_Messages (§9).
            expect(operationCalls).toBeLessThanOrEqual(operation === '/encrypt on' ? 7 : 6);
        }
    });

    it('the HTTP door: the forwarded write plus at most one read, and no permission table', () => {
        for (const operation of ['groups.setEncrypted', 'groups.setType c', 'groups.setType p', 'groups.convertToTeam']) {
            const { rest } = small.costs[operation];
            expect(rest.length).toBeLessThanOrEqual(2);
            expect(rest[rest.length - 1]).toMatch(/^POST /);
            expect(rest).not.toContain('GET /api/v1/permissions.listAll');
        }
    });

    it('reads the permission table on every chat-door operation: a change made in Rocket.Chat applies to the next one', () => {
        for (const run of [small, large]) {
            for (const operation of ['/encrypt on', '/settype private', '/settype public']) {
                expect(run.costs[operation].rest).toContain('GET /api/v1/permissions.listAll');
            }
        }
    });
});
