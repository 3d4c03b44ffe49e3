/**
 * Rocket.Chat's own `/users.checkUsernameAvailability` e2e cases, against the workspace: upstream
 * `apps/meteor/tests/end-to-end/api/users.ts` (the stored version read through the code index, id 103321170; the
 * index lists that path at 78da2ffbabc4d5aa21ef2d7aa2ad4dbc4725e164).
 */
import type { WsUser } from '../../../host/workspace/model.cjs';
import { Upstream } from './support.cjs';
import type { Credentials } from './support.cjs';

describe('[/users.checkUsernameAvailability]', () => {
    let up: Upstream;
    let targetUser: WsUser;
    let userCredentials: Credentials;

    beforeAll(() => {
        up = new Upstream();
        targetUser = up.createUser();
        userCredentials = up.login(targetUser);
    });

    it('should return 401 unauthorized when user is not logged in', async () => {
        const res = await up.get('users.checkUsernameAvailability', {}, null);
        expect(res.status).toBe(401);
        expect(res.body).toHaveProperty('message');
    });

    it('should return true if the username is the same user username set', async () => {
        const res = await up.get('users.checkUsernameAvailability', { username: targetUser.username }, userCredentials);
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect((res.body as { result: unknown }).result).toBe(true);
    });

    it('should return true if the username is available', async () => {
        const res = await up.get('users.checkUsernameAvailability', { username: `${targetUser.username}-${+new Date()}` }, userCredentials);
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect((res.body as { result: unknown }).result).toBe(true);
    });

    it('should return an error when the username is invalid', async () => {
        const res = await up.get('users.checkUsernameAvailability', {}, userCredentials);
        expect(res.status).toBe(400);
        expect(res.body).toHaveProperty('success', false);
    });
});
