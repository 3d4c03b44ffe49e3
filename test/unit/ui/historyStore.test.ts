/**
 * The history store over the app's persistence: one record per change, newest first in the order the changes were
 * recorded (concurrent ones included), the newest 100 per room, pages, the last change of a setting.
 */
import { HISTORY_LIMIT, lastChange, readHistory, recordChange } from '../../../src/history/store';
import type { ChangeRecord } from '../../../src/history/store';
import { FakeWorkspace } from '../fakes';

function change(n: number, roomId = 'R1', operation: ChangeRecord['operation'] = 'setEncrypted'): Omit<ChangeRecord, 'at'> {
    return { roomId, roomName: 'dev', operation, from: n % 2 === 0, to: n % 2 !== 0, actor: { _id: `u${n}`, username: `user${n}` }, door: 'command' };
}

describe('history store', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = new FakeWorkspace();
    });

    it('records each change with the fields of §7 and its time; reads them newest first', async () => {
        const before = Date.now();
        await recordChange(ws.read(), ws.persistence(), change(1));
        await recordChange(ws.read(), ws.persistence(), change(2, 'R1', 'setType'));
        await recordChange(ws.read(), ws.persistence(), change(3, 'R2'));
        const page = await readHistory(ws.read(), 'R1');
        expect(page.total).toBe(2);
        expect(page.records.map((r) => r.actor.username)).toEqual(['user2', 'user1']);
        expect(Object.keys(page.records[0]).sort()).toEqual(['actor', 'at', 'door', 'from', 'operation', 'roomId', 'roomName', 'to']);
        expect(Date.parse(page.records[1].at)).toBeGreaterThanOrEqual(before - 1);
        expect((await readHistory(ws.read(), 'R2')).records.map((r) => r.actor.username)).toEqual(['user3']);
        expect((await lastChange(ws.read(), 'R1', 'setEncrypted'))?.actor.username).toBe('user1');
        expect(await lastChange(ws.read(), 'R1', 'convertToTeam')).toBeUndefined();
    });

    it('concurrent changes: every one recorded, in the order they were recorded, even within one millisecond', async () => {
        await Promise.all(Array.from({ length: 30 }, (_, i) => recordChange(ws.read(), ws.persistence(), change(i))));
        const page = await readHistory(ws.read(), 'R1');
        expect(page.total).toBe(30);
        expect(page.records.map((r) => r.actor.username)).toEqual(Array.from({ length: 30 }, (_, i) => `user${29 - i}`));
    });

    it(`keeps the newest ${HISTORY_LIMIT} of a room, and pages through them`, async () => {
        for (let i = 0; i < HISTORY_LIMIT + 7; i++) {
            await recordChange(ws.read(), ws.persistence(), change(i));
        }
        const all = await readHistory(ws.read(), 'R1');
        expect(all.total).toBe(HISTORY_LIMIT);
        expect(ws.persisted).toHaveLength(HISTORY_LIMIT);
        expect(all.records[0].actor.username).toBe(`user${HISTORY_LIMIT + 6}`);
        expect(all.records[HISTORY_LIMIT - 1].actor.username).toBe('user7');
        const page = await readHistory(ws.read(), 'R1', 95, 10);
        expect(page.records.map((r) => r.actor.username)).toEqual(['user11', 'user10', 'user9', 'user8', 'user7']);
    });

    it('nothing but the record: no token, no user document', async () => {
        await recordChange(ws.read(), ws.persistence(), { ...change(1), actor: { _id: 'u1', username: 'alice', token: 'x' } as unknown as ChangeRecord['actor'] });
        expect(JSON.stringify(ws.persisted)).not.toContain('token');
    });
});
