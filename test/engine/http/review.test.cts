/**
 * Findings of the independent security review of the HTTP door (2026-12), each shown in the real engine:
 * 1. the "already in a team" guard of groups.convertToTeam must not fail open (a key that is no string, a read that
 *    Rocket.Chat refused), and the write acts on exactly the room that was checked;
 * 2. the history records only changes that happened, with `from` known, in the order Rocket.Chat applied them;
 * 3. groups.setType's second route tells nothing about a group the caller cannot access;
 * 4. the runtime's debug entry of a request keeps no credential, whichever was used to authenticate;
 * 5. (second review) a change on a room the caller is not in never waits in that room's serialization: it tells
 *    nothing about whether a hidden room exists, and nobody can hold busy a room they are not in.
 */
import type { RestResponse } from '../../../host/workspace/model.cjs';
import { withoutRateLimits } from '../harness.cjs';
import { useHttpDoor } from './support.cjs';
import type { HttpDoor } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

interface StoredChange {
    roomId: string;
    operation: string;
    from: unknown;
    to: unknown;
    door: string;
    seq: number;
    actor: { username: string };
}

/** The history records of a room, oldest first. */
function historyOf(roomId: string, operation: string): StoredChange[] {
    return door
        .persisted()
        .filter((data): data is StoredChange => !!data && typeof data === 'object' && 'operation' in data && 'seq' in data)
        .filter((record) => record.roomId === roomId && record.operation === operation)
        .sort((a, b) => a.seq - b.seq);
}

/** Every request the app sent to Rocket.Chat, with its body. */
function capture(): { sent: Array<{ path: string; body: unknown }>; restore: () => void } {
    const sent: Array<{ path: string; body: unknown }> = [];
    const handle = door.workspace.handleHttp.bind(door.workspace);
    door.workspace.handleHttp = async (req) => {
        sent.push({ path: req.path, body: req.body });
        return handle(req);
    };
    return { sent, restore: () => (door.workspace.handleHttp = handle) };
}

const TOO_MANY = {
    success: false,
    error: 'Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]',
};

describe('1. groups.convertToTeam: the "already in a team" guard never fails open', () => {
    it.each([
        ['an object roomName (a Mongo operator)', { roomName: { $regex: '^eng-secrets$' } }, 'roomName'],
        ['an object roomId', { roomId: { $ne: null } }, 'roomId'],
        ['an array roomName', { roomName: ['eng-secrets'] }, 'roomName'],
        ['a number roomId', { roomId: 7 }, 'roomId'],
    ])('%s → 400 error-invalid-params naming the key; nothing is sent, nothing changes', async (_label, body, key) => {
        await door.fresh();
        const before = door.workspace.fingerprint();
        const response = await door.post('groups.convertToTeam', body, 'alice');
        expect(response).toEqual({
            status: 400,
            body: { success: false, error: expect.stringMatching(new RegExp(`"${key}".*\\[error-invalid-params\\]$`)), errorType: 'error-invalid-params' },
        });
        expect(door.restCalls()).toEqual([]);
        expect(door.workspace.fingerprint()).toBe(before);
    });

    it("convertToTeam's own empty-key check comes first (Rocket.Chat's plain failure), then the type check", async () => {
        await door.fresh();
        const response = await door.post('groups.convertToTeam', { roomId: '', roomName: { $regex: 'x' } }, 'alice');
        expect(response).toEqual({ status: 400, body: { success: false, error: 'The parameter "roomId" or "roomName" is required' } });
        expect(door.restCalls()).toEqual([]);
        const direct = await door.rest('POST', 'groups.convertToTeam', 'alice', { roomId: '', roomName: 'project-x' });
        expect(response).toEqual({ status: direct.status, body: direct.body });
    });

    it("the caller's groups.info refused (429): that answer, as it came; the room in a team is not re-parented", async () => {
        await door.fresh();
        const child = door.workspace.getRoomByName('eng-secrets');
        expect(child?.teamId).toBeTruthy();
        door.workspace.setFault('/api/v1/groups.info', { kind: 'status', status: 429, body: TOO_MANY, times: 1 });
        const before = door.workspace.fingerprint();
        const response = await door.post('groups.convertToTeam', { roomName: 'eng-secrets' }, 'alice');
        expect(response).toEqual({ status: 429, body: TOO_MANY });
        expect(door.workspace.fingerprint()).toBe(before);
        expect(door.restCalls().map((call) => call.path)).toEqual(['/api/v1/groups.info']);
    });

    it('the write names exactly the room that was checked: { roomId: <the group read> }', async () => {
        await door.fresh();
        const rid = door.roomId('project-x');
        const seen = capture();
        let response: RestResponse;
        try {
            response = await door.post('groups.convertToTeam', { roomName: 'project-x', extra: { $set: { teamId: 'x' } } }, 'alice');
        } finally {
            seen.restore();
        }
        expect(response).toMatchObject({ status: 200, body: { team: { roomId: rid }, success: true } });
        expect(seen.sent.filter((s) => s.path === '/api/v1/groups.convertToTeam')).toEqual([{ path: '/api/v1/groups.convertToTeam', body: { roomId: rid } }]);
    });
});

describe('2. the history of HTTP changes: only what happened, in the order it happened', () => {
    it('a no-op records nothing, even when groups.info would have failed (it is not read at all)', async () => {
        await door.fresh();
        const px = door.roomId('project-x');
        expect(door.workspace.getRoom(px)?.encrypted).not.toBe(true);
        door.workspace.setFault('/api/v1/groups.info', { kind: 'status', status: 429, body: TOO_MANY });
        const response = await door.post('groups.setEncrypted', { roomId: px, encrypted: false }, 'alice');
        door.workspace.setFault('/api/v1/groups.info', undefined);
        expect(response.status).toBe(200);
        expect(historyOf(px, 'setEncrypted')).toEqual([]);
        // The caller's groups.info bucket is left alone: the room accessor gives `from`.
        expect(door.restCalls().map((call) => call.path)).toEqual(['/api/v1/groups.setEncrypted']);
    });

    it('concurrent HTTP changes of one room are recorded in the order Rocket.Chat applied them, each from → to', async () => {
        await door.fresh(withoutRateLimits);
        const px = door.roomId('project-x');
        const wanted = [true, true, false, true, false, false, true, false];
        const responses = await Promise.all(wanted.map((encrypted) => door.post('groups.setEncrypted', { roomId: px, encrypted }, 'alice')));
        expect(responses.map((r) => r.status)).toEqual(wanted.map(() => 200));

        // What Rocket.Chat applied, in order: its system messages (one per real change).
        const applied = door.workspace
            .getMessages(px)
            .filter((m) => m.t === 'room_e2e_enabled' || m.t === 'room_e2e_disabled')
            .map((m) => m.t === 'room_e2e_enabled');
        const records = historyOf(px, 'setEncrypted');
        expect(records.map((r) => r.to)).toEqual(applied);
        let state = false;
        for (const record of records) {
            expect(record).toMatchObject({ from: state, to: !state, door: 'endpoint', actor: { username: 'alice' } });
            state = record.to as boolean;
        }
        expect(door.workspace.getRoom(px)?.encrypted === true).toBe(state);
    });

    it('concurrent type changes: recorded in the order applied, no-ops not recorded', async () => {
        await door.fresh(withoutRateLimits);
        const px = door.roomId('project-x');
        const wanted = ['c', 'c', 'p', 'p', 'c', 'p'];
        const responses = await Promise.all(wanted.map((type) => door.post('groups.setType', { roomId: px, type }, 'alice')));
        expect(responses.every((r) => r.status === 200 || r.status === 400)).toBe(true);
        const applied = door.workspace
            .getMessages(px)
            .filter((m) => m.t === 'room_changed_privacy')
            .map((m) => m.msg);
        const records = historyOf(px, 'setType');
        expect(records).toHaveLength(applied.length);
        let state = 'p';
        for (const record of records) {
            expect(record.from).toBe(state);
            expect(record.to).not.toBe(state);
            state = record.to as string;
        }
        expect(door.workspace.getRoom(px)?.t).toBe(state);
    });
});

describe('3. groups.setType: a hidden group and a missing id are indistinguishable', () => {
    it('type "p": the same calls, the same answer', async () => {
        await door.fresh();
        const hiddenId = door.roomId('project-x');
        const hidden = await door.post('groups.setType', { roomId: hiddenId, type: 'p' }, 'dave');
        const hiddenCalls = door.restCalls().map((call) => call.path);
        door.workspace.resetCounters();
        const missing = await door.post('groups.setType', { roomId: 'NoSuchRoomId12345', type: 'p' }, 'dave');
        const missingCalls = door.restCalls().map((call) => call.path);
        expect(hiddenCalls).toEqual(missingCalls);
        expect(hiddenCalls).toEqual(['/api/v1/groups.setType']);
        expect(hidden.status).toBe(missing.status);
        expect(JSON.stringify(hidden.body)).toBe(JSON.stringify(missing.body));
    });
});

describe('4. the debug entry of a request keeps no credential, whichever authenticated it', () => {
    it('a second credential next to X-User-Id/X-Auth-Token (Bearer, cookie, access_token) is scrubbed by name', async () => {
        await door.fresh();
        const extra = {
            Authorization: 'Bearer SecondBearerSecret-0001',
            Cookie: 'rc_uid=someone; rc_token=CookieTokenSecret-0002',
        };
        const response = await door.host.callApi({
            method: 'POST',
            path: 'groups.setEncrypted',
            body: { roomName: 'project-x', encrypted: true, dryRun: true },
            headers: { ...extra, ...door.headersOf('alice') },
            query: { access_token: 'QueryTokenSecret-0003' },
        });
        expect(response.status).toBe(200);
        const text = JSON.stringify(door.host.logs());
        for (const secret of ['SecondBearerSecret-0001', 'CookieTokenSecret-0002', 'QueryTokenSecret-0003']) {
            expect(text).not.toContain(secret);
        }
        expect(door.leaksIn(text)).toEqual([]);
    });
});

describe('5. a room the caller is not in: no queue, no oracle', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
        ['groups.setEncrypted', { encrypted: true }],
        ['groups.setType', { type: 'c' }],
        ['groups.setType', { type: 'p' }],
    ];

    it.each(cases)('%s %j: a hidden group and a missing room cost the same calls, by id and by name', async (path, fields) => {
        await door.fresh();
        const calls = async (ref: Record<string, string>) => {
            door.host.resetCounters();
            door.workspace.resetCounters();
            const response = await door.post(path, { ...ref, ...fields }, 'dave');
            return { calls: door.host.bridgeCalls(), rest: door.restCalls().map((call) => call.path), status: response.status, body: JSON.stringify(response.body) };
        };
        await calls({ roomId: 'WarmUp' }); // the server settings the door reads are remembered for a minute
        expect(await calls({ roomId: door.roomId('project-x') })).toEqual(await calls({ roomId: 'NoSuchRoomId12345' }));
        expect(await calls({ roomName: 'project-x' })).toEqual(await calls({ roomName: 'no-such-room' }));
    });

    it("while a member's change of the group hangs, a non-member's change of it is answered at once", async () => {
        await door.fresh();
        door.workspace.setFault('/api/v1/groups.setEncrypted', { kind: 'timeout', times: 1 });
        const hanging = door.post('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice');
        await new Promise((resolve) => setTimeout(resolve, 500));
        const started = Date.now();
        const outsider = await door.post('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'dave');
        const waited = Date.now() - started;
        expect(outsider.status).toBe(400);
        expect((outsider.body as { errorType?: string }).errorType).toBe('error-room-not-found');
        expect(waited).toBeLessThan(3000);
        expect((await hanging).status).toBe(502);
    }, 60000);
});
