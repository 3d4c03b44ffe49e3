/**
 * Rocket.Chat's own `/teams.create` and `/teams.info` e2e cases, against the workspace: upstream
 * `apps/meteor/tests/end-to-end/api/teams.ts` @ 93fd23f64a44d98be088e48a28d67935780fbba3. Where upstream reads
 * `teams.members` (not served by the workspace) the workspace's team member records are read instead.
 */
import type { WsTeam, WsUser } from '../../../host/workspace/model.cjs';
import { Upstream } from './support.cjs';
import type { Credentials } from './support.cjs';

describe('/teams.create', () => {
    const name = `test-team-create-${Date.now()}`;
    let up: Upstream;
    let testUser: WsUser;

    beforeAll(() => {
        up = new Upstream();
        testUser = up.createUser();
        up.updateSetting('UTF8_Channel_Names_Validation', '[0-9a-zA-Z-_.]+');
    });

    it('should create a public team', async () => {
        const res = await up.post('teams.create', { name, type: 0 });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect(res.body).toHaveProperty('team');
        expect(res.body).toHaveProperty('team._id');
    });

    it('should create a public team with a member', async () => {
        const res = await up.post('teams.create', { name: `test-team-${Date.now()}`, type: 0, members: [testUser.username] });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        const teamId = (res.body as { team: WsTeam }).team._id;
        // upstream: GET teams.members, the admin (added as owner) left out
        const members = up.ws.getTeamMembers(teamId).filter((m) => m.userId !== up.admin._id);
        expect(up.ws.getUser(members[0].userId)?.username).toBe(testUser.username);
    });

    it('should create private team with a defined owner', async () => {
        const res = await up.post('teams.create', { name: `test-team-private-owner-${Date.now()}`, type: 1 });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        const teamId = (res.body as { team: WsTeam }).team._id;
        const [member] = up.ws.getTeamMembers(teamId);
        expect(member).toHaveProperty('createdBy._id');
        expect(member).toHaveProperty('createdBy.username');
        expect(member).toHaveProperty('createdAt');
        expect(member.roles).toHaveLength(1);
        expect(member.roles?.[0]).toBe('owner');
    });

    it('should throw an error if the team already exists', async () => {
        const res = await up.post('teams.create', { name, type: 0 });
        expect(res.status).toBe(400);
        expect(res.body).toHaveProperty('success', false);
        expect((res.body as { error: string }).error).toBe('team-name-already-exists');
    });

    it('should create a team with sidepanel items containing channels', async () => {
        const teamName = `test-team-with-sidepanel-${Date.now()}`;
        const sidepanelItems = ['channels'];
        const response = await up.post('teams.create', { name: teamName, type: 0, sidepanel: { items: sidepanelItems } });
        expect(response.status).toBe(200);
        expect(response.body).toHaveProperty('success', true);

        const info = await up.get('channels.info', { roomId: (response.body as { team: WsTeam }).team.roomId });
        expect(info.status).toBe(200);
        expect(info.body).toHaveProperty('success', true);
        expect((info.body as { channel: { sidepanel: { items: string[] } } }).channel.sidepanel.items).toEqual(sidepanelItems);
    });

    it('should throw error when creating a team with sidepanel with more than 2 items', async () => {
        const res = await up.post('teams.create', { name: `test-team-with-sidepanel-error-${Date.now()}`, type: 0, sidepanel: { items: ['channels', 'discussion', 'other'] } });
        expect(res.status).toBe(400);
    });

    it('should throw error when creating a team with sidepanel with incorrect items', async () => {
        const res = await up.post('teams.create', { name: `test-team-with-sidepanel-error-${Date.now()}`, type: 0, sidepanel: { items: ['other'] } });
        expect(res.status).toBe(400);
    });

    it('should throw error when creating a team with sidepanel with duplicated items', async () => {
        const res = await up.post('teams.create', { name: `test-team-with-sidepanel-error-${Date.now()}`, type: 0, sidepanel: { items: ['channels', 'channels'] } });
        expect(res.status).toBe(400);
    });

    it('should not create a team with no associated room', async () => {
        const teamName = 'invalid*team*name';
        const res = await up.post('teams.create', { name: teamName, type: 0 });
        expect(res.status).toBe(400);
        expect(res.body).toHaveProperty('success', false);
        expect((res.body as { error: string }).error).toBe('error-team-creation');

        const info = await up.get('teams.info', { teamName });
        expect(info.status).toBe(400);
        expect(info.body).toHaveProperty('success', false);
        expect(info.body).toHaveProperty('error', 'Team not found');
        // upstream: GET teams.members → 'team-does-not-exist'; the workspace keeps no team of that name either
        expect(up.ws.getTeamByName(teamName)).toBeUndefined();
    });
});

describe('/teams.info', () => {
    const teamName = `test-team-info-${Date.now()}`;
    let up: Upstream;
    let testTeam: WsTeam;
    let testTeam2: WsTeam;
    let testUserCredentials: Credentials;

    beforeAll(async () => {
        up = new Upstream();
        testUserCredentials = up.login(up.createUser());
        testTeam = ((await up.post('teams.create', { name: teamName, type: 0 })).body as { team: WsTeam }).team;
        testTeam2 = ((await up.post('teams.create', { name: `${teamName}-2`, type: 1 })).body as { team: WsTeam }).team;
    });

    it('should successfully get a team info by name', async () => {
        const response = await up.get('teams.info', { teamName: testTeam.name });
        expect(response.status).toBe(200);
        expect(response.body).toHaveProperty('success', true);
        expect(response.body).toHaveProperty('teamInfo._id', testTeam._id);
        expect(response.body).toHaveProperty('teamInfo.name', testTeam.name);
    });

    it('should successfully get a team info by id', async () => {
        const response = await up.get('teams.info', { teamId: testTeam._id });
        expect(response.status).toBe(200);
        expect(response.body).toHaveProperty('success', true);
        expect(response.body).toHaveProperty('teamInfo._id', testTeam._id);
        expect(response.body).toHaveProperty('teamInfo.name', testTeam.name);
    });

    it('should fail if a team is not found', async () => {
        const response = await up.get('teams.info', { teamName: '' });
        expect(response.status).toBe(400);
        expect(response.body).toHaveProperty('success', false);
        expect(response.body).toHaveProperty('error', 'Team not found');
    });

    it('should fail if a user doesnt belong to a team', async () => {
        const response = await up.get('teams.info', { teamName: testTeam2.name }, testUserCredentials);
        expect(response.status).toBe(403);
        expect(response.body).toHaveProperty('success', false);
        expect(response.body).toHaveProperty('error', 'unauthorized');
    });
});
