/**
 * The endpoints the app calls as its service account (semantics §7): rooms.saveRoomSettings, teams.create,
 * teams.info, permissions.listAll, me; plus login, groups.info and channels.info.
 */
import { actionNotAllowed, D_E2E, D_EDIT, D_TYPE, Fixture, GROUP_NOT_FOUND, NOT_LOGGED_IN } from './fixture.cjs';

describe('service-account endpoints', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.login(...Object.values(fx.users).filter((u) => u.active));
    });

    describe('POST rooms.saveRoomSettings', () => {
        it('{ rid, encrypted }: checks and writes as the service account, which need not be a member', async () => {
            const { service } = fx.users;
            const { group } = fx.rooms;
            const res = await fx.post(service, 'rooms.saveRoomSettings', { rid: group._id, encrypted: true });
            expect(res).toEqual({ status: 200, body: { rid: group._id, success: true } });
            expect(fx.room(group._id).encrypted).toBe(true);
            expect(fx.ws.getMessages(group._id)).toEqual([
                expect.objectContaining({ t: 'room_e2e_enabled', msg: 'svc', u: expect.objectContaining({ _id: service._id, username: 'svc' }) }),
            ]);
            expect(fx.ws.getSubscription(group._id, service._id)).toBeUndefined();
        });

        it('{ rid, roomType }: type change with its side effects, sent as the service account', async () => {
            const { service } = fx.users;
            const { teamMain } = fx.rooms;
            const res = await fx.post(service, 'rooms.saveRoomSettings', { rid: teamMain._id, roomType: 'c' });
            expect(res).toEqual({ status: 200, body: { rid: teamMain._id, success: true } });
            expect(fx.room(teamMain._id).t).toBe('c');
            expect(fx.ws.getSubscriptions(teamMain._id).every((s) => s.t === 'c')).toBe(true);
            expect(fx.ws.getTeam(fx.teamId)?.type).toBe(0);
            expect(fx.ws.getMessages(teamMain._id)[0]).toMatchObject({ t: 'room_changed_privacy', msg: 'Public', u: { _id: service._id } });
        });

        it('the same roomType is a successful no-op', async () => {
            const { service } = fx.users;
            await fx.expectRejected(
                () => fx.post(service, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, roomType: 'p' }),
                200,
                { rid: fx.rooms.group._id, success: true },
            );
        });

        it('a room inside a team: the admin service account passes rule 2.3 through its global role', async () => {
            const res = await fx.post(fx.users.service, 'rooms.saveRoomSettings', { rid: fx.rooms.teamChild._id, roomType: 'c' });
            expect(res.status).toBe(200);
        });

        it('checks are the caller\'s: a non-admin service account without room roles fails edit-room', async () => {
            const weak = fx.ws.addUser({ username: 'weak-svc', roles: ['user'] });
            fx.login(weak);
            await fx.expectRejected(() => fx.post(weak, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, encrypted: true }), 400,
                actionNotAllowed('Editing room is not allowed', D_EDIT));
        });

        it('encryption: E2E_Enable off / public channel → "Only groups or direct channels can enable encryption"', async () => {
            const { service } = fx.users;
            await fx.expectRejected(() => fx.post(service, 'rooms.saveRoomSettings', { rid: fx.rooms.channel._id, encrypted: true }), 400,
                actionNotAllowed('Only groups or direct channels can enable encryption', D_E2E));
            fx.ws.setSetting('E2E_Enable', false);
            await fx.expectRejected(() => fx.post(service, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, encrypted: true }), 400,
                actionNotAllowed('Only groups or direct channels can enable encryption', D_E2E));
        });

        it('type: invalid value, ABAC, create-c and DM rules', async () => {
            const { service } = fx.users;
            await fx.expectRejected(() => fx.post(service, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, roomType: 'x' }), 400, {
                success: false,
                error: 'error-invalid-room-type [error-invalid-room-type]',
                errorType: 'error-invalid-room-type',
                details: { function: 'RocketChat.saveRoomType', type: 'x' },
            });
            await fx.expectRejected(() => fx.post(service, 'rooms.saveRoomSettings', { rid: fx.rooms.dm._id, roomType: 'c' }), 400, {
                success: false,
                error: "Can't change type of direct rooms [error-direct-room]",
                errorType: 'error-direct-room',
                details: { function: 'RocketChat.saveRoomType' },
            });
            fx.ws.setPermissionRoles('create-c', []);
            await fx.expectRejected(() => fx.post(service, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, roomType: 'c' }), 400,
                actionNotAllowed('Changing a private group to a public channel is not allowed', D_TYPE));
        });

        it('unknown rid: error-invalid-room', async () => {
            await fx.expectRejected(() => fx.post(fx.users.service, 'rooms.saveRoomSettings', { rid: 'nope', encrypted: true }), 400, {
                success: false,
                error: 'Invalid room [error-invalid-room]',
                errorType: 'error-invalid-room',
                details: { method: 'saveRoomSettings' },
            });
        });

        it.each([
            ['no rid', { encrypted: true }, "must have required property 'rid'"],
            ['an unknown key', { rid: 'x', encrypted: true, foo: 1 }, 'must NOT have additional properties'],
            ['encrypted as an object', { rid: 'x', encrypted: {} }, 'must be boolean'],
            ['roomType as an array', { rid: 'x', roomType: ['c'] }, 'must be string'],
            ['rid as an object', { rid: {} }, 'must be string'],
        ])('body schema: %s → invalid-params', async (_label, body, message) => {
            await fx.expectRejected(() => fx.post(fx.users.service, 'rooms.saveRoomSettings', body), 400, {
                success: false,
                errorType: 'invalid-params',
                error: message,
            });
        });

        it('a body that is not an object: "must be object"', async () => {
            await fx.expectRejected(() => fx.post(fx.users.service, 'rooms.saveRoomSettings', [1]), 400, {
                success: false,
                errorType: 'invalid-params',
                error: 'must be object',
            });
        });

        it('the schema coerces like Rocket.Chat\'s Ajv ("true" → true)', async () => {
            const res = await fx.post(fx.users.service, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, encrypted: 'true' });
            expect(res.status).toBe(200);
            expect(fx.room(fx.rooms.group._id).encrypted).toBe(true);
        });

        it('other known settings pass the schema but are not implemented (501, nothing changes)', async () => {
            await fx.expectRejected(() => fx.post(fx.users.service, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, roomName: 'renamed' }), 501, {
                success: false,
                error: 'The saveRoomSettings setting "roomName" is not implemented by the in-memory workspace [error-not-implemented]',
                errorType: 'error-not-implemented',
            });
        });

        it('401 without valid credentials', async () => {
            const res = await fx.ws.handle({
                method: 'POST',
                path: '/api/v1/rooms.saveRoomSettings',
                headers: { 'X-User-Id': fx.users.service._id, 'X-Auth-Token': 'wrong' },
                body: { rid: fx.rooms.group._id, encrypted: true },
            });
            expect(res).toEqual({ status: 401, body: NOT_LOGGED_IN });
        });
    });

    describe('POST teams.create', () => {
        it('converts a room: createdBy = caller, owner = the owner parameter, members resolved, caller not joined', async () => {
            const { service, owner, mod, member, inactive } = fx.users;
            const { group } = fx.rooms;
            const subsBefore = JSON.stringify(fx.ws.getSubscriptions(group._id));
            const res = await fx.post(service, 'teams.create', {
                name: 'secret',
                type: 1,
                room: { id: group._id },
                members: [owner._id, mod._id, member._id, inactive._id, 'no-such-user'],
                owner: owner._id,
            });
            expect(res.status).toBe(200);
            const team = (res.body as { team: Record<string, unknown> }).team;
            expect(res.body).toEqual({ team, success: true });
            expect(team).toMatchObject({ name: 'secret', type: 1, roomId: group._id, createdBy: { _id: service._id, username: 'svc' } });
            const members = fx.ws.getTeamMembers(team._id as string);
            expect(members.map((m) => [m.userId, m.roles ?? []])).toEqual([
                [mod._id, []],
                [member._id, []],
                [owner._id, ['owner']],
            ]);
            expect(fx.room(group._id)).toMatchObject({ teamId: team._id, teamMain: true });
            expect(JSON.stringify(fx.ws.getSubscriptions(group._id))).toBe(subsBefore);
            expect(fx.ws.getMessages(group._id)).toEqual([
                expect.objectContaining({ t: 'user-converted-to-team', msg: 'secret', u: { _id: service._id, username: 'svc' } }),
            ]);
        });

        it('members may be usernames; the caller joins the team only if listed', async () => {
            const { service, owner } = fx.users;
            const res = await fx.post(service, 'teams.create', { name: 'secret', type: 1, room: { id: fx.rooms.group._id }, members: ['mo', 'svc'], owner: owner._id });
            const teamId = (res.body as { team: { _id: string } }).team._id;
            expect(fx.ws.getTeamMembers(teamId).map((m) => m.userId)).toEqual([fx.users.mod._id, service._id, owner._id]);
        });

        it('without owner the caller is the team owner', async () => {
            const { service } = fx.users;
            const res = await fx.post(service, 'teams.create', { name: 'secret', type: 1, room: { id: fx.rooms.group._id } });
            const teamId = (res.body as { team: { _id: string } }).team._id;
            expect(fx.ws.getTeamMembers(teamId)).toEqual([expect.objectContaining({ userId: service._id, roles: ['owner'] })]);
        });

        it('without room.id a new room is created (owner: the owner parameter)', async () => {
            const { service, owner, member } = fx.users;
            const res = await fx.post(service, 'teams.create', { name: 'fresh', type: 0, members: [member._id], owner: owner._id });
            expect(res.status).toBe(200);
            const room = fx.ws.getRoomByName('fresh');
            expect(room).toMatchObject({ t: 'c', teamMain: true, u: { _id: owner._id }, usersCount: 2 });
            expect(fx.ws.getSubscription(room?._id as string, owner._id)?.roles).toEqual(['owner']);
            expect(fx.ws.getMessages(room?._id as string)).toEqual([]);
        });

        it('no global create-team: 403 with the permissions text', async () => {
            fx.ws.setPermissionRoles('create-team', ['owner']);
            await fx.expectRejected(() => fx.post(fx.users.owner, 'teams.create', { name: 'secret', type: 1, room: { id: fx.rooms.group._id } }), 403, {
                success: false,
                error: 'User does not have the permissions required for this action [error-unauthorized]',
            });
        });

        it('room.id without create-team + edit-room in that room: 403 unauthorized (8.4.5 fix)', async () => {
            await fx.expectRejected(() => fx.post(fx.users.member, 'teams.create', { name: 'secret', type: 1, room: { id: fx.rooms.group._id } }), 403, {
                success: false,
                error: 'unauthorized',
            });
        });

        it.each([
            ['missing name', { type: 1 }, "must have required property 'name'"],
            ['missing type', { name: 'x' }, "must have required property 'type'"],
            ['type 2', { name: 'x', type: 2 }, 'must be equal to one of the allowed values'],
            ['type "one"', { name: 'x', type: 'one' }, 'must be number'],
            ['unknown key', { name: 'x', type: 1, extra: true }, 'must NOT have additional properties'],
            ['members not strings', { name: 'x', type: 1, members: [{}] }, 'must be string'],
            ['room not an object', { name: 'x', type: 1, room: 'r' }, 'must be object'],
        ])('body schema: %s', async (_label, body, message) => {
            await fx.expectRejected(() => fx.post(fx.users.service, 'teams.create', body), 400, { success: false, errorType: 'invalid-params', error: message });
        });

        it('the body is coerced as rest-typings\' ajv (coerceTypes) does: type "1" is 1, members [1] are ["1"]', async () => {
            const res = await fx.post(fx.users.service, 'teams.create', { name: 'coerced', type: '1', members: [fx.users.member._id] });
            expect(res.status).toBe(200);
            expect(res.body).toMatchObject({ team: { name: 'coerced', type: 1 } });
        });

        it('name checks: blocked, taken by a user or team, taken by another room', async () => {
            const { service } = fx.users;
            const { group } = fx.rooms;
            await fx.expectRejected(() => fx.post(service, 'teams.create', { name: 'here', type: 1, room: { id: group._id } }), 400, {
                success: false,
                error: "here is blocked and can't be used! [error-blocked-username]",
                errorType: 'error-blocked-username',
                details: { method: 'checkUsernameAvailability', field: 'here' },
            });
            await fx.expectRejected(() => fx.post(service, 'teams.create', { name: 'OLIVIA', type: 1, room: { id: group._id } }), 400, {
                success: false,
                error: 'team-name-already-exists',
            });
            await fx.expectRejected(() => fx.post(service, 'teams.create', { name: 'CREW', type: 1, room: { id: group._id } }), 400, {
                success: false,
                error: 'team-name-already-exists',
            });
            await fx.expectRejected(() => fx.post(service, 'teams.create', { name: 'lobby', type: 1, room: { id: group._id } }), 400, {
                success: false,
                error: 'room-name-already-exists',
            });
            await fx.expectRejected(() => fx.post(service, 'teams.create', { name: 'secret', type: 1 }), 400, {
                success: false,
                error: 'room-name-already-exists',
            });
        });

        it('a room already in another team is moved silently (Rocket.Chat has no guard)', async () => {
            const res = await fx.post(fx.users.service, 'teams.create', { name: 'crew-ops', type: 1, room: { id: fx.rooms.teamChild._id } });
            expect(res.status).toBe(200);
            expect(fx.room(fx.rooms.teamChild._id)).toMatchObject({ teamMain: true, teamId: (res.body as { team: { _id: string } }).team._id });
        });
    });

    describe('GET teams.info', () => {
        it('by id or name; the service account sees it through view-all-teams', async () => {
            const { service } = fx.users;
            const team = fx.ws.getTeam(fx.teamId);
            const expected = {
                status: 200,
                body: {
                    teamInfo: {
                        _id: fx.teamId,
                        name: 'crew',
                        type: 1,
                        roomId: fx.rooms.teamMain._id,
                        createdAt: team?.createdAt.toISOString(),
                        createdBy: team?.createdBy,
                        _updatedAt: team?._updatedAt.toISOString(),
                    },
                    success: true,
                },
            };
            expect(await fx.get(service, 'teams.info', { teamId: fx.teamId })).toEqual(expected);
            expect(await fx.get(service, 'teams.info', { teamName: 'crew' })).toEqual(expected);
            expect(await fx.ws.handle({ method: 'GET', path: `/api/v1/teams.info?teamId=${fx.teamId}`, headers: fx.headers(service) })).toEqual(expected);
        });

        it('a member of the main room sees it; anyone else gets 403', async () => {
            expect((await fx.get(fx.users.teamMember, 'teams.info', { teamId: fx.teamId })).status).toBe(200);
            expect(await fx.get(fx.users.outsider, 'teams.info', { teamId: fx.teamId })).toEqual({ status: 403, body: { success: false, error: 'unauthorized' } });
        });

        it('unknown team / empty id: "Team not found"; dangling main room: "Room not found"', async () => {
            const { service } = fx.users;
            expect(await fx.get(service, 'teams.info', { teamId: 'nope' })).toEqual({ status: 400, body: { success: false, error: 'Team not found' } });
            expect(await fx.get(service, 'teams.info', { teamId: '' })).toEqual({ status: 400, body: { success: false, error: 'Team not found' } });
            const res = await fx.post(service, 'teams.create', { name: 'ghost', type: 1, room: { id: 'no-such-room' } });
            expect(res.status).toBe(200);
            expect(await fx.get(service, 'teams.info', { teamName: 'ghost' })).toEqual({ status: 400, body: { success: false, error: 'Room not found' } });
        });

        it('query schema: exactly one of teamId / teamName', async () => {
            const { service } = fx.users;
            expect(await fx.get(service, 'teams.info', {})).toEqual({
                status: 400,
                body: {
                    success: false,
                    errorType: 'error-invalid-params',
                    error: "must have required property 'teamId'\n must have required property 'teamName'\n must match exactly one schema in oneOf",
                },
            });
            expect(await fx.get(service, 'teams.info', { teamId: fx.teamId, teamName: 'crew' })).toEqual({
                status: 400,
                body: { success: false, errorType: 'error-invalid-params', error: 'must match exactly one schema in oneOf' },
            });
            expect(await fx.get(service, 'teams.info', { teamId: fx.teamId, x: '1' })).toEqual({
                status: 400,
                body: { success: false, errorType: 'error-invalid-params', error: 'must NOT have additional properties' },
            });
        });
    });

    describe('GET permissions.listAll', () => {
        it('all permissions, defaults included', async () => {
            const res = await fx.get(fx.users.service, 'permissions.listAll');
            expect(res.status).toBe(200);
            const body = res.body as { update: Array<{ _id: string; roles: string[]; _updatedAt: string }>; remove: unknown[]; success: boolean };
            expect(body.success).toBe(true);
            expect(body.remove).toEqual([]);
            const byId = new Map(body.update.map((p) => [p._id, p.roles]));
            expect(byId.get('edit-room')).toEqual(['admin', 'owner', 'moderator']);
            expect(byId.get('toggle-room-e2e-encryption')).toEqual(['owner', 'admin']);
            expect(byId.get('create-c')).toEqual(['admin', 'user', 'federated-external', 'bot', 'app']);
            expect(byId.get('create-p')).toEqual(['admin', 'user', 'federated-external', 'bot', 'app']);
            expect(byId.get('create-team')).toEqual(['admin', 'user']);
            expect(byId.get('create-team-channel')).toEqual(['admin', 'owner', 'moderator']);
            expect(byId.get('create-team-group')).toEqual(['admin', 'owner', 'moderator']);
            expect(byId.get('view-p-room')).toEqual(['admin', 'user', 'federated-external', 'anonymous', 'guest']);
            expect(byId.get('view-joined-room')).toEqual(['guest', 'bot', 'app', 'anonymous']);
            expect(byId.get('view-all-teams')).toEqual(['admin']);
            expect(body.update.every((p) => /^\d{4}-\d\d-\d\dT.*Z$/.test(p._updatedAt))).toBe(true);
        });

        it('?updatedSince= gives the changed and removed documents after that date', async () => {
            const { service } = fx.users;
            const since = new Date(Date.now() + 1).toISOString();
            await new Promise((r) => setTimeout(r, 5));
            fx.ws.setPermissionRoles('create-c', ['admin']);
            fx.ws.removePermission('mail-messages');
            const res = await fx.get(service, 'permissions.listAll', { updatedSince: since });
            const body = res.body as { update: Array<{ _id: string; roles: string[] }>; remove: Array<{ _id: string; _deletedAt: string }> };
            expect(body.update.map((p) => [p._id, p.roles])).toEqual([['create-c', ['admin']]]);
            expect(body.remove).toEqual([{ _id: 'mail-messages', _deletedAt: expect.any(String) }]);
        });

        it('a bad date: error-roomId-param-invalid; an unknown parameter: error-invalid-params', async () => {
            expect(await fx.get(fx.users.member, 'permissions.listAll', { updatedSince: 'yesterday' })).toEqual({
                status: 400,
                body: {
                    success: false,
                    error: 'The "updatedSince" query parameter must be a valid date. [error-roomId-param-invalid]',
                    errorType: 'error-roomId-param-invalid',
                },
            });
            expect(await fx.get(fx.users.member, 'permissions.listAll', { foo: 'bar' })).toEqual({
                status: 400,
                body: { success: false, errorType: 'error-invalid-params', error: 'must NOT have additional properties' },
            });
        });
    });

    describe('GET me and POST login', () => {
        it('me: the user document without secrets', async () => {
            const poly = fx.ws.addUser({ username: 'poly', name: 'Poly Glot', language: 'pt-BR', password: 'pw', emails: [{ address: 'p@x.io', verified: true }] });
            fx.login(poly);
            const res = await fx.get(poly, 'me');
            expect(res.status).toBe(200);
            expect(res.body).toEqual({
                _id: poly._id,
                username: 'poly',
                name: 'Poly Glot',
                emails: [{ address: 'p@x.io', verified: true }],
                email: 'p@x.io',
                status: 'offline',
                active: true,
                roles: ['user'],
                language: 'pt-BR',
                _updatedAt: expect.any(String),
                avatarUrl: 'http://localhost:3000/avatar/poly',
                settings: { preferences: {} },
                success: true,
            });
            expect(JSON.stringify(res.body)).not.toMatch(/password|authTokens|"pw"/);
        });

        it('me without credentials: 401', async () => {
            expect(await fx.ws.handle({ method: 'GET', path: '/api/v1/me' })).toEqual({ status: 401, body: NOT_LOGGED_IN });
        });

        it('login with username and password gives a working token', async () => {
            const alice = fx.ws.addUser({ username: 'alice', password: 'demo' });
            const res = await fx.ws.handle({ method: 'POST', path: '/api/v1/login', body: { user: 'alice', password: 'demo' } });
            expect(res.status).toBe(200);
            const body = res.body as { status: string; data: { userId: string; authToken: string; me: Record<string, unknown> } };
            expect(body.status).toBe('success');
            expect(body.data.userId).toBe(alice._id);
            expect(body.data.me).toMatchObject({ _id: alice._id, username: 'alice' });
            const me = await fx.ws.handle({ method: 'GET', path: '/api/v1/me', headers: { 'x-user-id': alice._id, 'x-auth-token': body.data.authToken } });
            expect(me.status).toBe(200);
        });

        it.each([
            [{ user: 'alice', password: 'wrong' }],
            [{ user: 'nobody', password: 'demo' }],
            [{ user: 'alice' }],
            [{}],
        ])('bad login %j: 401 unauthorized (Rocket.Chat 8.x)', async (body) => {
            fx.ws.addUser({ username: 'alice', password: 'demo' });
            const before = fx.ws.snapshot();
            expect(await fx.ws.handle({ method: 'POST', path: '/api/v1/login', body })).toEqual({
                status: 401,
                body: { success: false, error: 'unauthorized' },
            });
            expect(fx.ws.snapshot()).toBe(before);
        });

        it('an inactive user can neither log in nor use a token', async () => {
            const gone = fx.ws.addUser({ username: 'gone', password: 'x', active: false });
            const token = fx.ws.createAuthToken(gone._id);
            expect((await fx.ws.handle({ method: 'POST', path: '/api/v1/login', body: { user: 'gone', password: 'x' } })).status).toBe(401);
            expect((await fx.ws.handle({ method: 'GET', path: '/api/v1/me', headers: { 'X-User-Id': gone._id, 'X-Auth-Token': token } })).status).toBe(401);
        });
    });

    describe('GET groups.info / channels.info', () => {
        it('groups.info: the room with ISO dates; archived groups included; non-members get not found', async () => {
            const res = await fx.get(fx.users.owner, 'groups.info', { roomId: fx.rooms.archived._id });
            expect(res.status).toBe(200);
            expect(res.body).toEqual({ group: JSON.parse(JSON.stringify(fx.room(fx.rooms.archived._id))), success: true });
            expect(await fx.get(fx.users.service, 'groups.info', { roomName: 'secret' })).toEqual({ status: 400, body: GROUP_NOT_FOUND });
        });

        it('channels.info: public channels (archived too); groups are not channels', async () => {
            expect((await fx.get(fx.users.outsider, 'channels.info', { roomName: 'museum' })).body).toMatchObject({ channel: { name: 'museum' }, success: true });
            expect(await fx.get(fx.users.owner, 'channels.info', { roomId: fx.rooms.group._id })).toEqual({
                status: 400,
                body: {
                    success: false,
                    error: 'The required "roomId" or "roomName" param provided does not match any channel [error-room-not-found]',
                    errorType: 'error-room-not-found',
                },
            });
        });
    });
});
