/**
 * Rocket.Chat decides over HTTP (interface.md §3): a real change through an app endpoint is Rocket.Chat's own
 * endpoint called with the caller's credentials — no service account involved or needed — and its answer is the
 * app's answer. Dry runs stay the app's prediction and say so.
 */
import { NO_SERVICE_ACCOUNT, useHttpDoor } from './support.cjs';
import type { HttpDoor } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

const WRITES = ['/api/v1/groups.setEncrypted', '/api/v1/groups.setType', '/api/v1/channels.setType', '/api/v1/groups.convertToTeam'];

/** Every REST call the app made, with who made it. */
function callsBy(): Array<{ path: string; by: string }> {
    const names = new Map(door.workspace.listUsers().map((u) => [u._id, u.username]));
    return door.restCalls().map((call) => ({ path: call.path, by: names.get(call.userId ?? '') ?? `(${call.userId ?? 'none'})` }));
}

/** An answer's status and body (a forwarded answer also carries Rocket.Chat's rate-limit headers: limits.test.cts). */
function statusAndBody(answer: { status: number; body: unknown }): { status: number; body: unknown } {
    return { status: answer.status, body: answer.body };
}

describe('a real change is made by Rocket.Chat, as the caller', () => {
    it.each([
        ['with the service account configured', {}],
        ['with no service account at all', NO_SERVICE_ACCOUNT],
    ])('groups.setEncrypted %s: the caller writes, never the service account', async (_label, settings) => {
        await door.fresh(undefined, settings);
        const rid = door.roomId('project-x');

        const response = await door.post('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice');
        const calls = callsBy();

        expect(response.status).toBe(200);
        // Rocket.Chat's answer as it is: the group exactly as Rocket.Chat's own groups.info shows it now.
        const info = await door.rest('GET', 'groups.info', 'alice', undefined, { roomId: rid });
        expect(response.body).toEqual({ group: (info.body as { group: unknown }).group, success: true });
        expect(door.workspace.getRoom(rid)?.encrypted).toBe(true);
        // The system message names the caller, as when they call Rocket.Chat themselves.
        const last = door.workspace.getMessages(rid).slice(-1)[0];
        expect(last).toMatchObject({ t: 'room_e2e_enabled', u: { username: 'alice' } });
        // The app's one call went out as alice: the write (the room is read through the accessor, which costs the
        // caller no rate-limit bucket). None as the service account.
        expect(calls).toEqual([{ path: '/api/v1/groups.setEncrypted', by: 'alice' }]);
    });

    it('groups.setType and groups.convertToTeam need no service account either', async () => {
        await door.fresh(undefined, NO_SERVICE_ACCOUNT);
        const rid = door.roomId('project-x');
        const type = await door.post('groups.setType', { roomId: rid, type: 'c' }, 'alice');
        expect(type).toMatchObject({ status: 200, body: { group: { _id: rid, t: 'c' }, success: true } });
        expect(door.workspace.getMessages(rid).slice(-1)[0]).toMatchObject({ t: 'room_changed_privacy', u: { username: 'alice' } });

        await door.fresh(undefined, NO_SERVICE_ACCOUNT);
        const team = await door.post('groups.convertToTeam', { roomName: 'project-x' }, 'alice');
        expect(team).toMatchObject({ status: 200, body: { team: { name: 'project-x', roomId: door.roomId('project-x'), createdBy: { username: 'alice' } }, success: true } });
        expect(callsBy().filter((call) => call.by !== 'alice')).toEqual([]);
    });

    it("Rocket.Chat's refusal is the answer, status and body, as Rocket.Chat gives it to the caller", async () => {
        await door.fresh();
        const body = { roomName: 'project-x', encrypted: true };
        const direct = await door.rest('POST', 'groups.setEncrypted', 'carol', body);
        expect(direct.status).toBe(400);
        const before = door.workspace.fingerprint();
        expect(statusAndBody(await door.post('groups.setEncrypted', body, 'carol'))).toEqual({ status: direct.status, body: direct.body });
        expect(door.workspace.fingerprint()).toBe(before);
    });

    it('a permission revoked between two HTTP operations takes effect on the second, with no waiting', async () => {
        await door.fresh();
        const rid = door.roomId('project-x');
        expect((await door.post('groups.setEncrypted', { roomId: rid, encrypted: true }, 'alice')).status).toBe(200);

        const permission = door.workspace.getPermission('toggle-room-e2e-encryption');
        door.workspace.setPermissionRoles('toggle-room-e2e-encryption', (permission?.roles ?? []).filter((role) => role !== 'owner'));

        const second = await door.post('groups.setEncrypted', { roomId: rid, encrypted: false }, 'alice');
        expect(second).toMatchObject({ status: 400, body: { success: false, errorType: 'error-action-not-allowed' } });
        expect(door.workspace.getRoom(rid)?.encrypted).toBe(true);

        // … and a grant takes effect as fast.
        door.workspace.setPermissionRoles('edit-room', [...(door.workspace.getPermission('edit-room')?.roles ?? []), 'user']);
        door.workspace.setPermissionRoles('toggle-room-e2e-encryption', ['user']);
        expect((await door.post('groups.setEncrypted', { roomId: rid, encrypted: false }, 'carol')).status).toBe(200);
    });

    it('the public → private extension goes to channels.setType; its `channel` is answered as `group`', async () => {
        await door.fresh(({ workspace }) => {
            const alice = workspace.getUserByUsername('alice');
            workspace.addRoom({ name: 'plaza', t: 'c', owner: alice?._id ?? '' });
        });
        const rid = door.roomId('plaza');

        const response = await door.post('groups.setType', { roomName: 'plaza', type: 'p' }, 'alice');
        const calls = callsBy();

        expect(response.status).toBe(200);
        expect(Object.keys(response.body as object)).toEqual(['group', 'success']);
        const info = await door.rest('GET', 'groups.info', 'alice', undefined, { roomId: rid });
        expect(response.body).toEqual({ group: (info.body as { group: unknown }).group, success: true });
        expect(door.workspace.getRoom(rid)?.t).toBe('p');
        expect(calls.filter((call) => WRITES.includes(call.path))).toEqual([{ path: '/api/v1/channels.setType', by: 'alice' }]);
    });

    it('a group made public by someone else between the read and the write: type "p" still makes it private', async () => {
        await door.fresh();
        const rid = door.roomId('project-x');
        const handle = door.workspace.handleHttp.bind(door.workspace);
        let raced = false;
        // Bob makes the group public just before alice's forwarded change arrives (after the app read the room).
        door.workspace.handleHttp = async (req) => {
            if (!raced && req.path === '/api/v1/groups.setType') {
                raced = true;
                await handle({ method: 'POST', path: '/api/v1/groups.setType', body: { roomId: rid, type: 'c' }, headers: door.headersOf('bob') });
            }
            return handle(req);
        };
        try {
            const response = await door.post('groups.setType', { roomId: rid, type: 'p' }, 'alice');
            expect(response).toMatchObject({ status: 200, body: { group: { _id: rid, t: 'p' }, success: true } });
        } finally {
            door.workspace.handleHttp = handle;
        }
        expect(door.workspace.getRoom(rid)?.t).toBe('p');
    });

    it('type "p" on a room that is neither a public channel nor an accessible group: the group answer', async () => {
        await door.fresh();
        const missing = await door.post('groups.setType', { roomName: 'no-such-room', type: 'p' }, 'dave');
        const hidden = await door.post('groups.setType', { roomName: 'project-x', type: 'p' }, 'dave');
        const direct = await door.rest('POST', 'groups.setType', 'dave', { roomName: 'no-such-room', type: 'p' });
        expect(statusAndBody(missing)).toEqual({ status: direct.status, body: direct.body });
        expect(statusAndBody(hidden)).toEqual(statusAndBody(missing));
        expect(direct.body).toMatchObject({ errorType: 'error-room-not-found' });
    });
});

describe('the app may refuse more, never reveal more: a group already in a team', () => {
    it('is refused with error-room-already-in-team for a caller who can access it; nothing changes', async () => {
        await door.fresh();
        const before = door.workspace.fingerprint();
        const response = await door.post('groups.convertToTeam', { roomName: 'eng-secrets' }, 'alice');
        expect(response).toMatchObject({ status: 400, body: { success: false, errorType: 'error-room-already-in-team' } });
        expect(door.workspace.fingerprint()).toBe(before);
        expect(callsBy().map((call) => call.path)).toEqual(['/api/v1/groups.info']);
    });

    it('is "not found" for a caller who cannot access it, exactly as a room that does not exist', async () => {
        await door.fresh();
        const hidden = await door.post('groups.convertToTeam', { roomName: 'eng-secrets' }, 'dave');
        const missing = await door.post('groups.convertToTeam', { roomName: 'no-such-room' }, 'dave');
        const direct = await door.rest('POST', 'groups.convertToTeam', 'dave', { roomName: 'eng-secrets' });
        expect(statusAndBody(hidden)).toEqual({ status: direct.status, body: direct.body });
        expect(missing.status).toBe(hidden.status);
        expect(JSON.stringify(missing.body)).toBe(JSON.stringify(hidden.body));
        expect(hidden.body).toMatchObject({ errorType: 'error-room-not-found' });
    });
});

describe('dryRun', () => {
    it.each([['"true"', 'true'], ['1', 1], ['"yes"', 'yes'], ['null', null], ['0', 0], ['{}', {}], ['[]', []]])(
        'dryRun: %s → 400 error-invalid-param naming dryRun, nothing changes, nothing is sent',
        async (_label, value) => {
            await door.fresh();
            const before = door.workspace.fingerprint();
            for (const [path, body] of [
                ['groups.setEncrypted', { roomName: 'project-x', encrypted: true }],
                ['groups.setType', { roomName: 'project-x', type: 'c' }],
                ['groups.convertToTeam', { roomName: 'project-x' }],
            ] as const) {
                const response = await door.post(path, { ...body, dryRun: value }, 'alice');
                expect(response).toEqual({
                    status: 400,
                    body: { success: false, error: expect.stringMatching(/dryRun.*\[error-invalid-param\]$/), errorType: 'error-invalid-param' },
                });
            }
            expect(door.workspace.fingerprint()).toBe(before);
            expect(door.restCalls()).toEqual([]);
        },
    );

    it('dryRun: false is a real change (forwarded without the app\'s key)', async () => {
        await door.fresh();
        const response = await door.post('groups.setType', { roomName: 'project-x', type: 'c', dryRun: false }, 'alice');
        expect(response).toMatchObject({ status: 200, body: { group: { t: 'c' }, success: true } });
    });

    it("dryRun: true is the app's prediction, says so, and carries the chat's --dry-run summary in the caller's language", async () => {
        await door.fresh(({ workspace }) => workspace.setSetting('Language', 'de'));
        const before = door.workspace.fingerprint();
        const response = await door.post('groups.setType', { roomName: 'project-x', type: 'c', dryRun: true }, 'alice');
        expect(response.status).toBe(200);
        const body = response.body as { plan: Record<string, unknown>; summary: { language: string; text: string; lines: string[]; warning: string } };
        expect(body).toMatchObject({ success: true, dryRun: true, plan: { decidedBy: 'app', operation: 'setType', changes: { t: { from: 'p', to: 'c' } } } });
        expect(body.summary.language).toBe('de');
        expect(door.workspace.fingerprint()).toBe(before);

        const chat = await door.host.runCommand('/settype public --dry-run', door.userId('alice'), door.roomId('project-x'));
        const reply = chat.deliveries.find((d) => d.kind === 'ephemeral');
        expect(body.summary.text).toBe(reply?.text);
        expect(body.summary.lines.length).toBeGreaterThan(0);
        expect(body.summary.warning).not.toBe('');
    });
});
