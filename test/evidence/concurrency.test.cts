/**
 * Concurrency, in the real engine: 100 mixed requests at once on one group (encryption on/off, type public/private,
 * through endpoints and commands) end in a state some serial order of the same requests would give, with every
 * subscription agreeing with the room (never half converted) and no unhandled error; 10 concurrent `/toteam` on one
 * group (and 10 concurrent `groups.convertToTeam`) create exactly one team.
 */
import type { Workspace } from '../../host/workspace/Workspace.cjs';
import type { Evidence } from './support.cjs';
import { answerProblems, bootPerFile, withoutRateLimits } from './support.cjs';

let ev: Evidence;
bootPerFile((booted) => {
    ev = booted;
});

const ROOM = 'project-x';

type Kind = 'encrypt-on' | 'encrypt-off' | 'to-public' | 'to-private';
type State = { t: 'c' | 'p'; encrypted: boolean };

/** Serial semantics of one request by the room owner: the state after it (unchanged when it is refused). */
function apply(kind: Kind, s: State): State {
    switch (kind) {
        case 'encrypt-on':
            return s.t === 'p' ? { ...s, encrypted: true } : s;
        case 'encrypt-off':
            return s.t === 'p' ? { ...s, encrypted: false } : s;
        case 'to-public':
            return s.t === 'p' ? { ...s, t: 'c' } : s;
        default:
            return s.t === 'c' ? { ...s, t: 'p' } : s;
    }
}

const KINDS: Kind[] = ['encrypt-on', 'encrypt-off', 'to-public', 'to-private'];

/**
 * Every final state some order of the requests can reach. Exhaustive over the multiset: `reach[consumed]` is the set
 * (a 4-bit mask over t × encrypted) of states some order of the consumed requests gives; each step consumes one more
 * request of one kind, so the table fills in index order.
 */
function reachableFinalStates(counts: Record<Kind, number>, start: State): Set<string> {
    const states: State[] = [
        { t: 'p', encrypted: false },
        { t: 'p', encrypted: true },
        { t: 'c', encrypted: false },
        { t: 'c', encrypted: true },
    ];
    const indexOf = (s: State): number => (s.t === 'c' ? 2 : 0) + (s.encrypted ? 1 : 0);
    const dims = KINDS.map((k) => counts[k] + 1);
    const strides = dims.map((_d, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
    const size = dims.reduce((a, b) => a * b, 1);
    const reach = new Uint8Array(size);
    reach[0] = 1 << indexOf(start);
    const step = KINDS.map((kind) => states.map((s) => indexOf(apply(kind, s))));
    for (let idx = 0; idx < size; idx++) {
        const mask = reach[idx];
        if (!mask) {
            continue;
        }
        KINDS.forEach((_kind, i) => {
            const consumed = Math.floor(idx / strides[i]) % dims[i];
            if (consumed + 1 < dims[i]) {
                let next = 0;
                for (let s = 0; s < 4; s++) {
                    if (mask & (1 << s)) {
                        next |= 1 << step[i][s];
                    }
                }
                reach[idx + strides[i]] |= next;
            }
        });
    }
    const finals = new Set<string>();
    states.forEach((s, i) => {
        if (reach[size - 1] & (1 << i)) {
            finals.add(`${s.t}/${s.encrypted}`);
        }
    });
    return finals;
}

/** A fixed interleaving of the kinds and doors (deterministic, so a failure can be replayed). */
function plan(n: number, planSeed: number): Array<{ kind: Kind; door: 'endpoint' | 'command'; delayMs: number }> {
    let seed = planSeed;
    const next = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
    };
    const list = Array.from({ length: n }, (_v, i) => ({
        kind: KINDS[i % 4],
        door: (i % 8 < 4 ? 'endpoint' : 'command') as 'endpoint' | 'command',
        delayMs: 0,
    }));
    for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [list[i], list[j]] = [list[j], list[i]];
    }
    // Half start at once, the rest within 40 ms, so requests overlap with changes already under way.
    list.forEach((item, i) => {
        item.delayMs = i % 2 === 0 ? 0 : Math.floor(next() * 40);
    });
    return list;
}

function bodyOf(kind: Kind, roomId: string): { endpoint: string; body: Record<string, unknown> } {
    switch (kind) {
        case 'encrypt-on':
            return { endpoint: 'groups.setEncrypted', body: { roomId, encrypted: true } };
        case 'encrypt-off':
            return { endpoint: 'groups.setEncrypted', body: { roomId, encrypted: false } };
        case 'to-public':
            return { endpoint: 'groups.setType', body: { roomId, type: 'c' } };
        default:
            return { endpoint: 'groups.setType', body: { roomId, type: 'p' } };
    }
}

const LINES: Record<Kind, string> = {
    'encrypt-on': `/encrypt on ${ROOM}`,
    'encrypt-off': `/encrypt off ${ROOM}`,
    'to-public': `/settype public ${ROOM}`,
    'to-private': `/settype private ${ROOM}`,
};

function stateOf(ws: Workspace): State & { subscriptionTypes: string[] } {
    const room = ws.getRoomByName(ROOM);
    return {
        t: room?.t === 'c' ? 'c' : 'p',
        encrypted: room?.encrypted === true,
        subscriptionTypes: [...new Set(ws.getSubscriptions(room?._id ?? '').map((s) => s.t))],
    };
}

describe('100 concurrent mixed requests on one group', () => {
    const runs: Array<[number, boolean]> = [1, 2, 3].flatMap((seed): Array<[number, boolean]> => [
        [seed, false],
        [seed, true],
    ]);
    it.each(runs)('end in a state a serial order gives, never half converted (interleaving %i, encrypted at start: %s)', async (planSeed, encryptedAtStart) => {
        // 100 changes within a second from one client: Rocket.Chat's limiter would answer most of them 429.
        const fixture = await ev.fresh(withoutRateLimits);
        const ws = fixture.workspace;
        const roomId = ev.roomId(ROOM);
        if (encryptedAtStart) {
            const on = await ev.api('groups.setEncrypted', { roomId, encrypted: true }, 'alice');
            expect(on.status).toBe(200);
        }
        ev.headersOf('alice');
        const start = stateOf(ws);
        expect(start).toEqual({ t: 'p', encrypted: encryptedAtStart, subscriptionTypes: ['p'] });
        const messagesBefore = ws.getMessages(roomId).length;
        const requests = plan(100, planSeed * 7919);
        const counts = Object.fromEntries(KINDS.map((k) => [k, requests.filter((r) => r.kind === k).length])) as Record<Kind, number>;

        const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
        const endpointCalls = requests
            .filter((r) => r.door === 'endpoint')
            .map(async (r) => {
                await later(r.delayMs);
                const { endpoint, body } = bodyOf(r.kind, roomId);
                return ev.api(endpoint, body, 'alice');
            });
        const commandCalls = ev.commandsAtOnce(
            requests.filter((r) => r.door === 'command').map((r) => ({ username: 'alice', roomName: ROOM, line: LINES[r.kind], delayMs: r.delayMs })),
        );
        const [responses, commands] = await Promise.all([Promise.all(endpointCalls), commandCalls]);

        // No unhandled error: documented answers only, one reply per command, nothing in the error log.
        for (const response of responses) {
            expect(answerProblems(response)).toEqual([]);
            expect([200, 400]).toContain(response.status);
        }
        expect(commands.errors).toEqual([]);
        expect(commands.deliveries).toHaveLength(requests.filter((r) => r.door === 'command').length);
        for (const delivery of commands.deliveries) {
            expect(delivery.kind).toBe('ephemeral');
            expect(delivery.toUserId).toBe(ev.userId('alice'));
            expect(delivery.text?.trim()).toBeTruthy();
        }
        expect(ev.errorLines()).toEqual([]);

        // Never half converted: every member's subscription has the room's type.
        const end = stateOf(ws);
        expect(end.subscriptionTypes).toEqual([end.t]);

        // A state some serial order gives.
        expect([...reachableFinalStates(counts, start)]).toContain(`${end.t}/${end.encrypted}`);

        // The system messages tell a serial story: each type change flips the type, each encryption message flips
        // encryption, starting from the initial state and ending in the final one.
        const messages = ws.getMessages(roomId).slice(messagesBefore);
        let t = start.t;
        let encrypted = start.encrypted;
        for (const message of messages) {
            if (message.t === 'room_changed_privacy') {
                t = t === 'p' ? 'c' : 'p';
            } else if (message.t === 'room_e2e_enabled') {
                expect(encrypted).toBe(false);
                encrypted = true;
            } else if (message.t === 'room_e2e_disabled') {
                expect(encrypted).toBe(true);
                encrypted = false;
            }
        }
        expect({ t, encrypted }).toEqual({ t: end.t, encrypted: end.encrypted });
        const privacy = messages.filter((m) => m.t === 'room_changed_privacy').map((m) => m.msg);
        privacy.forEach((msg, i) => {
            if (i > 0) {
                expect(msg).not.toBe(privacy[i - 1]);
            }
        });

        const ok = responses.filter((r) => r.status === 200).length;
        console.log(
            `100 concurrent requests (interleaving ${planSeed}, encrypted at start: ${encryptedAtStart}): ${ok}/${responses.length} endpoint calls 200, ` +
                `${commands.deliveries.length} command replies, ${privacy.length} type changes and ` +
                `${messages.length - privacy.length} encryption changes applied; final ${end.t}/${end.encrypted ? 'encrypted' : 'not encrypted'}`,
        );
    }, 60000);
});

describe('concurrent team conversions of one group', () => {
    function expectExactlyOneTeam(ws: Workspace): void {
        const room = ws.getRoomByName(ROOM);
        const teams = ws.listTeams().filter((team) => team.roomId === room?._id);
        expect(teams).toHaveLength(1);
        expect(ws.listTeams().filter((team) => team.name.toLowerCase() === ROOM)).toHaveLength(1);
        expect(room?.teamMain).toBe(true);
        expect(room?.teamId).toBe(teams[0]._id);
        expect(ws.getMessages(room?._id ?? '').filter((m) => m.t === 'user-converted-to-team')).toHaveLength(1);
        const members = ws.getTeamMembers(teams[0]._id);
        expect(new Set(members.map((m) => m.userId)).size).toBe(members.length);
        expect(members.filter((m) => m.roles?.includes('owner')).map((m) => m.userId)).toEqual([ws.getUserByUsername('alice')?._id]);
    }

    it('10 concurrent /toteam create exactly one team; every invoker gets one reply', async () => {
        const { workspace } = await ev.fresh(withoutRateLimits);
        const commands = await ev.commandsAtOnce(Array.from({ length: 10 }, () => ({ username: 'alice', roomName: ROOM, line: `/toteam ${ROOM}` })));
        expect(commands.errors).toEqual([]);
        expect(commands.deliveries).toHaveLength(10);
        expect(commands.deliveries.every((d) => d.kind === 'ephemeral' && !!d.text?.trim())).toBe(true);
        expectExactlyOneTeam(workspace);
        expect(ev.errorLines()).toEqual([]);
    }, 60000);

    it('10 concurrent /toteam by different members (owner and admins) create exactly one team', async () => {
        const { workspace } = await ev.fresh((f) => {
            withoutRateLimits(f);
            // Make bob an owner too, so two different people race for the conversion.
            const room = f.workspace.getRoomByName(ROOM);
            const bob = f.workspace.getUserByUsername('bob');
            f.workspace.setRoomRoles(room?._id ?? '', bob?._id ?? '', ['owner']);
        });
        const users = ['alice', 'bob'];
        const commands = await ev.commandsAtOnce(Array.from({ length: 10 }, (_v, i) => ({ username: users[i % 2], roomName: ROOM, line: '/toteam' })));
        expect(commands.errors).toEqual([]);
        expect(commands.deliveries).toHaveLength(10);
        const room = workspace.getRoomByName(ROOM);
        const teams = workspace.listTeams().filter((team) => team.roomId === room?._id);
        expect(teams).toHaveLength(1);
        expect(room?.teamMain).toBe(true);
        expect(ev.errorLines()).toEqual([]);
    }, 60000);

    it('10 concurrent groups.convertToTeam: one 200, nine documented refusals, one team', async () => {
        const { workspace } = await ev.fresh(withoutRateLimits);
        ev.headersOf('alice');
        const responses = await Promise.all(Array.from({ length: 10 }, () => ev.api('groups.convertToTeam', { roomName: ROOM }, 'alice')));
        for (const response of responses) {
            expect(answerProblems(response)).toEqual([]);
        }
        expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
        for (const refused of responses.filter((r) => r.status !== 200)) {
            expect(refused).toEqual({ status: 400, body: { success: false, error: 'team-name-already-exists' } });
        }
        expectExactlyOneTeam(workspace);
        expect(ev.errorLines()).toEqual([]);
    }, 60000);
});

it('the service token never appears in any reply, response, error or log line of the concurrency tests', () => {
    expect(ev.watch.secretCount).toBeGreaterThan(0);
    expect(ev.leaks()).toEqual([]);
});
