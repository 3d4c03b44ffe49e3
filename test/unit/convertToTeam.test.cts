import { clearPermissionCache } from '../../src/access/permissionTable';
import { convertToTeam } from '../../src/operations/convertToTeam';
import type { FakeWorkspace } from './fakes.cjs';
import { NOT_FOUND, PARAM_NOT_PROVIDED, lookups, params, restFailure, standardWorkspace } from './helpers.cjs';

function run(ws: FakeWorkspace, userId: string, body: Record<string, unknown>, dryRun = false) {
    return convertToTeam({ user: ws.user(userId), room: params(body), dryRun }, ws.context());
}

describe('convertToTeam (semantics §6)', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = standardWorkspace();
    });

    it.each([[{ roomId: '' }], [{ roomName: '' }], [{ roomId: 'g1', roomName: '' }], [{ roomId: '', roomName: '' }]])(
        '%p → plain 400 "The parameter ... is required" (no errorType)',
        async (body) => {
            expect(await restFailure(run(ws, 'olga', body))).toEqual({
                status: 400,
                content: { success: false, error: 'The parameter "roomId" or "roomName" is required' },
            });
            expect(lookups(ws)).toEqual([]);
        },
    );

    it('{} → error-room-param-not-provided with errorType', async () => {
        expect((await restFailure(run(ws, 'olga', {}))).content).toEqual(PARAM_NOT_PROVIDED);
    });

    it('not a member / a public channel → error-room-not-found', async () => {
        expect((await restFailure(run(ws, 'ada', { roomId: 'g1' }))).content).toEqual(NOT_FOUND);
        ws.addRoom({ _id: 'pub', t: 'c' }, [['olga', ['owner']]]);
        expect((await restFailure(run(ws, 'olga', { roomId: 'pub' }))).content).toEqual(NOT_FOUND);
    });

    it('without create-team and edit-room → 403 unauthorized', async () => {
        expect(await restFailure(run(ws, 'mem', { roomId: 'g1' }))).toEqual({ status: 403, content: { success: false, error: 'unauthorized' } });
        ws.permissions['create-team'] = ['admin'];
        clearPermissionCache();
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1' }))).status).toBe(403);
    });

    it("already a team's main room → team-name-already-exists (no errorType)", async () => {
        Object.assign(ws.rooms.get('g1')!, { teamId: 't1', teamMain: true });
        expect(await restFailure(run(ws, 'olga', { roomId: 'g1' }))).toEqual({ status: 400, content: { success: false, error: 'team-name-already-exists' } });
    });

    it('inside another team → error-room-already-in-team', async () => {
        ws.rooms.get('g1')!.teamId = 't1';
        expect(await restFailure(run(ws, 'olga', { roomId: 'g1' }))).toEqual({
            status: 400,
            content: {
                success: false,
                error: 'The private group is already part of a team [error-room-already-in-team]',
                errorType: 'error-room-already-in-team',
            },
        });
    });

    it('a room owner with only the global user role converts: teams.create with members and owner', async () => {
        const outcome = await run(ws, 'olga', { roomName: 'g1' });
        expect(ws.writes).toEqual([
            { path: '/api/v1/teams.create', body: { name: 'g1', type: 1, room: { id: 'g1' }, owner: 'olga', members: ['olga', 'mo', 'mem', 'adm'] } },
        ]);
        expect(outcome).toEqual({
            dryRun: false,
            label: 'g1',
            result: {
                team: {
                    _id: expect.any(String),
                    name: 'g1',
                    type: 1,
                    roomId: 'g1',
                    createdAt: '2024-01-02T03:04:05.000Z',
                    createdBy: { _id: 'svc-user', username: 'service' },
                    _updatedAt: '2024-01-02T03:04:05.000Z',
                },
            },
        });
    });

    it('a discussion becomes a team named by its fname', async () => {
        ws.addRoom({ _id: 'disc', name: 'disc-x', fname: 'Talk', prid: 'g1' }, [['olga', ['owner']]]);
        await run(ws, 'olga', { roomId: 'disc' });
        expect(ws.writes[0].body.name).toBe('Talk');
    });

    it('a name taken by a user (any case) → team-name-already-exists passed on from Rocket.Chat', async () => {
        ws.addUser('G1');
        expect(await restFailure(run(ws, 'olga', { roomId: 'g1' }))).toEqual({ status: 400, content: { success: false, error: 'team-name-already-exists' } });
    });

    it('dry run: checks, a plan, no members read, no write', async () => {
        const outcome = await run(ws, 'olga', { roomId: 'g1' }, true);
        expect(outcome).toEqual({
            dryRun: true,
            label: 'g1',
            plan: {
                operation: 'convertToTeam',
                room: { _id: 'g1', name: 'g1', fname: 'Group One', t: 'p' },
                changes: { teamMain: { from: false, to: true } },
                request: { method: 'POST', path: '/api/v1/teams.create', body: { name: 'g1', type: 1, room: { id: 'g1' }, owner: 'olga' } },
                team: { name: 'g1', type: 1, owner: 'olga' },
            },
        });
        expect(ws.calls).not.toContain('room.getMembers');
        expect(ws.writes).toEqual([]);
    });
});
