/**
 * The listings the encryption report reads, as upstream answers them (`apps/meteor/app/api/server/v1/groups.ts`):
 * `groups.listAll` (every private group, `view-room-administration`) and `groups.list` (the caller's groups), paged by
 * `getPaginationItems` (`API_Default_Count`, `API_Upper_Count_Limit`, `API_Allow_Infinite_Count`).
 */
import { Fixture } from './fixture.cjs';

interface Listing {
    groups: Array<Record<string, unknown>>;
    offset: number;
    count: number;
    total: number;
}

describe('groups.listAll and groups.list', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.ws.setSetting('API_Enable_Rate_Limiter', false);
    });

    const names = (body: unknown): string[] => (body as Listing).groups.map((g) => String(g.name));

    it('listAll: every private group sorted by name (discussions and team main rooms included), with encrypted and e2eKeyId, no hidden field', async () => {
        const { admin, owner } = fx.users;
        fx.ws.addRoom({ name: 'keyed', t: 'p', owner: owner._id, encrypted: true, e2eKeyId: 'k1', joinCode: 'x' });
        fx.login(admin);
        const res = await fx.get(admin, 'groups.listAll', {});
        expect(res.status).toBe(200);
        const body = res.body as Listing;
        const expected = fx.ws
            .listRooms()
            .filter((r) => r.t === 'p')
            .map((r) => r.name)
            .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(names(body)).toEqual(expected);
        expect(names(body)).toEqual(expect.arrayContaining(['crew', 'd-k2Jx9', 'attic']));
        expect(body).toMatchObject({ offset: 0, count: expected.length, total: expected.length, success: true });
        const keyed = body.groups.find((g) => g.name === 'keyed');
        expect(keyed).toMatchObject({ encrypted: true, e2eKeyId: 'k1' });
        expect(keyed).not.toHaveProperty('joinCode');
    });

    it('listAll without view-room-administration: 403 unauthorized', async () => {
        const { owner } = fx.users;
        fx.login(owner);
        const res = await fx.get(owner, 'groups.listAll', {});
        expect(res).toMatchObject({ status: 403, body: { success: false, error: 'unauthorized' } });
    });

    it('pages with offset / count, capped silently at API_Upper_Count_Limit; count=0 is all only with API_Allow_Infinite_Count', async () => {
        const { admin, owner } = fx.users;
        for (let i = 0; i < 120; i++) fx.ws.addRoom({ name: `g-${String(i).padStart(3, '0')}`, t: 'p', owner: owner._id });
        fx.login(admin);
        const total = fx.ws.listRooms().filter((r) => r.t === 'p').length;

        const byDefault = (await fx.get(admin, 'groups.listAll', {})).body as Listing;
        expect(byDefault).toMatchObject({ offset: 0, count: 50, total });

        const capped = (await fx.get(admin, 'groups.listAll', { count: '500', offset: '10' })).body as Listing;
        expect(capped).toMatchObject({ offset: 10, count: 100, total });
        expect(capped.groups[0].name).toBe(byDefault.groups[10].name);

        const all = (await fx.get(admin, 'groups.listAll', { count: '0' })).body as Listing;
        expect(all.count).toBe(total);

        fx.ws.setSetting('API_Allow_Infinite_Count', false);
        expect(((await fx.get(admin, 'groups.listAll', { count: '0' })).body as Listing).count).toBe(50);
        fx.ws.setSetting('API_Upper_Count_Limit', 20);
        expect(((await fx.get(admin, 'groups.listAll', { count: '90' })).body as Listing).count).toBe(20);
    });

    it('users.info?includeUserRooms=true: the subscriptions with room roles, for the user or a holder of view-other-user-channels', async () => {
        const { admin, owner, member } = fx.users;
        fx.login(admin, member);
        const seen = await fx.get(admin, 'users.info', { userId: owner._id, includeUserRooms: 'true' });
        expect(seen.status).toBe(200);
        const rooms = (seen.body as { user: { rooms: Array<{ rid: string; t: string; roles?: string[] }> } }).user.rooms;
        expect(rooms.find((r) => r.rid === fx.rooms.group._id)).toMatchObject({ t: 'p', roles: ['owner'] });
        expect(rooms.map((r) => r.t)).toEqual([...rooms.map((r) => r.t)].sort());
        const denied = await fx.get(member, 'users.info', { userId: owner._id, includeUserRooms: 'true' });
        expect(denied.status).toBe(200);
        expect((denied.body as { user: Record<string, unknown> }).user).not.toHaveProperty('rooms');
        expect(await fx.get(admin, 'users.info', {})).toMatchObject({ status: 400, body: { success: false, error: 'Invalid search query.' } });
        expect(await fx.get(admin, 'users.info', { userId: 'nobody' })).toMatchObject({ status: 400, body: { success: false, error: 'User not found.' } });
    });

    it("list: the caller's own private groups only; none → 404", async () => {
        const { member, outsider } = fx.users;
        fx.login(member);
        fx.login(outsider);
        const mine = await fx.get(member, 'groups.list', {});
        expect(mine.status).toBe(200);
        expect(names(mine.body)).toEqual(['attic', 'd-k2Jx9', 'secret']);
        expect(mine.body).toMatchObject({ total: 3, count: 3, offset: 0 });
        const none = await fx.get(outsider, 'groups.list', {});
        expect(none).toMatchObject({ status: 404, body: { success: false } });
    });
});
