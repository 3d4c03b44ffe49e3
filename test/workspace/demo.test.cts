/** The demo workspace and the seed loader. */
import { demoWorkspace, workspaceFromSeed } from '../../host/workspace/demo.cjs';
import type { Workspace } from '../../host/workspace/Workspace.cjs';

function rolesIn(ws: Workspace, roomName: string): Record<string, string[]> {
    const room = ws.getRoomByName(roomName);
    if (!room) throw new Error(`no room ${roomName}`);
    const out: Record<string, string[]> = {};
    for (const sub of ws.getSubscriptions(room._id)) out[sub.u.username] = sub.roles ?? [];
    return out;
}

describe('demoWorkspace()', () => {
    const { workspace: ws, serviceAccount } = demoWorkspace();

    it('users with roles and the demo password', () => {
        const users = Object.fromEntries(ws.listUsers().map((u) => [u.username, u.roles]));
        expect(users).toEqual({
            admin: ['admin', 'user'],
            alice: ['user'],
            bob: ['user'],
            carol: ['user'],
            dave: ['user'],
            'group-admin.service': ['admin', 'user'],
        });
        for (const name of ['admin', 'alice', 'bob', 'carol', 'dave']) {
            expect(ws.getUserByUsername(name)?.password).toBe('demo');
        }
    });

    it('the service account: a user-type account with a working personal access token', async () => {
        const sa = ws.getUser(serviceAccount.userId);
        expect(sa).toMatchObject({ username: 'group-admin.service', type: 'user', roles: ['admin', 'user'] });
        const me = await ws.handle({ method: 'GET', path: '/api/v1/me', headers: { 'X-User-Id': serviceAccount.userId, 'X-Auth-Token': serviceAccount.token } });
        expect(me.status).toBe(200);
    });

    it('rooms and room roles', () => {
        expect(ws.getRoomByName('project-x')).toMatchObject({ t: 'p' });
        expect(rolesIn(ws, 'project-x')).toEqual({ alice: ['owner'], bob: ['moderator'], carol: [] });
        const general = ws.getRoomByName('general');
        expect(general).toMatchObject({ t: 'c', default: true, usersCount: 6 });
        expect(ws.getRoomByName('old-stuff')).toMatchObject({ t: 'p', archived: true });
        expect(rolesIn(ws, 'old-stuff')).toEqual({ alice: ['owner'], bob: [] });
        expect(ws.getSetting('E2E_Enable')).toBe(true);
    });

    it('team eng with its private main room and the child room eng-secrets', () => {
        const team = ws.getTeamByName('eng');
        const main = ws.getRoomByName('eng');
        const child = ws.getRoomByName('eng-secrets');
        expect(team).toMatchObject({ type: 1, roomId: main?._id });
        expect(main).toMatchObject({ t: 'p', teamId: team?._id, teamMain: true });
        expect(rolesIn(ws, 'eng')).toEqual({ alice: ['owner'], bob: [], carol: [] });
        expect(child).toMatchObject({ t: 'p', teamId: team?._id });
        expect(child?.teamMain).toBeUndefined();
        expect(rolesIn(ws, 'eng-secrets')).toEqual({ alice: ['owner'], bob: [] });
        const members = ws.getTeamMembers(team?._id as string).map((m) => [ws.getUser(m.userId)?.username, m.roles ?? []]);
        expect(members).toEqual([
            ['bob', []],
            ['carol', []],
            ['alice', ['owner']],
        ]);
    });

    it('dave is in no private room', () => {
        const dave = ws.getUserByUsername('dave');
        expect(ws.getUserRoomIds(dave?._id as string)).toEqual([ws.getRoomByName('general')?._id]);
    });

    it('each call gives a fresh, independent workspace', () => {
        const other = demoWorkspace();
        expect(other.serviceAccount.userId).not.toBe(serviceAccount.userId);
        other.workspace.setSetting('E2E_Enable', false);
        expect(ws.getSetting('E2E_Enable')).toBe(true);
    });
});

describe('workspaceFromSeed()', () => {
    it('a minimal seed gets a default service account', () => {
        const { workspace, serviceAccount } = workspaceFromSeed({ users: [{ username: 'a' }] });
        expect(workspace.getUser(serviceAccount.userId)).toMatchObject({ username: 'group-admin.service', roles: ['admin', 'user'] });
        expect(workspace.authenticate({ 'X-User-Id': serviceAccount.userId, 'X-Auth-Token': serviceAccount.token })).toBeDefined();
    });

    it('a fixed token, languages, emails, leaders, ABAC attributes, public teams, JSON text', () => {
        const seed = {
            settings: { Language: 'de', ABAC_Enabled: true },
            users: [{ username: 'a', language: 'pt-BR', email: 'a@x.io' }, { username: 'b' }, { username: 'svc', roles: ['admin'] }],
            rooms: [
                { name: 'pub', type: 'c', owner: 'a', leaders: ['b'] },
                { name: 'abac', type: 'p', owner: 'a', abacAttributes: [{ key: 'k', values: ['v'] }] },
            ],
            teams: [{ name: 'pubteam', mainRoom: 'pub' }],
            serviceAccount: { username: 'svc', token: 'fixed-token' },
        };
        const { workspace, serviceAccount } = workspaceFromSeed(JSON.stringify(seed));
        expect(serviceAccount.token).toBe('fixed-token');
        expect(workspace.getUser(serviceAccount.userId)).toMatchObject({ username: 'svc', roles: ['admin'] });
        expect(workspace.getUserByUsername('a')).toMatchObject({ language: 'pt-BR', emails: [{ address: 'a@x.io', verified: true }] });
        expect(rolesIn(workspace, 'pub')).toEqual({ a: ['owner'], b: ['leader'] });
        expect(workspace.getTeamByName('pubteam')).toMatchObject({ type: 0 });
        expect(workspace.getTeamMembers(workspace.getTeamByName('pubteam')?._id as string).map((m) => m.roles ?? [])).toEqual([[], ['owner']]);
        expect(workspace.getRoomByName('abac')?.abacAttributes).toEqual([{ key: 'k', values: ['v'] }]);
        expect(workspace.getSetting('Language')).toBe('de');
    });

    it('lists every problem with its path', () => {
        const bad = {
            users: [{ username: 'a' }, { username: 'A' }, { name: 'no-username' }],
            rooms: [
                { name: 'r', type: 'secret', owner: 'a' },
                { name: 's', type: 'p', owner: 'zed', members: ['a', 'ghost'] },
                { name: 's', type: 'p', owner: 'a' },
                { name: 't', type: 'p', owner: 'a', team: 'nope' },
            ],
            teams: [{ name: 'tm', mainRoom: 'missing' }],
            extra: 1,
        };
        let message = '';
        try {
            workspaceFromSeed(bad);
        } catch (e) {
            message = (e as Error).message;
        }
        expect(message.split('\n')).toEqual([
            'Invalid workspace seed:',
            ' - seed.extra: unknown key (allowed: enterprise, settings, users, rooms, teams, serviceAccount)',
            ' - users[1].username: "A" is defined twice',
            ' - users[2].username: is required',
            ' - rooms[0].type: must be "private", "p", "public" or "c"',
            ' - rooms[1].owner: unknown user "zed"',
            ' - rooms[1].members[1]: unknown user "ghost"',
            ' - rooms[2].name: "s" is defined twice',
            ' - teams[0].mainRoom: unknown room "missing"',
            ' - rooms[3].team: unknown team "nope"',
        ]);
    });

    it('rejects non-objects and bad JSON', () => {
        expect(() => workspaceFromSeed([])).toThrow('Invalid workspace seed: expected a JSON object');
        expect(() => workspaceFromSeed('{')).toThrow(/Invalid workspace seed: not JSON/);
        expect(() => workspaceFromSeed({})).toThrow('users: must be a non-empty list');
    });
});
