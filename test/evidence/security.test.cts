/**
 * Security, in the real engine: endpoints refuse unauthenticated calls (401, Rocket.Chat's body) without reaching
 * the app; the caller's identity comes only from `request.user` (never from the body, a header the router did not
 * authenticate, or the query); a caller who cannot see a group gets exactly the answer of a group that does not
 * exist (endpoints and commands, by name and by id, dry run or not); and no reply, response, error or log line of
 * this file carries the service token.
 */
import { UNAUTHORIZED_BODY } from '../../host/engine/EngineHost.cjs';
import { ENDPOINTS, snapshotDiff, bootPerFile } from './support.cjs';
import type { Endpoint, Evidence } from './support.cjs';

let ev: Evidence;
bootPerFile((booted) => {
    ev = booted;
});

beforeEach(async () => {
    await ev.fresh((f) => {
        // An inactive user with a valid token, and a group nobody but alice belongs to.
        const erin = f.workspace.addUser({ username: 'erin', active: false });
        f.workspace.createAuthToken(erin._id);
        const alice = f.workspace.getUserByUsername('alice');
        f.workspace.addRoom({ name: 'alice-only', t: 'p', owner: alice?._id ?? '' });
    });
});

afterEach(() => {
    expect(ev.errorLines()).toEqual([]);
});

/** A body that would change something for a caller allowed to. */
function changingBody(endpoint: Endpoint, room: Record<string, string>): Record<string, unknown> {
    switch (endpoint) {
        case 'groups.setEncrypted':
            return { ...room, encrypted: true };
        case 'groups.setType':
            return { ...room, type: 'c' };
        default:
            return { ...room };
    }
}

/**
 * An answer's status and body. A forwarded answer also carries Rocket.Chat's `X-RateLimit-*` headers, whose
 * `Remaining` counts down from one request to the next whatever the room: the same for a hidden room and a missing one.
 */
function statusAndBody(answer: { status: number; body: unknown }): { status: number; body: unknown } {
    return { status: answer.status, body: answer.body };
}

describe('unauthenticated calls → 401 before the app runs', () => {
    const callers: Array<[string, () => Record<string, string>]> = [
        ['no headers', () => ({})],
        ['a user id without a token', () => ({ 'X-User-Id': ev.userId('alice') })],
        ['a token without a user id', () => ({ 'X-Auth-Token': ev.headersOf('alice')['X-Auth-Token'] })],
        ['a wrong token', () => ({ 'X-User-Id': ev.userId('alice'), 'X-Auth-Token': 'not-a-token' })],
        ["another user's token", () => ({ 'X-User-Id': ev.userId('alice'), 'X-Auth-Token': ev.headersOf('carol')['X-Auth-Token'] })],
        ['an unknown user id', () => ({ 'X-User-Id': 'NoSuchUser1234567', 'X-Auth-Token': ev.headersOf('alice')['X-Auth-Token'] })],
        ['the service account id with a made-up token', () => ({ 'X-User-Id': ev.engine.serviceAccount.userId, 'X-Auth-Token': 'guess' })],
    ];

    describe.each(ENDPOINTS)('%s', (endpoint) => {
        it.each(callers)('%s', async (_title, headersOf) => {
            const headers = headersOf();
            ev.headersOf('alice');
            const before = ev.snapshot();
            const roundTrips = ev.host.roundTrips();
            const response = await ev.callApi({ method: 'POST', path: endpoint, body: changingBody(endpoint, { roomName: 'project-x' }), headers });
            expect(response).toEqual({ status: 401, body: UNAUTHORIZED_BODY });
            expect(ev.host.roundTrips()).toBe(roundTrips);
            expect(ev.workspace.restCalls).toEqual([]);
            expect(snapshotDiff(before, ev.snapshot())).toEqual([]);
        });
    });

    it('an inactive user with a once-valid token is refused too', async () => {
        const erin = ev.workspace.getUserByUsername('erin');
        expect(erin?.active).toBe(false);
        const headers = { 'X-User-Id': erin?._id ?? '', 'X-Auth-Token': erin?.authTokens[0] ?? '' };
        const response = await ev.callApi({ method: 'POST', path: 'groups.setEncrypted', body: { roomName: 'project-x', encrypted: true }, headers });
        expect(response).toEqual({ status: 401, body: UNAUTHORIZED_BODY });
    });
});

describe('identity only from request.user', () => {
    /** Everything a client could put in a request to claim another identity. */
    function spoofed(body: Record<string, unknown>, as: string): Record<string, unknown> {
        const id = ev.userId(as);
        return {
            ...body,
            userId: id,
            uid: id,
            user: { _id: id, id, username: as, roles: ['admin'] },
            username: as,
            u: { _id: id, username: as },
            'X-User-Id': id,
            roles: ['admin'],
        };
    }

    it.each(ENDPOINTS)('%s: carol claiming to be alice (owner) or admin is still carol', async (endpoint) => {
        const body = changingBody(endpoint, { roomName: 'project-x' });
        const plain = await ev.api(endpoint, body, 'carol');
        expect(plain.status).not.toBe(200);
        const before = ev.snapshot();
        for (const as of ['alice', 'admin']) {
            const response = await ev.callApi({
                method: 'POST',
                path: endpoint,
                body: spoofed(body, as),
                query: { userId: ev.userId(as), username: as },
                headers: { ...ev.headersOf('carol'), 'x-forwarded-user': as, 'X-Impersonate': ev.userId(as) },
            });
            expect(statusAndBody(response)).toEqual(statusAndBody(plain));
        }
        expect(snapshotDiff(before, ev.snapshot())).toEqual([]);
    });

    it.each(ENDPOINTS)('%s: alice naming carol in the body acts as alice (the owner), and Rocket.Chat records alice', async (endpoint) => {
        const response = await ev.api(endpoint, spoofed(changingBody(endpoint, { roomName: 'project-x' }), 'carol'), 'alice');
        expect(response.status).toBe(200);
        if (endpoint === 'groups.convertToTeam') {
            const team = ev.workspace.getTeamByName('project-x');
            const owners = ev.workspace.getTeamMembers(team?._id ?? '').filter((m) => m.roles?.includes('owner'));
            expect(owners.map((m) => m.userId)).toEqual([ev.userId('alice')]);
        }
    });

    it('a command acts for its sender whatever the arguments say', async () => {
        const before = ev.snapshot();
        const reply = await ev.reply('carol', 'project-x', `/encrypt on project-x --user=alice ${ev.userId('alice')}`);
        expect(reply).toBeTruthy();
        expect(snapshotDiff(before, ev.snapshot())).toEqual([]);
        const asCarol = await ev.reply('carol', 'project-x', '/encrypt on project-x');
        expect(snapshotDiff(before, ev.snapshot())).toEqual([]);
        expect(asCarol).toBeTruthy();
    });
});

/** The reply with the reference the user typed (with or without its `#`) masked. */
function masked(reply: string, reference: string): string {
    return reply.split(reference).join('<room>').split(reference.replace(/^#/, '')).join('<room>');
}

describe('a group the caller cannot see answers exactly like a group that does not exist', () => {
    /** [title, room reference of the hidden group, room reference of a missing one] */
    const references: Array<[string, () => Record<string, string>, () => Record<string, string>]> = [
        ['by name', () => ({ roomName: 'project-x' }), () => ({ roomName: 'no-such-group' })],
        ['by id', () => ({ roomId: ev.roomId('project-x') }), () => ({ roomId: 'NoSuchRoom1234567' })],
        ['an archived group by name', () => ({ roomName: 'old-stuff' }), () => ({ roomName: 'no-such-group' })],
        ['a team room by id', () => ({ roomId: ev.roomId('eng-secrets') }), () => ({ roomId: 'NoSuchRoom1234567' })],
    ];

    describe.each(ENDPOINTS)('%s', (endpoint) => {
        describe.each(references)('%s', (_title, hidden, missing) => {
            it.each(['dave', 'admin', 'carol'])('for %s (not a member), dry run or not', async (username) => {
                const hiddenRef = hidden();
                const roomId = hiddenRef.roomId ?? ev.roomId(hiddenRef.roomName);
                if (ev.workspace.getUserRoomIds(ev.userId(username)).includes(roomId)) {
                    return; // carol is a member of some of these: only non-members are compared
                }
                ev.headersOf(username);
                const before = ev.snapshot();
                for (const dryRun of [false, true]) {
                    const extra = dryRun ? { dryRun: true } : {};
                    const seen = await ev.api(endpoint, { ...changingBody(endpoint, hiddenRef), ...extra }, username);
                    const absent = await ev.api(endpoint, { ...changingBody(endpoint, missing()), ...extra }, username);
                    expect(statusAndBody(seen)).toEqual(statusAndBody(absent));
                    expect(seen.status).toBe(400);
                }
                expect(snapshotDiff(before, ev.snapshot())).toEqual([]);
            });
        });
    });

    it.each([
        ['/encrypt on', 'project-x'],
        ['/encrypt status', 'project-x'],
        ['/settype public', 'project-x'],
        ['/settype status', 'project-x'],
        ['/toteam', 'project-x'],
        ['/encrypt on', 'alice-only'],
        ['/toteam', 'old-stuff'],
    ])('%s <hidden %s> typed by dave reads like a missing group', async (command, hidden) => {
        const before = ev.snapshot();
        const variants: Array<[string, string]> = [
            [hidden, 'no-such-group'],
            [`#${hidden}`, '#no-such-group'],
            [ev.roomId(hidden), 'NoSuchRoom1234567'],
        ];
        for (const [hiddenRef, missingRef] of variants) {
            for (const dryRun of ['', ' --dry-run']) {
                const seen = await ev.reply('dave', 'general', `${command} ${hiddenRef}${dryRun}`);
                const absent = await ev.reply('dave', 'general', `${command} ${missingRef}${dryRun}`);
                // The reply may echo the reference the user typed; apart from that it must be the same.
                expect(masked(seen, hiddenRef)).toBe(masked(absent, missingRef));
                expect(seen).not.toContain(ev.roomId(hidden) === hiddenRef ? hidden : ev.roomId(hidden));
            }
        }
        expect(snapshotDiff(before, ev.snapshot())).toEqual([]);
    });
});

it('the service token never appears in any reply, response, error or log line of the security tests', () => {
    expect(ev.watch.secretCount).toBeGreaterThan(0);
    expect(ev.watch.counts.responses).toBeGreaterThan(0);
    expect(ev.watch.counts.replies).toBeGreaterThan(0);
    expect(ev.leaks()).toEqual([]);
});
