/**
 * The caller's credentials serve one request (interface.md §3): never in a response, an error, a log line or a
 * persisted record — whatever the outcome. And a change Rocket.Chat accepted is in the history (§7), door
 * `endpoint`, actor the caller; nothing else is.
 */
import type { ChangeRecord } from '../../../src/history/store';
import { useHttpDoor } from './support.cjs';
import type { HttpDoor } from './support.cjs';

let door: HttpDoor;
useHttpDoor((booted) => {
    door = booted;
});

type StoredChange = ChangeRecord;

/** The history records of the current fixture's rooms (the engine's persistence outlives a fixture). */
function history(): StoredChange[] {
    const rooms = new Set(door.workspace.listRooms().map((room) => room._id));
    return door
        .persisted()
        .filter((data): data is StoredChange => !!data && typeof data === 'object' && 'operation' in data)
        .filter((record) => rooms.has(record.roomId));
}

describe("the caller's token", () => {
    it('appears in no response, log line or persisted record, whatever the outcome', async () => {
        await door.fresh(({ workspace }) => {
            const alice = workspace.getUserByUsername('alice');
            workspace.addRoom({ name: 'plaza', t: 'c', owner: alice?._id ?? '' });
        });
        const rid = door.roomId('project-x');
        const responses = [
            await door.post('groups.setEncrypted', { roomId: rid, encrypted: true }, 'alice'),
            await door.post('groups.setEncrypted', { roomId: rid, encrypted: false }, 'carol'),
            await door.post('groups.setType', { roomName: 'plaza', type: 'p' }, 'alice'),
            await door.post('groups.setType', { roomName: 'project-x', type: 'c', dryRun: true }, 'alice'),
            await door.post('groups.setType', { roomName: 'project-x', type: 'c', dryRun: 'true' }, 'alice'),
            await door.post('groups.convertToTeam', { roomName: 'eng-secrets' }, 'alice'),
            await door.post('groups.convertToTeam', { roomName: 'eng-secrets' }, 'dave'),
        ];
        door.workspace.setFault('/api/v1/groups.setEncrypted', { kind: 'status', status: 500, times: 1 });
        responses.push(await door.post('groups.setEncrypted', { roomId: rid, encrypted: false }, 'alice'));
        door.workspace.setFault('/api/v1/groups.setType', { kind: 'refuse', times: 1 });
        responses.push(await door.post('groups.setType', { roomId: rid, type: 'c' }, 'alice'));

        expect(responses.map((r) => r.status)).toEqual([200, 400, 200, 200, 400, 400, 400, 502, 502]);
        expect(door.leaksIn(JSON.stringify(responses))).toEqual([]);
        expect(door.leaksIn(door.host.logText())).toEqual([]);
        expect(door.leaksIn(JSON.stringify(door.persisted()))).toEqual([]);
        // The engine's own debug line of each request (headers included) is in the log, without the token.
        const debug = door.host.logs().flatMap((entry) => entry.entries).filter((line) => String(line.severity) === 'debug');
        expect(JSON.stringify(debug)).toContain('[redacted]');
    });

    it('a 502 says what failed without the address, the credentials or Rocket.Chat\'s reason', async () => {
        await door.fresh();
        door.workspace.setFault('/api/v1/groups.convertToTeam', { kind: 'status', status: 503, body: { error: 'maintenance' }, times: 1 });
        const response = await door.post('groups.convertToTeam', { roomName: 'project-x' }, 'alice');
        expect(response).toEqual({
            status: 502,
            body: { success: false, error: 'The request to the Rocket.Chat workspace failed [error-workspace-request-failed]', errorType: 'error-workspace-request-failed' },
        });
        expect(door.host.logText()).not.toContain('maintenance');
        expect(history()).toEqual([]);
    });
});

describe('the history of changes made over HTTP', () => {
    it('records each change Rocket.Chat accepted, as the room was before and after, with the caller as actor', async () => {
        await door.fresh(({ workspace }) => {
            const alice = workspace.getUserByUsername('alice');
            workspace.addRoom({ name: 'plaza', t: 'c', owner: alice?._id ?? '' });
        });
        const actor = { _id: door.userId('alice'), username: 'alice' };
        const px = door.roomId('project-x');
        expect((await door.post('groups.setEncrypted', { roomId: px, encrypted: true }, 'alice')).status).toBe(200);
        expect((await door.post('groups.setType', { roomName: 'plaza', type: 'p' }, 'alice')).status).toBe(200);
        expect((await door.post('groups.convertToTeam', { roomName: 'project-x' }, 'alice')).status).toBe(200);

        const records = history().map(({ roomId, roomName, operation, from, to, actor, door: via }) => ({ roomId, roomName, operation, from, to, actor, door: via }));
        expect(records).toEqual(
            expect.arrayContaining([
                { roomId: px, roomName: 'project-x', operation: 'setEncrypted', from: false, to: true, actor, door: 'endpoint' },
                { roomId: door.roomId('plaza'), roomName: 'plaza', operation: 'setType', from: 'c', to: 'p', actor, door: 'endpoint' },
                { roomId: px, roomName: 'project-x', operation: 'convertToTeam', from: false, to: true, actor, door: 'endpoint' },
            ]),
        );
        expect(records).toHaveLength(3);
        // Recorded without a hitch: a failed history write is only a warning (the change stands), so look for it.
        const warnings = door.host.logs().flatMap((entry) => entry.entries).filter((line) => String(line.severity) === 'warning');
        expect(JSON.stringify(warnings)).not.toContain('history');
    });

    it('records nothing for a refusal, a dry run, or a write that changed nothing', async () => {
        await door.fresh();
        const px = door.roomId('project-x');
        await door.post('groups.setEncrypted', { roomId: px, encrypted: true }, 'carol');
        await door.post('groups.setEncrypted', { roomId: px, encrypted: true, dryRun: true }, 'alice');
        await door.post('groups.setEncrypted', { roomId: px, encrypted: false }, 'alice');
        expect(door.workspace.getRoom(px)?.encrypted).toBe(false);
        expect(history()).toEqual([]);
    });
});
