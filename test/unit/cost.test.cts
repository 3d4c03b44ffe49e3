import type { IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { ENCRYPT_SPEC } from '../../src/commands/encrypt';
import { SlashCommand } from '../../src/commands/SlashCommand';
import { convertToTeam } from '../../src/operations/convertToTeam';
import { setEncrypted } from '../../src/operations/setEncrypted';
import { setType } from '../../src/operations/setType';
import type { GroupResult, Outcome } from '../../src/operations/types';
import { FakeWorkspace } from './fakes.cjs';
import { fakeApp, params } from './helpers.cjs';

/** What an endpoint does with a group outcome: re-read the group for the answer. */
async function endpointLike(outcome: Promise<Outcome<GroupResult>>): Promise<void> {
    const done = await outcome;
    if (!done.dryRun) {
        await done.result.readGroup();
    }
}

/**
 * A workspace with `members` plain members in group g1 (olga owner) and warm module memory: the app's settings and
 * the rate limiter's server settings (remembered for a minute), and a first full read of the permission table (later
 * operations read only what changed, `updatedSince`, but still read it: one round trip each).
 */
async function warmWorkspace(members: number): Promise<FakeWorkspace> {
    const ws = new FakeWorkspace();
    ws.addUser('olga');
    const list: Array<[string, string[]?]> = [['olga', ['owner']]];
    for (let i = 1; i < members; i++) {
        ws.addUser(`m${i}`);
        list.push([`m${i}`]);
    }
    ws.addRoom({ _id: 'g1', name: 'g1' }, list);
    ws.addRoom({ _id: 'warm', name: 'warm' }, [['olga', ['owner']]]);
    await setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'warm' }), encrypted: true, dryRun: false }, ws.context());
    ws.calls = [];
    return ws;
}

const LIVE_TABLE = 'http.get /api/v1/permissions.listAll';

describe('host round trips (warm module memory): ≤ 6 per chat-door change, the live permission read included', () => {
    it('setEncrypted: 6', async () => {
        const ws = await warmWorkspace(3);
        await setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, ws.context());
        expect(ws.calls).toEqual([LIVE_TABLE, 'room.getById', 'user.getUserRoomIds', 'room.getOwners', 'server.E2E_Enable', 'http.post /api/v1/rooms.saveRoomSettings']);
    });

    it('the live read asks only for what changed since the newest change seen', async () => {
        const ws = await warmWorkspace(3);
        await setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, ws.context());
        const reads = ws.requests.filter((r) => r.url.includes('permissions.listAll')).map((r) => new URL(r.url).searchParams.get('updatedSince'));
        expect(reads[0]).toBeNull();
        expect(reads.slice(1).every((since) => typeof since === 'string' && !isNaN(Date.parse(since)))).toBe(true);
    });

    it('setType: 5', async () => {
        const ws = await warmWorkspace(3);
        await setType({ user: ws.user('olga'), room: params({ roomId: 'g1' }), type: 'c', dryRun: false }, ws.context());
        expect(ws.calls).toEqual([LIVE_TABLE, 'room.getById', 'user.getUserRoomIds', 'room.getOwners', 'http.post /api/v1/rooms.saveRoomSettings']);
    });

    it('convertToTeam: 6', async () => {
        const ws = await warmWorkspace(3);
        await convertToTeam({ user: ws.user('olga'), room: params({ roomId: 'g1' }), dryRun: false }, ws.context());
        expect(ws.calls).toEqual([LIVE_TABLE, 'room.getById', 'user.getUserRoomIds', 'room.getOwners', 'room.getMembers', 'http.post /api/v1/teams.create']);
    });

    it('a dry run: the live permission read, then the checks; no rate limit settings', async () => {
        const ws = await warmWorkspace(3);
        await endpointLike(setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: true }, ws.context()));
        expect(ws.calls).toEqual(['room.getById', 'user.getUserRoomIds', LIVE_TABLE, 'room.getOwners', 'server.E2E_Enable']);
    });

    it('the same count for 3 and 5,000 members', async () => {
        const counts: number[] = [];
        for (const size of [3, 5000]) {
            const ws = await warmWorkspace(size);
            await setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, ws.context());
            await setType({ user: ws.user('olga'), room: params({ roomId: 'g1' }), type: 'c', dryRun: false }, ws.context());
            ws.rooms.get('g1')!.t = 'p';
            await convertToTeam({ user: ws.user('olga'), room: params({ roomId: 'g1' }), dryRun: false }, ws.context());
            counts.push(ws.calls.length);
        }
        expect(counts[0]).toBe(counts[1]);
    });

    it('a command in the current room: no lookup of the room, no re-read, one reply, the app user and Language read once', async () => {
        const ws = await warmWorkspace(3);
        const command = new SlashCommand(fakeApp(ws), ENCRYPT_SPEC);
        const run = () => command.executor(new SlashCommandContext(ws.user('olga'), ws.room('g1'), ['status']), ws.read(), ws.modify(), ws.http(), {} as IPersistence);
        await run();
        await run();
        expect(ws.calls.filter((c) => c === 'user.getAppUser')).toHaveLength(1);
        expect(ws.calls.filter((c) => c === 'server.Language')).toHaveLength(1);
        ws.calls = [];
        await command.executor(new SlashCommandContext(ws.user('olga'), ws.room('g1'), ['on']), ws.read(), ws.modify(), ws.http(), {} as IPersistence);
        // The operation's own round trips (the door's announcement and history are the door's).
        const operation = ws.calls.filter((c) => c.startsWith('http.') || c.startsWith('user.') || c.startsWith('server.') || /^room\.get(ByName|Owners|Moderators|Leaders|Members)/.test(c));
        // The member's rooms first: whether the change may wait in the room's serialization (findings §C15); last the
        // announcement's own read: the room ends up encrypted, so may the bot post there (§9)?
        expect(operation).toEqual(['user.getUserRoomIds', LIVE_TABLE, 'room.getOwners', 'server.E2E_Enable', 'http.post /api/v1/rooms.saveRoomSettings', 'server.E2E_Allow_Unencrypted_Messages']);
        expect(ws.calls.filter((c) => c === 'notifier.notifyUser')).toHaveLength(1);
    });

    it('cold: the app settings are read once and the permission table in full', async () => {
        const ws = new FakeWorkspace();
        ws.addUser('olga');
        ws.addRoom({ _id: 'g1' }, [['olga', ['owner']]]);
        await setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, ws.context());
        expect(ws.calls.filter((c) => c.indexOf('setting.') === 0 || c.indexOf('permissions') >= 0)).toHaveLength(4);
    });
});
