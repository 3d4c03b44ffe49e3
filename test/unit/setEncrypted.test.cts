import { setEncrypted } from '../../src/operations/setEncrypted';
import type { FakeWorkspace } from './fakes.cjs';
import { E2E, EDIT, NOT_FOUND, PARAM_NOT_PROVIDED, lookups, notAllowed, params, restFailure, standardWorkspace } from './helpers.cjs';

function run(ws: FakeWorkspace, userId: string, body: Record<string, unknown>, dryRun = false) {
    return setEncrypted({ user: ws.user(userId), room: params(body), encrypted: body.encrypted, dryRun }, ws.context());
}

describe('setEncrypted (semantics §4)', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = standardWorkspace();
    });

    it.each([['"true"', 'true'], ['1', 1], ['null', null], ['missing', undefined]])('encrypted %s → bodyParam error before any room lookup', async (_label, value) => {
        const body: Record<string, unknown> = { roomId: 'nope' };
        if (value !== undefined) {
            body.encrypted = value;
        }
        const failure = await restFailure(run(ws, 'olga', body));
        expect(failure).toEqual({ status: 400, content: { success: false, error: 'The bodyParam "encrypted" is required' } });
        expect(lookups(ws)).toEqual([]);
    });

    it('{} → error-room-param-not-provided (after the body check)', async () => {
        expect(await restFailure(run(ws, 'olga', { encrypted: true }))).toEqual({ status: 400, content: PARAM_NOT_PROVIDED });
    });

    it('{ roomId: "", roomName: "" } → error-room-param-not-provided', async () => {
        expect((await restFailure(run(ws, 'olga', { roomId: '', roomName: '', encrypted: true }))).content).toEqual(PARAM_NOT_PROVIDED);
    });

    it.each([[{ roomId: '' }], [{ roomName: '' }]])('%p alone → error-room-not-found', async (ref) => {
        expect((await restFailure(run(ws, 'olga', { ...ref, encrypted: true }))).content).toEqual(NOT_FOUND);
    });

    it('roomId wins: a wrong roomId fails even with a valid roomName', async () => {
        expect((await restFailure(run(ws, 'olga', { roomId: 'wrong', roomName: 'g1', encrypted: true }))).content).toEqual(NOT_FOUND);
        expect(lookups(ws)).toEqual(['room.getById']);
    });

    it('finds the group by roomName', async () => {
        const outcome = await run(ws, 'olga', { roomName: 'g1', encrypted: true });
        expect(outcome.dryRun).toBe(false);
    });

    it.each([['c'], ['d'], ['l']])('a room of type %s → error-room-not-found', async (t) => {
        ws.addRoom({ _id: 'x', t: t as 'c' }, [['olga', ['owner']]]);
        expect((await restFailure(run(ws, 'olga', { roomId: 'x', encrypted: true }))).content).toEqual(NOT_FOUND);
    });

    it('an admin who is not a member → error-room-not-found (no admin bypass)', async () => {
        expect((await restFailure(run(ws, 'ada', { roomId: 'g1', encrypted: true }))).content).toEqual(NOT_FOUND);
    });

    it('a member without view-p-room / view-joined-room → error-room-not-found', async () => {
        ws.permissions['view-p-room'] = ['admin'];
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', encrypted: true }))).content).toEqual(NOT_FOUND);
    });

    it('an archived group → error-room-archived, but only after the access check', async () => {
        ws.rooms.get('g1')!.archived = true;
        expect(await restFailure(run(ws, 'olga', { roomId: 'g1', encrypted: true }))).toEqual({
            status: 400,
            content: { success: false, error: 'The private group, g1, is archived [error-room-archived]', errorType: 'error-room-archived' },
        });
        expect((await restFailure(run(ws, 'out', { roomId: 'g1', encrypted: true }))).content).toEqual(NOT_FOUND);
    });

    it('a discussion is named by fname and reachable through its parent', async () => {
        ws.addRoom({ _id: 'disc', name: 'disc-slug', fname: 'Discussion', prid: 'g1', archived: true });
        const failure = await restFailure(run(ws, 'mem', { roomId: 'disc', encrypted: true }));
        expect(failure.content.error).toBe('The private group, Discussion, is archived [error-room-archived]');
    });

    it('a plain member → Editing room is not allowed', async () => {
        expect(await restFailure(run(ws, 'mem', { roomId: 'g1', encrypted: true }))).toEqual({
            status: 400,
            content: notAllowed('Editing room is not allowed', EDIT),
        });
    });

    it('a moderator (not owner) → You do not have permission to toggle E2E encryption', async () => {
        expect((await restFailure(run(ws, 'mo', { roomId: 'g1', encrypted: true }))).content).toEqual(
            notAllowed('You do not have permission to toggle E2E encryption', E2E),
        );
    });

    it('E2E_Enable off → Only groups or direct channels can enable encryption, for enabling and disabling', async () => {
        ws.serverSettings.E2E_Enable = false;
        const expected = notAllowed('Only groups or direct channels can enable encryption', E2E);
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', encrypted: true }))).content).toEqual(expected);
        ws.rooms.get('g1')!.encrypted = true;
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', encrypted: false }))).content).toEqual(expected);
        expect(ws.writes).toEqual([]);
    });

    it('E2E_Enable off checks before the toggle permission', async () => {
        ws.serverSettings.E2E_Enable = false;
        expect((await restFailure(run(ws, 'mo', { roomId: 'g1', encrypted: true }))).content.error).toContain('Only groups or direct channels');
    });

    it('the same value → written anyway, no E2E_Enable read, no toggle check', async () => {
        ws.serverSettings.E2E_Enable = false;
        ws.rooms.get('g1')!.encrypted = false;
        ws.permissions['toggle-room-e2e-encryption'] = [];
        const outcome = await run(ws, 'olga', { roomId: 'g1', encrypted: false });
        expect(outcome.dryRun).toBe(false);
        expect(ws.writes).toEqual([{ path: '/api/v1/rooms.saveRoomSettings', body: { rid: 'g1', encrypted: false } }]);
        expect(ws.calls).not.toContain('server.E2E_Enable');
        if (!outcome.dryRun) {
            expect(outcome.result.changes).toEqual({});
        }
    });

    it('a room without the field differs from false (strict comparison)', async () => {
        ws.serverSettings.E2E_Enable = false;
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', encrypted: false }))).content.error).toContain('Only groups or direct channels');
    });

    it('owner enables: one write, the group re-read after it', async () => {
        const outcome = await run(ws, 'olga', { roomId: 'g1', encrypted: true });
        expect(ws.writes).toEqual([{ path: '/api/v1/rooms.saveRoomSettings', body: { rid: 'g1', encrypted: true } }]);
        expect(outcome).toEqual({ dryRun: false, label: 'g1', result: { changes: { encrypted: { from: false, to: true } }, readGroup: expect.any(Function) } });
        expect(ws.calls.filter((c) => c === 'room.getById')).toHaveLength(1);
        expect(outcome.dryRun === false && (await outcome.result.readGroup())).toEqual(
                expect.objectContaining({
                    _id: 'g1',
                    name: 'g1',
                    fname: 'Group One',
                    t: 'p',
                    encrypted: true,
                    ro: false,
                    u: { _id: 'creator', username: 'creator' },
                    ts: '2024-01-02T03:04:05.000Z',
                    _updatedAt: '2024-01-02T03:04:06.000Z',
                }),
        );
        expect(ws.calls.filter((c) => c === 'room.getById')).toHaveLength(2);
    });

    it('an admin member passes with global roles only (no room-role reads)', async () => {
        await run(ws, 'adm', { roomId: 'g1', encrypted: true });
        expect(ws.calls.filter((c) => /getOwners|getModerators|getLeaders/.test(c))).toEqual([]);
    });

    it('dry run: every check, no write, a plan', async () => {
        const outcome = await run(ws, 'olga', { roomId: 'g1', encrypted: true }, true);
        expect(ws.writes).toEqual([]);
        expect(outcome).toEqual({
            dryRun: true,
            label: 'g1',
            plan: {
                operation: 'setEncrypted',
                room: { _id: 'g1', name: 'g1', fname: 'Group One', t: 'p' },
                changes: { encrypted: { from: false, to: true } },
                request: { method: 'POST', path: '/api/v1/rooms.saveRoomSettings', body: { rid: 'g1', encrypted: true } },
            },
        });
        expect((await restFailure(run(ws, 'mo', { roomId: 'g1', encrypted: true }, true))).content.error).toContain('toggle E2E');
    });

    it("Rocket.Chat's refusal of the write is passed on unchanged", async () => {
        ws.fault = (method) => (method === 'post' ? { url: '', method: 'post' as never, statusCode: 403, data: { success: false, error: 'unauthorized' } } : undefined);
        expect(await restFailure(run(ws, 'olga', { roomId: 'g1', encrypted: true }))).toEqual({ status: 403, content: { success: false, error: 'unauthorized' } });
    });
});
