/**
 * The REST route rate limiter, as upstream `apps/meteor/server/api/ApiClass.ts` (`shouldVerifyRateLimit`,
 * `enforceRateLimit`) on Meteor's `RateLimiter`, keyed on `{ IPAddr, route }` with the client address of upstream
 * `apps/meteor/app/api/server/middlewares/remoteAddressMiddleware.ts`.
 */
import { Fixture } from './fixture.cjs';
import type { RestResponse, WsUser } from '../../host/workspace/model.cjs';
import { tooManyRequests as tooMany } from '../rocketchat.cjs';
import { rateLimiterInput, RouteRateLimiter } from '../../host/workspace/RateLimiter.cjs';

describe('REST rate limiter', () => {
    let fx: Fixture;
    const T0 = new Date('2026-12-01T10:00:00.000Z').getTime();

    beforeEach(() => {
        jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
        fx = new Fixture();
        fx.login(...Object.values(fx.users).filter((u) => u.active));
    });
    afterEach(() => {
        jest.useRealTimers();
    });

    function info(user: WsUser, headers: Record<string, string> = {}, remoteAddress?: string): Promise<Required<RestResponse>> {
        return fx.ws.handleHttp({
            method: 'GET',
            path: '/api/v1/groups.info',
            query: { roomId: fx.rooms.group._id },
            headers: { ...fx.headers(user), ...headers },
            ...(remoteAddress ? { remoteAddress } : {}),
        });
    }

    it('defaults: on, 10 calls per 60 s per route and client address; the 11th is 429 with the upstream text', async () => {
        const { member } = fx.users;
        for (let i = 1; i <= 10; i++) {
            const res = await info(member);
            expect(res.status).toBe(200);
            expect(res.headers).toEqual({
                'X-RateLimit-Limit': '10',
                'X-RateLimit-Remaining': String(10 - i),
                'X-RateLimit-Reset': String(T0 + 60000),
            });
        }
        const before = fx.ws.snapshot();
        jest.setSystemTime(T0 + 20500);
        const refused = await info(member);
        expect(refused).toEqual({
            status: 429,
            body: tooMany(40),
            headers: { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(T0 + 60000) },
        });
        expect(fx.ws.snapshot()).toBe(before);
        // handle() gives the same answer without the headers.
        expect(await fx.ws.handle({ method: 'GET', path: '/api/v1/groups.info', query: { roomId: fx.rooms.group._id }, headers: fx.headers(member) }))
            .toEqual({ status: 429, body: tooMany(40) });
    });

    it('a refused write changes nothing', async () => {
        const { owner } = fx.users;
        for (let i = 0; i < 10; i++) {
            expect((await fx.post(owner, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: i % 2 === 0 })).status).toBe(200);
        }
        await fx.expectRejected(() => fx.post(owner, 'groups.setEncrypted', { roomId: fx.rooms.group._id, encrypted: true }), 429, tooMany(60));
    });

    it('the bucket is per client address and route, shared by every user of that address', async () => {
        const { member, owner } = fx.users;
        for (let i = 0; i < 5; i++) await info(member);
        for (let i = 0; i < 5; i++) expect((await info(owner)).status).toBe(200);
        expect((await info(owner)).status).toBe(429);
        // Another route of the same address has its own counter.
        expect((await fx.get(member, 'channels.info', { roomId: fx.rooms.channel._id })).status).toBe(200);
        // Another peer address, or an X-Real-IP, is another bucket.
        expect((await info(member, {}, '10.0.0.7')).status).toBe(200);
        expect((await info(member, { 'X-Real-IP': '192.0.2.1' })).status).toBe(200);
    });

    it('X-Forwarded-For counts only behind a declared proxy (HTTP_FORWARDED_COUNT)', async () => {
        const { member } = fx.users;
        for (let i = 0; i < 10; i++) expect((await info(member, { 'X-Forwarded-For': `198.51.100.${i}` })).status).toBe(200);
        expect((await info(member, { 'X-Forwarded-For': '198.51.100.99' })).status).toBe(429);
        // One proxy: the last entry (the address that proxy saw) is the client.
        fx.ws.setHttpForwardedCount(1);
        expect((await info(member, { 'X-Forwarded-For': '203.0.113.5, 198.51.100.99' })).headers['X-RateLimit-Remaining']).toBe('9');
        expect((await info(member, { 'X-Forwarded-For': '198.51.100.98, 198.51.100.99' })).headers['X-RateLimit-Remaining']).toBe('8');
        // Fewer entries than proxies: the peer address (127.0.0.1, already spent).
        fx.ws.setHttpForwardedCount(3);
        expect((await info(member, { 'X-Forwarded-For': '198.51.100.99' })).status).toBe(429);
    });

    it('the window: all counters of a route reset once it is over', async () => {
        const { member } = fx.users;
        for (let i = 0; i < 11; i++) await info(member);
        expect((await info(member)).status).toBe(429);
        jest.setSystemTime(T0 + 60001);
        const res = await info(member);
        expect(res.status).toBe(200);
        expect(res.headers['X-RateLimit-Remaining']).toBe('9');
    });

    it.each([['admin'], ['bot'], ['app']])('holders of api-bypass-rate-limit (%s by default) are never counted', async (role) => {
        const user = fx.ws.addUser({ username: `r-${role}`, roles: [role] });
        fx.ws.addMember(fx.rooms.group._id, user._id);
        fx.login(user);
        for (let i = 0; i < 15; i++) {
            const res = await info(user);
            expect(res.status).toBe(200);
            expect(res.headers).toEqual({});
        }
    });

    it('the bypass follows the live permission table', async () => {
        const { member } = fx.users;
        fx.ws.setPermissionRoles('api-bypass-rate-limit', ['admin', 'bot', 'app', 'user']);
        for (let i = 0; i < 12; i++) expect((await info(member)).status).toBe(200);
        fx.ws.setPermissionRoles('api-bypass-rate-limit', ['admin', 'bot', 'app']);
        expect((await info(member)).status).toBe(200);
    });

    it('API_Enable_Rate_Limiter false (or a 0 limit) turns it off; new limits start a new window', async () => {
        const { member } = fx.users;
        fx.ws.setSetting('API_Enable_Rate_Limiter', false);
        for (let i = 0; i < 30; i++) {
            const res = await info(member);
            expect(res.status).toBe(200);
            expect(res.headers).toEqual({});
        }
        fx.ws.setSetting('API_Enable_Rate_Limiter', true);
        fx.ws.setSetting('API_Enable_Rate_Limiter_Limit_Calls_Default', 0);
        for (let i = 0; i < 15; i++) expect((await info(member)).status).toBe(200);
        fx.ws.setSetting('API_Enable_Rate_Limiter_Limit_Calls_Default', 2);
        fx.ws.setSetting('API_Enable_Rate_Limiter_Limit_Time_Default', 1000);
        expect((await info(member)).headers['X-RateLimit-Limit']).toBe('2');
        await info(member);
        expect(await info(member)).toMatchObject({ status: 429, body: tooMany(1) });
    });

    it('401, permissionsRequired 403 and typed-route validation come first and are not counted; legacy validation is', async () => {
        const { member, guest } = fx.users;
        for (let i = 0; i < 12; i++) {
            expect((await fx.ws.handle({ method: 'GET', path: '/api/v1/groups.info', query: { roomId: fx.rooms.group._id } })).status).toBe(401);
            expect((await fx.post(guest, 'teams.create', { name: 'x', type: 0 })).status).toBe(403);
            expect((await fx.post(member, 'rooms.saveRoomSettings', { nope: 1 })).status).toBe(400);
        }
        expect((await info(member)).headers['X-RateLimit-Remaining']).toBe('9');
        expect((await fx.post(member, 'rooms.saveRoomSettings', { rid: fx.rooms.group._id, encrypted: true })).status).toBe(400);
        for (let i = 0; i < 10; i++) expect((await fx.get(member, 'users.checkUsernameAvailability', { nope: 'x' })).status).toBe(400);
        expect((await fx.get(member, 'users.checkUsernameAvailability', { username: 'free-name' })).status).toBe(429);
    });
});

describe("the limiter's key (upstream apps/meteor/server/api/rateLimiterKey.ts @ 98072175, its spec @ 2e2355e7)", () => {
    const options = { numRequestsAllowed: 2, intervalTimeInMS: 60_000 };

    it("a route's rule counts per client address by default: users on one address share it", () => {
        const limiter = new RouteRateLimiter(() => 0);
        expect(limiter.hit('/api/v1/x.post', { IPAddr: '1.2.3.4', userId: 'alice' }, options).allowed).toBe(true);
        expect(limiter.hit('/api/v1/x.post', { IPAddr: '1.2.3.4', userId: 'alice' }, options).allowed).toBe(true);
        expect(limiter.hit('/api/v1/x.post', { IPAddr: '1.2.3.4', userId: 'bob' }, options).allowed).toBe(false);
        expect(limiter.hit('/api/v1/x.post', { IPAddr: '5.6.7.8', userId: 'bob' }, options).allowed).toBe(true);
    });

    it("a route declared `per: 'user'` counts per user: users on one address are kept apart, one user across addresses is one", () => {
        const limiter = new RouteRateLimiter(() => 0);
        const perUser = { ...options, per: 'user' as const };
        expect(limiter.hit('/api/v1/y.post', { IPAddr: '1.2.3.4', userId: 'alice' }, perUser).allowed).toBe(true);
        expect(limiter.hit('/api/v1/y.post', { IPAddr: '5.6.7.8', userId: 'alice' }, perUser).allowed).toBe(true);
        expect(limiter.hit('/api/v1/y.post', { IPAddr: '1.2.3.4', userId: 'alice' }, perUser).allowed).toBe(false);
        expect(limiter.hit('/api/v1/y.post', { IPAddr: '1.2.3.4', userId: 'bob' }, perUser).allowed).toBe(true);
    });

    it('an unauthenticated caller of a per-user route is counted by address (`ip:<address>`), never left unlimited', () => {
        const limiter = new RouteRateLimiter(() => 0);
        const perUser = { ...options, per: 'user' as const };
        for (let i = 0; i < 2; i++) expect(limiter.hit('/api/v1/z.post', { IPAddr: '1.2.3.4' }, perUser).allowed).toBe(true);
        expect(limiter.hit('/api/v1/z.post', { IPAddr: '1.2.3.4', userId: '' }, perUser).allowed).toBe(false);
        expect(rateLimiterInput({ IPAddr: '1.2.3.4' })).toEqual({ IPAddr: '1.2.3.4', userId: 'ip:1.2.3.4' });
    });
});
