/** Reference `groups.convertToTeam` (semantics §3.1, §6, §8). */
import { Fixture, GROUP_NOT_FOUND, PARAM_NOT_PROVIDED } from './fixture.cjs';

describe('groups.convertToTeam (reference)', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.login(...Object.values(fx.users).filter((u) => u.active));
    });

    const paramRequired = { success: false, error: 'The parameter "roomId" or "roomName" is required' };

    it('a plain user who owns the group converts it: team doc, members, room flags, system message', async () => {
        const { owner, mod, member } = fx.users;
        const { group } = fx.rooms;
        const subsBefore = JSON.stringify(fx.ws.getSubscriptions(group._id));
        const res = await fx.post(owner, 'groups.convertToTeam', { roomId: group._id });
        expect(res.status).toBe(200);
        const body = res.body as { team: Record<string, unknown>; success: boolean };
        expect(body.success).toBe(true);
        expect(Object.keys(body.team).sort()).toEqual(['_id', '_updatedAt', 'createdAt', 'createdBy', 'name', 'roomId', 'type']);
        expect(body.team).toMatchObject({ name: 'secret', type: 1, roomId: group._id, createdBy: { _id: owner._id, username: 'olivia' } });
        expect(body.team._id).toMatch(/^[0-9a-f]{24}$/);
        expect(typeof body.team.createdAt).toBe('string');

        const teamId = body.team._id as string;
        const team = fx.ws.getTeam(teamId);
        expect(team).toMatchObject({ name: 'secret', type: 1, roomId: group._id });
        const room = fx.room(group._id);
        expect(room).toMatchObject({ teamId, teamMain: true, t: 'p' });
        const members = fx.ws.getTeamMembers(teamId);
        expect(members.map((m) => ({ userId: m.userId, roles: m.roles })).sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(
            [
                { userId: owner._id, roles: ['owner'] },
                { userId: mod._id, roles: undefined },
                { userId: member._id, roles: undefined },
            ].sort((a, b) => a.userId.localeCompare(b.userId)),
        );
        expect(members.every((m) => m.createdBy._id === owner._id)).toBe(true);
        // Subscriptions and their room roles are not changed.
        expect(JSON.stringify(fx.ws.getSubscriptions(group._id))).toBe(subsBefore);
        expect(fx.ws.getMessages(group._id)).toEqual([
            expect.objectContaining({ t: 'user-converted-to-team', msg: 'secret', u: { _id: owner._id, username: 'olivia' } }),
        ]);
    });

    it('inactive members are left out of the team', async () => {
        const { owner, inactive } = fx.users;
        fx.ws.addMember(fx.rooms.group._id, inactive._id);
        const res = await fx.post(owner, 'groups.convertToTeam', { roomName: 'secret' });
        const teamId = (res.body as { team: { _id: string } }).team._id;
        expect(fx.ws.getTeamMembers(teamId).map((m) => m.userId)).not.toContain(inactive._id);
        expect(fx.ws.getTeamMembers(teamId)).toHaveLength(3);
    });

    it('a moderator lacks nothing (create-team global + edit-room as moderator); the moderator becomes team owner', async () => {
        const { mod } = fx.users;
        const res = await fx.post(mod, 'groups.convertToTeam', { roomId: fx.rooms.group._id });
        expect(res.status).toBe(200);
        const teamId = (res.body as { team: { _id: string } }).team._id;
        expect(fx.ws.getTeamMembers(teamId).find((m) => m.roles?.includes('owner'))?.userId).toBe(mod._id);
    });

    it('not both create-team and edit-room: 403 unauthorized', async () => {
        await fx.expectRejected(() => fx.post(fx.users.member, 'groups.convertToTeam', { roomId: fx.rooms.group._id }), 403, {
            success: false,
            error: 'unauthorized',
        });
        fx.ws.setPermissionRoles('create-team', ['admin']);
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.convertToTeam', { roomId: fx.rooms.group._id }), 403, {
            success: false,
            error: 'unauthorized',
        });
    });

    it('create-team counts with the room roles too (scope: the group)', async () => {
        fx.ws.setPermissionRoles('create-team', ['admin', 'owner']);
        const res = await fx.post(fx.users.owner, 'groups.convertToTeam', { roomId: fx.rooms.group._id });
        expect(res.status).toBe(200);
    });

    it.each([[{ roomId: '' }], [{ roomName: '' }], [{ roomId: '', roomName: 'secret' }], [{ roomId: '<group>', roomName: '' }]])(
        'an empty key (%j): plain "The parameter … is required" without errorType',
        async (body) => {
            // '<group>' stands for the group's id (the table is built before the fixture exists).
            const b = { ...body } as Record<string, string>;
            if (b.roomId === '<group>') b.roomId = fx.rooms.group._id;
            await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.convertToTeam', b), 400, paramRequired);
        },
    );

    it('{}: error-room-param-not-provided (with errorType)', async () => {
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.convertToTeam', {}), 400, PARAM_NOT_PROVIDED);
    });

    it('roomId wins; non-members (admins included), channels, DMs, livechat: not found', async () => {
        const { owner, admin, outsider } = fx.users;
        await fx.expectRejected(() => fx.post(owner, 'groups.convertToTeam', { roomId: 'wrong', roomName: 'secret' }), 400, GROUP_NOT_FOUND);
        for (const user of [admin, outsider]) {
            await fx.expectRejected(() => fx.post(user, 'groups.convertToTeam', { roomId: fx.rooms.group._id }), 400, GROUP_NOT_FOUND);
        }
        for (const room of [fx.rooms.channel, fx.rooms.dm, fx.rooms.livechat]) {
            await fx.expectRejected(() => fx.post(owner, 'groups.convertToTeam', { roomId: room._id }), 400, GROUP_NOT_FOUND);
        }
    });

    it('archived group: error-room-archived', async () => {
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.convertToTeam', { roomId: fx.rooms.archived._id }), 400, {
            success: false,
            error: 'The private group, attic, is archived [error-room-archived]',
            errorType: 'error-room-archived',
        });
    });

    it("a team's main room: team-name-already-exists (no errorType), from Team.create's name check", async () => {
        await fx.expectRejected(() => fx.post(fx.users.teamOwner, 'groups.convertToTeam', { roomId: fx.rooms.teamMain._id }), 400, {
            success: false,
            error: 'team-name-already-exists',
        });
    });

    it('a room inside another team: no guard upstream, the room is silently re-parented to a new team', async () => {
        const { owner } = fx.users;
        const { teamChild } = fx.rooms;
        const res = await fx.post(owner, 'groups.convertToTeam', { roomId: teamChild._id });
        expect(res.status).toBe(200);
        const team = (res.body as { team: { _id: string; name: string; roomId: string } }).team;
        expect(team).toMatchObject({ name: 'crew-ops', roomId: teamChild._id });
        expect(team._id).not.toBe(fx.teamId);
        expect(fx.room(teamChild._id)).toMatchObject({ teamId: team._id, teamMain: true });
        // The old team is left as it was.
        expect(fx.ws.getTeam(fx.teamId)).toMatchObject({ roomId: fx.rooms.teamMain._id });
    });

    it('the 403 comes before the team checks', async () => {
        await fx.expectRejected(() => fx.post(fx.users.teamMember, 'groups.convertToTeam', { roomId: fx.rooms.teamMain._id }), 403, {
            success: false,
            error: 'unauthorized',
        });
    });

    it.each([['SECRET'], ['Secret'], ['secret']])('name taken by a username (%s, any case): team-name-already-exists', async (username) => {
        fx.ws.addUser({ username });
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.convertToTeam', { roomId: fx.rooms.group._id }), 400, {
            success: false,
            error: 'team-name-already-exists',
        });
    });

    it('name taken by another team (any case): team-name-already-exists', async () => {
        const { teamOwner } = fx.users;
        const room = fx.ws.addRoom({ name: 'other-main', t: 'p', owner: teamOwner._id });
        fx.ws.addTeam({ name: 'Secret', type: 1, mainRoomId: room._id, ownerId: teamOwner._id });
        await fx.expectRejected(() => fx.post(fx.users.owner, 'groups.convertToTeam', { roomId: fx.rooms.group._id }), 400, {
            success: false,
            error: 'team-name-already-exists',
        });
    });

    it.each([['all'], ['here'], ['administrator'], ['system'], ['user']])('blocked name "%s": error-blocked-username', async (name) => {
        const { owner } = fx.users;
        const room = fx.ws.addRoom({ name, t: 'p', owner: owner._id });
        await fx.expectRejected(() => fx.post(owner, 'groups.convertToTeam', { roomId: room._id }), 400, {
            success: false,
            error: `${name} is blocked and can't be used! [error-blocked-username]`,
            errorType: 'error-blocked-username',
            details: { method: 'checkUsernameAvailability', field: name },
        });
    });

    it('Accounts_BlockedUsernameList is case-insensitive and trimmed', async () => {
        const { owner } = fx.users;
        fx.ws.setSetting('Accounts_BlockedUsernameList', 'foo, Secret ,bar');
        await fx.expectRejected(() => fx.post(owner, 'groups.convertToTeam', { roomId: fx.rooms.group._id }), 400, {
            success: false,
            error: "secret is blocked and can't be used! [error-blocked-username]",
            errorType: 'error-blocked-username',
            details: { method: 'checkUsernameAvailability', field: 'secret' },
        });
    });

    it('the blocked check comes before the availability check', async () => {
        const { owner } = fx.users;
        fx.ws.addUser({ username: 'secret' });
        fx.ws.setSetting('Accounts_BlockedUsernameList', 'secret');
        const res = await fx.post(owner, 'groups.convertToTeam', { roomId: fx.rooms.group._id });
        expect(res.body).toMatchObject({ errorType: 'error-blocked-username' });
    });

    it('a discussion is converted under its fname; another room with that name: room-name-already-exists', async () => {
        const { owner } = fx.users;
        const { discussion } = fx.rooms;
        fx.ws.addRoom({ name: 'Launch plan', t: 'c', owner: owner._id });
        await fx.expectRejected(() => fx.post(owner, 'groups.convertToTeam', { roomId: discussion._id }), 400, {
            success: false,
            error: 'room-name-already-exists',
        });
    });

    it('a discussion converts with team name = fname', async () => {
        const { owner } = fx.users;
        const res = await fx.post(owner, 'groups.convertToTeam', { roomId: fx.rooms.discussion._id });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ team: { name: 'Launch plan' } });
        expect(fx.ws.getMessages(fx.rooms.discussion._id)[0].msg).toBe('Launch plan');
    });
});
