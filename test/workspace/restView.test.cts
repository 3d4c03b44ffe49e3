/**
 * Rooms in REST answers as Rocket.Chat shows them: every room answer reads the room with
 * `{ projection: API.v1.defaultFieldsToExclude }` (upstream `apps/meteor/server/api/ApiClass.ts`: joinCode, members,
 * importIds, e2e), so those fields never appear, whatever the document holds.
 */
import { Fixture } from './fixture.cjs';

const HIDDEN = ['joinCode', 'members', 'importIds', 'e2e'];

describe('REST room view', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.ws.setSetting('E2E_Enable', true);
    });

    function expectHidden(room: unknown): void {
        expect(room).toEqual(expect.objectContaining({ _id: expect.any(String) }));
        for (const field of HIDDEN) expect(room).not.toHaveProperty(field);
    }

    it('groups.info, groups.setEncrypted, groups.setType, channels.info leave the hidden fields out', async () => {
        const { owner } = fx.users;
        const group = fx.ws.addRoom({ name: 'vault', t: 'p', owner: owner._id, joinCode: 'secret-code', importIds: ['imp-1'] });
        const channel = fx.ws.addRoom({ name: 'plaza', t: 'c', owner: owner._id, joinCode: 'open-code', importIds: ['imp-2'] });
        fx.login(owner);

        const info = await fx.get(owner, 'groups.info', { roomId: group._id });
        expect(info.status).toBe(200);
        expectHidden((info.body as { group: unknown }).group);

        const enc = await fx.post(owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        expect(enc.status).toBe(200);
        expectHidden((enc.body as { group: unknown }).group);
        expect(enc.body).toMatchObject({ group: { encrypted: true } });

        const type = await fx.post(owner, 'groups.setType', { roomId: group._id, type: 'c' });
        expect(type.status).toBe(200);
        expectHidden((type.body as { group: unknown }).group);

        const chInfo = await fx.get(owner, 'channels.info', { roomId: channel._id });
        expect(chInfo.status).toBe(200);
        expectHidden((chInfo.body as { channel: unknown }).channel);
        expect(JSON.stringify([info, enc, type, chInfo])).not.toMatch(/secret-code|open-code|imp-1|imp-2/);
    });
});
