/**
 * Rocket.Chat's own end-to-end cases for the three endpoints, run against the app's endpoints: every `it(...)` of
 * the `/groups.setEncrypted`, `/groups.setType` and `/groups.convertToTeam` describes of upstream
 * `apps/meteor/tests/end-to-end/api/groups.ts`, with upstream's set-up, order and timing (a permission is changed
 * right before the call that depends on it, nothing waited for). `credentials` are the admin's, as upstream's.
 * Upstream's `groups.create` / `groups.delete` set-up is the workspace's `addRoom` (a fresh workspace per describe).
 */
import type { RestResponse } from '../../../host/workspace/model.cjs';
import { useHttpDoor } from './support.cjs';
import type { HttpDoor } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

/** `request.post(api(path)).set(credentials).send(body)` against the app's endpoint. */
function post(path: string, body: unknown): Promise<RestResponse> {
    return door.post(path, body, 'admin');
}

/** Upstream's `getRoomInfo`: `GET groups.info` as the admin. */
async function getRoomInfo(roomId: string): Promise<{ success?: boolean; group: Record<string, unknown> }> {
    return (await door.rest('GET', 'groups.info', 'admin', undefined, { roomId })).body as { success?: boolean; group: Record<string, unknown> };
}

/** Upstream's `updatePermission(id, roles)`. */
function updatePermission(id: string, roles: string[]): void {
    door.workspace.setPermissionRoles(id, roles);
}

/** Upstream's `groups.create` by the admin: a private group they own. */
function createGroup(name: string): { _id: string; name: string } {
    const admin = door.workspace.getUserByUsername('admin');
    const room = door.workspace.addRoom({ name, t: 'p', owner: admin?._id ?? '' });
    return { _id: room._id, name: room.name };
}

describe('/groups.setEncrypted', () => {
    let testGroup: { _id: string; name: string };

    beforeAll(async () => {
        await door.fresh();
        testGroup = createGroup(`group.encrypted.test.${Date.now()}`);
        door.workspace.setSetting('E2E_Enable', true);
    });

    it('should return an error when passing no boolean param', async () => {
        const res = await post('groups.setEncrypted', { roomId: testGroup._id, encrypted: 'no-boolean' });
        expect(res.status).toBe(400);
        expect(res.body).toHaveProperty('success', false);
        expect(res.body).toHaveProperty('error', 'The bodyParam "encrypted" is required');
    });

    it('should set group as encrypted correctly and return the new data', async () => {
        const res = await post('groups.setEncrypted', { roomId: testGroup._id, encrypted: true });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect(res.body).toHaveProperty('group');
        expect(res.body).toHaveProperty('group._id', testGroup._id);
        expect(res.body).toHaveProperty('group.encrypted', true);
    });

    it('should return the updated room encrypted', async () => {
        const roomInfo = await getRoomInfo(testGroup._id);
        expect(roomInfo).toHaveProperty('success', true);
        expect(roomInfo.group).toHaveProperty('_id', testGroup._id);
        expect(roomInfo.group).toHaveProperty('encrypted', true);
    });

    it('should set group as unencrypted correctly and return the new data', async () => {
        const res = await post('groups.setEncrypted', { roomId: testGroup._id, encrypted: false });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect(res.body).toHaveProperty('group');
        expect(res.body).toHaveProperty('group._id', testGroup._id);
        expect(res.body).toHaveProperty('group.encrypted', false);
    });

    it('should return the updated room unencrypted', async () => {
        const roomInfo = await getRoomInfo(testGroup._id);
        expect(roomInfo).toHaveProperty('success', true);
        expect(roomInfo.group).toHaveProperty('_id', testGroup._id);
        expect(roomInfo.group).toHaveProperty('encrypted', false);
    });
});

describe('/groups.setType', () => {
    let roomTypeId: string;

    beforeAll(async () => {
        await door.fresh();
        roomTypeId = createGroup(`channel.type.${Date.now()}`)._id;
    });

    it('should change the type of the group to a channel', async () => {
        const res = await post('groups.setType', { roomId: roomTypeId, type: 'c' });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect(res.body).toHaveProperty('group.t', 'c');
    });
});

describe('/groups.convertToTeam', () => {
    let newGroup: { _id: string; name: string };

    beforeAll(async () => {
        await door.fresh();
        newGroup = createGroup(`group-${Date.now()}`);
    });

    afterAll(() => {
        updatePermission('create-team', ['admin', 'user']);
    });

    it('should fail to convert group if lacking edit-room permission', async () => {
        updatePermission('create-team', []);
        updatePermission('edit-room', ['admin']);
        const res = await post('groups.convertToTeam', { roomId: newGroup._id });
        expect(res.status).toBe(403);
        expect(res.body).toHaveProperty('success', false);
    });

    it('should fail to convert group if lacking create-team permission', async () => {
        updatePermission('create-team', ['admin']);
        updatePermission('edit-room', []);
        const res = await post('groups.convertToTeam', { roomId: newGroup._id });
        expect(res.status).toBe(403);
        expect(res.body).toHaveProperty('success', false);
    });

    it('should successfully convert a group to a team', async () => {
        updatePermission('create-team', ['admin']);
        updatePermission('edit-room', ['admin']);
        const res = await post('groups.convertToTeam', { roomId: newGroup._id });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
    });

    it('should fail to convert group without the required parameters', async () => {
        const res = await post('groups.convertToTeam', {});
        expect(res.status).toBe(400);
    });

    it("should fail to convert group if it's already taken", async () => {
        const res = await post('groups.convertToTeam', { roomId: newGroup._id });
        expect(res.status).toBe(400);
        expect(res.body).toHaveProperty('success', false);
    });
});
