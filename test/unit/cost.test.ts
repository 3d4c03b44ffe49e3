import type { IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { ENCRYPT_SPEC } from '../../src/commands/encrypt';
import { SlashCommand } from '../../src/commands/SlashCommand';
import { convertToTeam } from '../../src/operations/convertToTeam';
import { setEncrypted } from '../../src/operations/setEncrypted';
import { setType } from '../../src/operations/setType';
import type { GroupResult, Outcome } from '../../src/operations/types';
import { FakeWorkspace } from './fakes';
import { fakeApp, params } from './helpers';

/** What an endpoint does with a group outcome: re-read the group for the answer. */
async function endpointLike(outcome: Promise<Outcome<GroupResult>>): Promise<void> {
    const done = await outcome;
    if (!done.dryRun) {
        await done.result.readGroup();
    }
}

/** A workspace with `members` plain members in group g1 (olga owner) and a warm cache (settings, permissions). */
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
    await setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'warm' }), encrypted: true, dryRun: true }, ws.context());
    ws.calls = [];
    return ws;
}

describe('host round trips (warm caches)', () => {
    it('setEncrypted: ≤ 6', async () => {
        const ws = await warmWorkspace(3);
        await endpointLike(setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, ws.context()));
        expect(ws.calls).toEqual([
            'room.getById',
            'user.getUserRoomIds',
            'room.getOwners',
            'server.E2E_Enable',
            'http.post /api/v1/rooms.saveRoomSettings',
            'room.getById',
        ]);
    });

    it('setType: ≤ 6', async () => {
        const ws = await warmWorkspace(3);
        await endpointLike(setType({ user: ws.user('olga'), room: params({ roomId: 'g1' }), type: 'c', dryRun: false }, ws.context()));
        expect(ws.calls).toEqual(['room.getById', 'user.getUserRoomIds', 'room.getOwners', 'http.post /api/v1/rooms.saveRoomSettings', 'room.getById']);
    });

    it('convertToTeam: ≤ 8', async () => {
        const ws = await warmWorkspace(3);
        await convertToTeam({ user: ws.user('olga'), room: params({ roomId: 'g1' }), dryRun: false }, ws.context());
        expect(ws.calls).toEqual(['room.getById', 'user.getUserRoomIds', 'room.getOwners', 'room.getMembers', 'http.post /api/v1/teams.create']);
    });

    it('the same count for 3 and 5,000 members', async () => {
        const counts: number[] = [];
        for (const size of [3, 5000]) {
            const ws = await warmWorkspace(size);
            await endpointLike(setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, ws.context()));
            await setType({ user: ws.user('olga'), room: params({ roomId: 'g1' }), type: 'c', dryRun: false }, ws.context());
            ws.rooms.get('g1')!.t = 'p';
            await convertToTeam({ user: ws.user('olga'), room: params({ roomId: 'g1' }), dryRun: false }, ws.context());
            counts.push(ws.calls.length);
        }
        expect(counts[0]).toBe(counts[1]);
    });

    it('a command in the current room: no room read, no re-read, one reply, the app user and Language read once: 5', async () => {
        const ws = await warmWorkspace(3);
        const command = new SlashCommand(fakeApp(ws), ENCRYPT_SPEC);
        const run = () => command.executor(new SlashCommandContext(ws.user('olga'), ws.room('g1'), ['status']), ws.read(), ws.modify(), ws.http(), {} as IPersistence);
        await run();
        await run();
        expect(ws.calls.filter((c) => c === 'user.getAppUser')).toHaveLength(1);
        expect(ws.calls.filter((c) => c === 'server.Language')).toHaveLength(1);
        ws.calls = [];
        await command.executor(new SlashCommandContext(ws.user('olga'), ws.room('g1'), ['on']), ws.read(), ws.modify(), ws.http(), {} as IPersistence);
        expect(ws.calls).toEqual([
            'user.getUserRoomIds',
            'room.getOwners',
            'server.E2E_Enable',
            'http.post /api/v1/rooms.saveRoomSettings',
            'notifier.notifyUser',
        ]);
    });

    it('cold: settings and the permission table are read once, then remembered', async () => {
        const ws = new FakeWorkspace();
        ws.addUser('olga');
        ws.addRoom({ _id: 'g1' }, [['olga', ['owner']]]);
        await setEncrypted({ user: ws.user('olga'), room: params({ roomId: 'g1' }), encrypted: true, dryRun: false }, ws.context());
        expect(ws.calls.filter((c) => c.indexOf('setting.') === 0 || c.indexOf('permissions') >= 0)).toHaveLength(4);
    });
});
