/**
 * Rocket.Chat's own "ABAC Room Type Conversion" e2e cases, against the workspace: upstream
 * `apps/meteor/tests/end-to-end/api/abac.ts` (the stored version read through the code index, id 10971423777; the
 * index lists that path at 855ff8d918c79ec1c7bb60346b0ca975aece4773). Upstream's server runs with a license carrying
 * the `abac` module; `POST /abac/rooms/:rid/attributes/:key` is the workspace's seed of the room's attributes.
 */
import { Upstream } from './support.cjs';

describe('ABAC Room Type Conversion', () => {
    const attrKey = `type_conversion_${Date.now()}`;
    let up: Upstream;
    let roomNoAttr: string;
    let roomWithAttr: string;
    let roomWithAttrAbacDisabled: string;

    beforeAll(() => {
        up = new Upstream();
        up.ws.setLicenseModules(['abac']);
        up.updateSetting('ABAC_Enabled', true);
        roomNoAttr = up.createRoom('p', `abac-type-room-no-attr-${Date.now()}`)._id;
        roomWithAttr = up.ws.addRoom({
            name: `abac-type-room-with-attr-${Date.now()}`,
            t: 'p',
            owner: up.admin._id,
            abacAttributes: [{ key: attrKey, values: ['val1'] }],
        })._id;
        roomWithAttrAbacDisabled = up.ws.addRoom({
            name: `abac-type-room-with-attr-disabled-${Date.now()}`,
            t: 'p',
            owner: up.admin._id,
            abacAttributes: [{ key: attrKey, values: ['val2'] }],
        })._id;
    });

    it('should convert private room without ABAC attributes to public', async () => {
        const res = await up.post('rooms.saveRoomSettings', { rid: roomNoAttr, roomType: 'c' });
        expect(res.status).toBe(200);
        expect((res.body as { success: boolean }).success).toBe(true);
    });

    it('should fail converting ABAC managed private room to public', async () => {
        const res = await up.post('rooms.saveRoomSettings', { rid: roomWithAttr, roomType: 'c' });
        expect(res.status).toBe(400);
        expect((res.body as { success: boolean }).success).toBe(false);
        expect((res.body as { error: string }).error).toContain('Changing an ABAC managed private room to public is not allowed');
    });

    it('should allow converting ABAC managed private room to public when ABAC disabled', async () => {
        up.updateSetting('ABAC_Enabled', false);
        const res = await up.post('rooms.saveRoomSettings', { rid: roomWithAttrAbacDisabled, roomType: 'c' });
        expect(res.status).toBe(200);
        expect((res.body as { success: boolean }).success).toBe(true);
    });
});
