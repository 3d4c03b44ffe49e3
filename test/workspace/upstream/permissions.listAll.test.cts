/**
 * Rocket.Chat's own `/permissions.listAll` e2e cases, against the workspace: upstream
 * `apps/meteor/tests/end-to-end/api/permissions.ts` @ 435e88b936fb6c1eeb018efcf2c24198e486edde.
 */
import { Upstream } from './support.cjs';

describe('[/permissions.listAll]', () => {
    const up = new Upstream();

    it('should return an array with update and remove properties', async () => {
        const res = await up.get('permissions.listAll');
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect(Array.isArray((res.body as { update: unknown }).update)).toBe(true);
        expect(Array.isArray((res.body as { remove: unknown }).remove)).toBe(true);
    });

    it('should return an array with update and remov properties when search by "updatedSince" query parameter', async () => {
        const res = await up.get('permissions.listAll', { updatedSince: '2018-11-27T13:52:01Z' });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect(Array.isArray((res.body as { update: unknown }).update)).toBe(true);
        expect(Array.isArray((res.body as { remove: unknown }).remove)).toBe(true);
    });

    it('should return an error when updatedSince query parameter is not a valid ISODate string', async () => {
        const res = await up.get('permissions.listAll', { updatedSince: 'fsafdf' });
        expect(res.status).toBe(400);
        expect(res.body).toHaveProperty('success', false);
    });
});
