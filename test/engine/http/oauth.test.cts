/**
 * OAuth through the HTTP door, end to end in the real engine (findings §D20): Rocket.Chat's apps router authenticates
 * `Authorization: Bearer <token>` and `?access_token=<token>` as its REST API does (upstream
 * `apps/meteor/server/api/v1/middlewares/authentication.ts` @ 4f9ed7e3, `oAuth2ServerAuth` of
 * `apps/meteor/app/oauth2-server-config/server/oauth/oauth2-server.ts` @ 039d5bba), and the app forwards the
 * credential it was called with (`src/workspace/forward.ts`) to Rocket.Chat's own endpoint.
 */
import type { SecretAudit } from '../../../host/engine/secretAudit.cjs';
import type { RestResponse } from '../../../host/workspace/model.cjs';
import { useHttpDoor } from './support.cjs';
import type { HttpDoor } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

/** An OAuth access token for `username`, handed to the run-wide secret audit as every caller token is. */
function oauthToken(username: string): string {
    const token = door.workspace.createOAuthAccessToken(door.userId(username));
    door.callerTokens.add(token);
    (door.host as unknown as { audit?: SecretAudit }).audit?.secret(token);
    return token;
}

function call(path: string, body: unknown, headers: Record<string, string>, query?: Record<string, string>): Promise<RestResponse> {
    return door.host.callApi({ method: 'POST', path, body, headers, ...(query ? { query } : {}) });
}

describe('OAuth credentials on the app endpoints', () => {
    it('Authorization: Bearer: the app forwards it and Rocket.Chat makes the change as the caller', async () => {
        await door.fresh();
        const rid = door.roomId('project-x');
        const token = oauthToken('alice');
        const res = await call('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, { Authorization: `Bearer ${token}` });
        expect(res).toMatchObject({ status: 200, body: { success: true, group: { _id: rid, encrypted: true } } });
        expect(door.workspace.getMessages(rid).slice(-1)[0]).toMatchObject({ t: 'room_e2e_enabled', u: { username: 'alice' } });
        expect(door.restCalls().map((c) => c.path)).toEqual(['/api/v1/groups.setEncrypted']);
        expect(door.leaksIn(JSON.stringify(res))).toEqual([]);
        expect(door.leaksIn(door.host.logText())).toEqual([]);
    });

    it("Rocket.Chat's refusal for the OAuth caller is the answer (dave is no member of project-x)", async () => {
        await door.fresh();
        const token = oauthToken('dave');
        const before = door.workspace.snapshot();
        const res = await call('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, { Authorization: `Bearer ${token}` });
        expect(res).toEqual({
            status: 400,
            body: {
                success: false,
                error: 'The required "roomId" or "roomName" param provided does not match any group [error-room-not-found]',
                errorType: 'error-room-not-found',
            },
            // Rocket.Chat's rate-limit headers of the forwarded call, passed on as its 4xx is (findings §B9).
            headers: expect.objectContaining({ 'x-ratelimit-limit': '10' }),
        });
        expect(door.workspace.snapshot() === before).toBe(true);
    });

    it('an unknown or expired bearer token is the router\'s plain-text 401, before the app runs', async () => {
        await door.fresh();
        const res = await call('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, { Authorization: 'Bearer not-a-token' });
        expect(res).toEqual({ status: 401, body: 'Unauthorized' });
        expect(door.restCalls()).toEqual([]);
    });

    it('?access_token= authenticates the request, but the router deletes it from the query: the app has nothing to forward and answers not-logged-in, changing nothing', async () => {
        await door.fresh();
        const token = oauthToken('alice');
        const before = door.workspace.snapshot();
        const res = await call('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, {}, { access_token: token });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ success: false, error: 'You must be logged in to do this.' });
        expect(door.restCalls()).toEqual([]);
        expect(door.workspace.snapshot() === before).toBe(true);
    });
});

describe("the apps router's answers for what no endpoint serves (upstream apps/meteor/app/apps/server/bridges/api.ts @ 363944a1)", () => {
    it('an unknown path: plain-text "Not Found"', async () => {
        await door.fresh();
        expect(await call('nope', {}, door.headersOf('alice'))).toEqual({ status: 404, body: 'Not Found' });
    });

    it("a method the endpoint does not implement reaches the runtime, whose refusal is a plain-text 500", async () => {
        await door.fresh();
        // The engine's AppApi.runExecutor prints the runtime's error (console.error) before rethrowing it.
        const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
        const res = await door.host.callApi({ method: 'GET', path: 'groups.setEncrypted', headers: door.headersOf('alice') });
        quiet.mockRestore();
        expect(res.status).toBe(500);
        expect(res.body).toBe("groups.setEncrypted's get not exists");
    });

    it('authentication comes first: an unknown method without credentials is 401', async () => {
        await door.fresh();
        expect(await door.host.callApi({ method: 'GET', path: 'groups.setEncrypted', headers: {} })).toEqual({ status: 401, body: 'Unauthorized' });
    });
});
