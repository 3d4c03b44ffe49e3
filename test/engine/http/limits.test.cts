/**
 * Rocket.Chat's rate limiter applies to the HTTP door as to a direct call (interface.md §3): the forwarded change
 * carries the caller's client address (`X-Real-IP`, `X-Forwarded-For`), so each client has its own bucket per route
 * (upstream `ApiClass` `enforceRateLimit` keyed on `{ IPAddr, route }`), and Rocket.Chat's 429 is the answer.
 */
import { withoutRateLimits } from '../harness.cjs';
import { useHttpDoor } from './support.cjs';
import type { HttpDoor } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

const LIMIT = 10;
const TOO_MANY = { success: false, error: expect.stringMatching(/too many requests.*\[error-too-many-requests\]$/) };

/** Alternating encryption changes of project-x by alice from one client address. */
async function flips(count: number, address: Record<string, string>): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
        const rid = door.roomId('project-x');
        const encrypted = door.workspace.getRoom(rid)?.encrypted !== true;
        statuses.push((await door.post('groups.setEncrypted', { roomId: rid, encrypted }, 'alice', address)).status);
    }
    return statuses;
}

describe("the workspace's rate limiter", () => {
    it("answers the 11th change of a minute from one client with Rocket.Chat's own 429, and changes nothing", async () => {
        await door.fresh();
        const address = { 'X-Real-IP': '203.0.113.7' };
        expect(await flips(LIMIT, address)).toEqual(new Array(LIMIT).fill(200));

        const rid = door.roomId('project-x');
        const before = door.workspace.fingerprint();
        const refused = await door.post('groups.setEncrypted', { roomId: rid, encrypted: door.workspace.getRoom(rid)?.encrypted !== true }, 'alice', address);
        // With Rocket.Chat's X-RateLimit-* headers, as the same 429 of /api/v1 carries them (findings §B9).
        expect(refused).toEqual({
            status: 429,
            body: TOO_MANY,
            headers: { 'x-ratelimit-limit': String(LIMIT), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': expect.stringMatching(/^\d+$/) },
        });
        expect(door.workspace.fingerprint()).toBe(before);

        // Rocket.Chat's answer to the same caller calling it directly from that address is the same.
        const direct = await door.workspace.handle({
            method: 'POST',
            path: '/api/v1/groups.setEncrypted',
            body: { roomId: rid, encrypted: true },
            headers: { ...door.headersOf('alice'), 'x-real-ip': '203.0.113.7' },
        });
        expect(direct.status).toBe(429);
        expect(refused.body).toEqual(direct.body);
    });

    it('tells clients apart by the address headers the request carried', async () => {
        await door.fresh();
        expect(await flips(LIMIT + 1, { 'X-Real-IP': '203.0.113.7' })).toEqual([...new Array(LIMIT).fill(200), 429]);
        // Another client of the same user has its own bucket: its address reached Rocket.Chat's limiter.
        expect(await flips(2, { 'X-Real-IP': '198.51.100.20' })).toEqual([200, 200]);
        expect(await flips(1, { 'X-Real-IP': '203.0.113.7' })).toEqual([429]);
    });

    it('X-Forwarded-For is passed on as the request carried it', async () => {
        await door.fresh();
        const seen: Array<string | undefined> = [];
        // Every request reaches the workspace through handleHttp (the engine's HTTP bridge, and handle()).
        const handle = door.workspace.handleHttp.bind(door.workspace);
        door.workspace.handleHttp = async (req) => {
            const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
            seen.push(headers['x-forwarded-for']);
            return handle(req);
        };
        try {
            // groups.convertToTeam: the caller's read (groups.info) and the write, both with the client's address.
            await door.post('groups.convertToTeam', { roomName: 'project-x' }, 'alice', { 'X-Forwarded-For': '192.0.2.1, 10.0.0.2' });
        } finally {
            door.workspace.handleHttp = handle;
        }
        expect(seen).toEqual(['192.0.2.1, 10.0.0.2', '192.0.2.1, 10.0.0.2']);
    });

    it('does not limit callers holding api-bypass-rate-limit, nor anyone when API_Enable_Rate_Limiter is off', async () => {
        await door.fresh(withoutRateLimits);
        expect(await flips(LIMIT + 2, { 'X-Real-IP': '203.0.113.7' })).toEqual(new Array(LIMIT + 2).fill(200));

        await door.fresh(({ workspace }) => workspace.setPermissionRoles('api-bypass-rate-limit', ['admin', 'bot', 'app', 'owner', 'user']));
        expect(await flips(LIMIT + 2, { 'X-Real-IP': '203.0.113.7' })).toEqual(new Array(LIMIT + 2).fill(200));
    });
});
