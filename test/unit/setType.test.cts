import { clearPermissionCache } from '../../src/access/permissionTable';
import { setType } from '../../src/operations/setType';
import type { FakeWorkspace } from './fakes.cjs';
import { EDIT, NOT_FOUND, PARAM_NOT_PROVIDED, TYPE, lookups, notAllowed, params, restFailure, standardWorkspace } from './helpers.cjs';

function run(ws: FakeWorkspace, userId: string, body: Record<string, unknown>, dryRun = false) {
    return setType({ user: ws.user(userId), room: params(body), type: body.type, dryRun }, ws.context());
}

/** g1 becomes a room inside team t1, whose main room `main` has olga as a plain member and tom as owner. */
function withTeam(ws: FakeWorkspace, mainRoles: Record<string, string[]> = {}, teamType: 0 | 1 = 1): void {
    ws.addUser('tom');
    ws.addRoom({ _id: 'main', name: 'team-main', teamId: 't1', teamMain: true }, [['tom', ['owner']], ...Object.keys(mainRoles).map((u): [string, string[]] => [u, mainRoles[u]])]);
    ws.teams.push({ _id: 't1', name: 'team-main', type: teamType, roomId: 'main' });
    ws.rooms.get('g1')!.teamId = 't1';
}

describe('setType — private group (semantics §5A)', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = standardWorkspace();
    });

    it.each([['missing', undefined], ['empty', ''], ['blank', '   '], ['a number', 1], ['null', null]])('type %s → The bodyParam "type" is required, first', async (_l, type) => {
        const body: Record<string, unknown> = {};
        if (type !== undefined) {
            body.type = type;
        }
        expect(await restFailure(run(ws, 'olga', body))).toEqual({ status: 400, content: { success: false, error: 'The bodyParam "type" is required' } });
        expect(lookups(ws)).toEqual([]);
    });

    it('{ type } without a room key → error-room-param-not-provided', async () => {
        expect((await restFailure(run(ws, 'olga', { type: 'c' }))).content).toEqual(PARAM_NOT_PROVIDED);
        expect((await restFailure(run(ws, 'olga', { type: 'c', roomId: '', roomName: '' }))).content).toEqual(PARAM_NOT_PROVIDED);
    });

    it('same type → plain 400, before edit-room', async () => {
        expect(await restFailure(run(ws, 'mem', { roomId: 'g1', type: 'p' }))).toEqual({
            status: 400,
            content: { success: false, error: 'The private group type is the same as what it would be changed to.' },
        });
    });

    it('no edit-room → Editing room is not allowed', async () => {
        expect((await restFailure(run(ws, 'mem', { roomId: 'g1', type: 'c' }))).content).toEqual(notAllowed('Editing room is not allowed', EDIT));
    });

    it('an invalid type is reported after edit-room', async () => {
        expect((await restFailure(run(ws, 'mem', { roomId: 'g1', type: 'x' }))).content.error).toBe('Editing room is not allowed [error-action-not-allowed]');
    });

    it.each([['x'], ['C'], ['public']])('type %s → error-invalid-room-type with details', async (type) => {
        expect(await restFailure(run(ws, 'olga', { roomId: 'g1', type }))).toEqual({
            status: 400,
            content: {
                success: false,
                error: 'error-invalid-room-type [error-invalid-room-type]',
                errorType: 'error-invalid-room-type',
                details: { function: 'RocketChat.saveRoomType', type },
            },
        });
        expect(ws.writes).toEqual([]);
    });

    it('no create-c → Changing a private group to a public channel is not allowed', async () => {
        ws.permissions['create-c'] = ['admin'];
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content).toEqual(
            notAllowed('Changing a private group to a public channel is not allowed', TYPE),
        );
    });

    it('owner makes the group public: one write { rid, roomType }, the group re-read', async () => {
        const outcome = await run(ws, 'olga', { roomId: 'g1', type: 'c' });
        expect(ws.writes).toEqual([{ path: '/api/v1/rooms.saveRoomSettings', body: { rid: 'g1', roomType: 'c' } }]);
        expect(outcome.dryRun === false && (await outcome.result.readGroup()).t).toBe('c');
        expect(ws.calls).not.toContain('server.ABAC_Enabled');
    });

    it('a public channel with type c → error-room-not-found', async () => {
        ws.rooms.get('g1')!.t = 'c';
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content).toEqual(NOT_FOUND);
    });

    // A member of an ABAC-managed room is refused before any rule (src/access: Rocket.Chat decides access from
    // attributes apps cannot read), so the ABAC p→c rule is reached no more with ABAC_Enabled on.
    it('ABAC-managed group with ABAC_Enabled → refused (the access refusal); with it off → allowed', async () => {
        ws.rooms.get('g1')!.abacAttributes = [{ key: 'dept', values: ['x'] }];
        ws.serverSettings.ABAC_Enabled = true;
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content.error).toContain('is managed by attribute-based access control');
        ws.serverSettings.ABAC_Enabled = false;
        expect((await run(ws, 'olga', { roomId: 'g1', type: 'c' })).dryRun).toBe(false);
    });

    it('abacAttributes are read from a mapped field too', async () => {
        Object.assign(ws.rooms.get('g1')!, { abacAttributes: [{ key: 'k', values: ['v'] }], abacMapped: true });
        ws.serverSettings.ABAC_Enabled = true;
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content.error).toContain('is managed by attribute-based access control');
    });

    it('the ABAC refusal comes before the invalid-type check (type !== "p")', async () => {
        ws.rooms.get('g1')!.abacAttributes = [{ key: 'dept', values: ['x'] }];
        ws.serverSettings.ABAC_Enabled = true;
        expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'x' }))).content.error).toContain('is managed by attribute-based access control');
    });

    describe('a room inside a team (rule 2.3)', () => {
        it("the invoker's roles in the team's main room decide: none → refused", async () => {
            withTeam(ws, { olga: [] });
            expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content).toEqual(
                notAllowed("Changing a team's private group to a public channel is not allowed", TYPE),
            );
        });

        it('owner of the main room → allowed', async () => {
            withTeam(ws, { olga: ['owner'] });
            expect((await run(ws, 'olga', { roomId: 'g1', type: 'c' })).dryRun).toBe(false);
        });

        it('create-c is not needed inside a team (newest Rocket.Chat, audit F7)', async () => {
            withTeam(ws, { olga: ['owner'] });
            ws.permissions['create-c'] = ['admin'];
            expect((await run(ws, 'olga', { roomId: 'g1', type: 'c' })).dryRun).toBe(false);
        });

        it('create-team-channel is what decides, in the main room', async () => {
            withTeam(ws, { olga: ['owner'] });
            ws.permissions['create-team-channel'] = ['admin'];
            expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content.error).toContain("team's private group");
        });

        it('the team cannot be found → only global roles count', async () => {
            withTeam(ws, { olga: ['owner'] });
            ws.teams = [];
            expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content.error).toContain("team's private group");
            ws.permissions['create-team-channel'] = ['user'];
            clearPermissionCache();
            expect((await run(ws, 'olga', { roomId: 'g1', type: 'c' })).dryRun).toBe(false);
        });

        it("a team's main room uses the non-team rule", async () => {
            withTeam(ws, { olga: ['owner'] });
            ws.rooms.get('main')!.u = { _id: 'tom', username: 'tom' };
            const outcome = await setType({ user: ws.user('tom'), room: params({ roomId: 'main' }), type: 'c', dryRun: true }, ws.context());
            expect(outcome.dryRun).toBe(true);
            expect(ws.calls).not.toContain('http.get /api/v1/teams.info');
        });

        it("a private team whose main room is ABAC-managed: the main room's attributes do not matter (newest Rocket.Chat)", async () => {
            withTeam(ws, { olga: ['owner'] });
            ws.rooms.get('main')!.abacAttributes = [{ key: 'k', values: ['v'] }];
            ws.serverSettings.ABAC_Enabled = true;
            expect((await run(ws, 'olga', { roomId: 'g1', type: 'c' })).dryRun).toBe(false);
        });

        it('an ABAC-managed room inside a private team: the ABAC access refusal comes first', async () => {
            withTeam(ws, { olga: ['owner'] });
            ws.rooms.get('g1')!.abacAttributes = [{ key: 'k', values: ['v'] }];
            ws.serverSettings.ABAC_Enabled = true;
            expect((await restFailure(run(ws, 'olga', { roomId: 'g1', type: 'c' }))).content.error).toContain('is managed by attribute-based access control');
        });
    });
});

describe('setType — public channel to private group (extension 5B)', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = standardWorkspace();
        ws.addRoom({ _id: 'pub', name: 'pub', t: 'c' }, [['olga', ['owner']], ['mem']]);
    });

    it('owner makes the channel private', async () => {
        const outcome = await run(ws, 'olga', { roomName: 'pub', type: 'p' });
        expect(ws.writes).toEqual([{ path: '/api/v1/rooms.saveRoomSettings', body: { rid: 'pub', roomType: 'p' } }]);
        expect(outcome.dryRun === false && (await outcome.result.readGroup())).toEqual(expect.objectContaining({ _id: 'pub', t: 'p' }));
    });

    it('archived channel → The channel, <name>, is archived', async () => {
        ws.rooms.get('pub')!.archived = true;
        expect((await restFailure(run(ws, 'out', { roomId: 'pub', type: 'p' }))).content).toEqual({
            success: false,
            error: 'The channel, pub, is archived [error-room-archived]',
            errorType: 'error-room-archived',
        });
    });

    it('non-member: no access check, fails edit-room unless a global role grants it', async () => {
        expect((await restFailure(run(ws, 'out', { roomId: 'pub', type: 'p' }))).content).toEqual(notAllowed('Editing room is not allowed', EDIT));
        expect((await run(ws, 'ada', { roomId: 'pub', type: 'p' })).dryRun).toBe(false);
        expect(ws.calls).not.toContain('user.getUserRoomIds');
    });

    it('no create-p → Changing a public channel to a private room is not allowed', async () => {
        ws.permissions['create-p'] = ['admin'];
        expect((await restFailure(run(ws, 'olga', { roomId: 'pub', type: 'p' }))).content).toEqual(
            notAllowed('Changing a public channel to a private room is not allowed', TYPE),
        );
    });

    it("a team's channel: create-team-group with the main room's roles", async () => {
        ws.addRoom({ _id: 'main', name: 'tm', teamId: 't1', teamMain: true }, [['mo', ['moderator']]]);
        ws.teams.push({ _id: 't1', name: 'tm', type: 1, roomId: 'main' });
        ws.rooms.get('pub')!.teamId = 't1';
        expect((await restFailure(run(ws, 'olga', { roomId: 'pub', type: 'p' }))).content).toEqual(
            notAllowed("Changing a team's public channel to a private room is not allowed", TYPE),
        );
        ws.subscriptions.push({ rid: 'pub', uid: 'mo', roles: ['owner'] });
        expect((await run(ws, 'mo', { roomId: 'pub', type: 'p' })).dryRun).toBe(false);
    });
});
