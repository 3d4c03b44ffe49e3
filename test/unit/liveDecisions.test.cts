/**
 * The chat doors and dry runs decide live and fail closed (interface.md §5), on the operation cores: the rate limit
 * of real changes, federated rooms, deleted members, ambiguous bare words and names of rooms the person cannot access.
 */
import { DEFAULT_CALLS, resetRateLimits } from '../../src/access/rateLimit';
import { convertToTeam } from '../../src/operations/convertToTeam';
import { setEncrypted } from '../../src/operations/setEncrypted';
import { setType } from '../../src/operations/setType';
import { typeStatus } from '../../src/operations/status';
import type { RoomRef } from '../../src/operations/types';
import type { FakeWorkspace } from './fakes.cjs';
import { params, restFailure, standardWorkspace } from './helpers.cjs';

const encrypt = (ws: FakeWorkspace, user: string, room: RoomRef, dryRun = false) =>
    setEncrypted({ user: ws.user(user), room, encrypted: true, dryRun }, ws.context());

describe('rate limit of chat-door changes', () => {
    let ws: FakeWorkspace;
    let now: number;
    beforeEach(() => {
        ws = standardWorkspace();
        resetRateLimits();
        now = Date.now();
        jest.spyOn(Date, 'now').mockImplementation(() => now);
    });
    afterEach(() => jest.restoreAllMocks());

    it('the 11th change attempt within 60 s is refused with 429, saying when to retry; refused attempts count too', async () => {
        for (let i = 0; i < 5; i++) {
            await encrypt(ws, 'olga', params({ roomId: 'g1' }));
        }
        for (let i = 0; i < 5; i++) {
            // Refused (no such room), but counted.
            await restFailure(encrypt(ws, 'olga', params({ roomId: 'nope' })));
        }
        now += 20000;
        const writes = ws.writes.length;
        const failure = await restFailure(encrypt(ws, 'olga', params({ roomId: 'g1' })));
        expect(failure).toEqual({
            status: 429,
            content: {
                success: false,
                error: 'Error, too many requests. Please slow down. You must wait 40 seconds before trying this endpoint again. [error-too-many-requests]',
                errorType: 'error-too-many-requests',
                details: { timeToReset: 40000, seconds: 40 },
            },
        });
        expect(ws.writes).toHaveLength(writes);
        now += 40000;
        expect((await encrypt(ws, 'olga', params({ roomId: 'g1' }))).dryRun).toBe(false);
    });

    it('per user and per operation; dry runs are not counted', async () => {
        for (let i = 0; i < DEFAULT_CALLS; i++) {
            await encrypt(ws, 'olga', params({ roomId: 'g1' }));
        }
        await restFailure(encrypt(ws, 'olga', params({ roomId: 'g1' })));
        expect((await encrypt(ws, 'olga', params({ roomId: 'g1' }), true)).dryRun).toBe(true);
        expect((await encrypt(ws, 'adm', params({ roomId: 'g1' }))).dryRun).toBe(false);
        expect((await restFailure(setType({ user: ws.user('olga'), room: params({ roomId: 'g1' }), type: 'x', dryRun: false }, ws.context()))).content.errorType).toBe(
            'error-invalid-room-type',
        );
    });

    it("follows the workspace's limiter settings, and users holding api-bypass-rate-limit are exempt", async () => {
        ws.serverSettings.API_Enable_Rate_Limiter_Limit_Calls_Default = 2;
        ws.permissions['api-bypass-rate-limit'] = ['admin'];
        for (let i = 0; i < 2; i++) {
            await encrypt(ws, 'olga', params({ roomId: 'g1' }));
        }
        expect((await restFailure(encrypt(ws, 'olga', params({ roomId: 'g1' })))).status).toBe(429);
        for (let i = 0; i < 5; i++) {
            expect((await encrypt(ws, 'adm', params({ roomId: 'g1' }))).dryRun).toBe(false);
        }
    });

    it('API_Enable_Rate_Limiter off: no limit', async () => {
        ws.serverSettings.API_Enable_Rate_Limiter = false;
        for (let i = 0; i < DEFAULT_CALLS + 2; i++) {
            await encrypt(ws, 'olga', params({ roomId: 'g1' }));
        }
    });

    it('the permission table unreadable: nothing is decided, not even the exemption', async () => {
        ws.fault = (method, path) => (path.endsWith('permissions.listAll') ? 'reject' : undefined);
        expect((await restFailure(encrypt(ws, 'adm', params({ roomId: 'g1' })))).content.errorType).toBe('error-permissions-unavailable');
        expect(ws.writes).toEqual([]);
    });
});

describe('federated rooms: the chat doors and dry runs change and predict nothing there', () => {
    it.each([
        ['federated in _unmappedProperties_ (8.4)', false],
        ['isFederated mapped (newer servers)', true],
    ])('%s: a subscription there is no access (it may be an unaccepted invitation, findings §C14)', async (_label, mapped) => {
        const ws = standardWorkspace();
        ws.rooms.get('g1')!.federated = true;
        ws.rooms.get('g1')!.federatedMapped = mapped;
        for (const dryRun of [true, false]) {
            const failure = await restFailure(encrypt(ws, 'olga', params({ roomId: 'g1' }), dryRun));
            expect(failure).toEqual({
                status: 400,
                content: {
                    success: false,
                    error: 'The required "roomId" or "roomName" param provided does not match any group [error-room-not-found]',
                    errorType: 'error-room-not-found',
                },
            });
            await restFailure(setType({ user: ws.user('olga'), room: params({ roomId: 'g1' }), type: 'c', dryRun }, ws.context()));
            await restFailure(convertToTeam({ user: ws.user('olga'), room: params({ roomId: 'g1' }), dryRun }, ws.context()));
        }
        expect(ws.writes).toEqual([]);
    });

    it('a federated public channel is not made private either', async () => {
        const ws = standardWorkspace();
        ws.addRoom({ _id: 'c1', name: 'c1', t: 'c', federated: true }, [['olga', ['owner']]]);
        expect((await restFailure(setType({ user: ws.user('olga'), room: params({ roomId: 'c1' }), type: 'p', dryRun: false }, ws.context()))).content.error).toMatch(
            /^Federated rooms/,
        );
    });

    it('an inaccessible federated room is just not found', async () => {
        const ws = standardWorkspace();
        ws.rooms.get('g1')!.federated = true;
        expect((await restFailure(encrypt(ws, 'out', params({ roomId: 'g1' })))).content.errorType).toBe('error-room-not-found');
    });
});

describe('a member whose user no longer exists', () => {
    it('is skipped by the team conversion, never a crash', async () => {
        const ws = standardWorkspace();
        ws.subscriptions.push({ rid: 'g1', uid: 'deleted-user', roles: [] });
        const outcome = await convertToTeam({ user: ws.user('olga'), room: params({ roomId: 'g1' }), dryRun: false }, ws.context());
        expect(outcome.dryRun).toBe(false);
        expect(ws.writes[0].body.members).toEqual(['olga', 'mo', 'mem', 'adm']);
    });
});

describe('a bare word that is one room id and another room name', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = standardWorkspace();
        // g1 is named group-one; another group is named like g1's id.
        ws.rooms.get('g1')!.name = 'group-one';
        ws.addRoom({ _id: 'g2', name: 'g1' }, [['olga', ['owner']]]);
    });

    it('is refused as ambiguous, naming both ways to say it', async () => {
        await expect(encrypt(ws, 'olga', { kind: 'idOrName', value: 'g1' })).rejects.toMatchObject({ code: 'ambiguous-room', params: { room: 'g1', name: 'group-one' } });
        const failure = await restFailure(encrypt(ws, 'olga', { kind: 'idOrName', value: 'g1' }));
        expect(failure.content.errorType).toBe('error-room-ambiguous');
        expect(ws.writes).toEqual([]);
    });

    it('a #name is not ambiguous', async () => {
        expect((await encrypt(ws, 'olga', { kind: 'name', value: 'g1' })).label).toBe('g1');
        expect(ws.writes[0].body.rid).toBe('g2');
    });

    it("does not name the room with that id to someone who cannot access it", async () => {
        ws.subscriptions = ws.subscriptions.filter((s) => !(s.rid === 'g1' && s.uid === 'olga'));
        try {
            await encrypt(ws, 'olga', { kind: 'idOrName', value: 'g1' });
            throw new Error('expected a refusal');
        } catch (error) {
            expect((error as { code?: string }).code).toBe('ambiguous-room-unnamed');
            expect(JSON.stringify(error)).not.toContain('group-one');
        }
    });

    it('a bare word that is one room id only, or one room name only, still works', async () => {
        ws.rooms.get('g2')!.name = 'other';
        expect((await encrypt(ws, 'olga', { kind: 'idOrName', value: 'g1' })).label).toBe('group-one');
        expect((await encrypt(ws, 'olga', { kind: 'idOrName', value: 'other' })).label).toBe('other');
    });
});

describe('a room reached by id that the person cannot access is "not found", without its name', () => {
    it('a discussion title never reaches someone who cannot access it', async () => {
        const ws = standardWorkspace();
        ws.addRoom({ _id: 'secret-disc', name: 'secret-disc', fname: 'Layoffs 2027', t: 'p' }, [['olga', ['owner']]]);
        try {
            await encrypt(ws, 'out', { kind: 'room', room: ws.room('secret-disc') });
            throw new Error('expected a refusal');
        } catch (error) {
            expect((error as { code?: string; params?: Record<string, string> }).code).toBe('room-not-found');
            expect((error as { params: Record<string, string> }).params).toEqual({ room: 'secret-disc' });
            expect(JSON.stringify(error)).not.toContain('Layoffs');
        }
    });

    it('a public channel of a private team: its status is "not found" for someone outside the team', async () => {
        const ws = standardWorkspace();
        ws.addRoom({ _id: 'main', name: 'main', t: 'p', teamId: 't1', teamMain: true }, [['olga', ['owner']]]);
        ws.teams.push({ _id: 't1', name: 'main', type: 1, roomId: 'main' });
        ws.addRoom({ _id: 'tc', name: 'team-plans', t: 'c', teamId: 't1' }, [['olga', ['owner']]]);
        await expect(typeStatus({ user: ws.user('olga'), room: { kind: 'room', room: ws.room('tc') } }, ws.context())).resolves.toEqual({ label: 'team-plans', type: 'c', teamMain: false });
        const failure = await restFailure(typeStatus({ user: ws.user('out'), room: { kind: 'room', room: ws.room('tc') } }, ws.context()));
        expect(failure.content.errorType).toBe('error-room-not-found');
        const refused = setType({ user: ws.user('out'), room: { kind: 'room', room: ws.room('tc') }, type: 'p', dryRun: true }, ws.context());
        await expect(refused).rejects.toMatchObject({ code: 'edit-room-not-allowed', params: { room: 'tc' } });
    });
});
