/**
 * The history store over the app's persistence: one record per change, newest first in the order the changes were
 * recorded (concurrent ones included), the newest 100 per room, pages, the last change of a setting.
 */
import {
    HISTORY_LIMIT,
    applyHistoryLimit,
    claimOwnChange,
    confirmIntent,
    dropIntent,
    forgetStoreMemory,
    indexRooms,
    lastChange,
    readAudit,
    readHistory,
    readRecord,
    recordChange,
    recordIntent,
} from '../../../src/history/store';
import type { ChangeRecord, NewChange } from '../../../src/history/store';
import { FakeWorkspace } from '../fakes.cjs';
import { forgetAppSettings, rememberAppSetting } from '../../../src/workspace/appSettings';

function change(n: number, roomId = 'R1', operation: ChangeRecord['operation'] = 'setEncrypted'): NewChange {
    return { roomId, roomName: 'dev', operation, from: n % 2 === 0, to: n % 2 !== 0, actor: { _id: `u${n}`, username: `user${n}` }, door: 'command' };
}

describe('history store', () => {
    let ws: FakeWorkspace;
    beforeEach(() => {
        ws = new FakeWorkspace();
        forgetStoreMemory();
        forgetAppSettings();
    });

    const records = (): Array<{ data: object; associations: string[] }> => ws.persisted.filter((r) => r.associations.includes('misc:group-admin-record'));

    it('records each change with the fields of §7 and its time; reads them newest first', async () => {
        const before = Date.now();
        await recordChange(ws.read(), ws.persistence(), change(1));
        await recordChange(ws.read(), ws.persistence(), change(2, 'R1', 'setType'));
        await recordChange(ws.read(), ws.persistence(), change(3, 'R2'));
        const page = await readHistory(ws.read(), 'R1');
        expect(page.total).toBe(2);
        expect(page.records.map((r) => r.actor.username)).toEqual(['user2', 'user1']);
        expect(Object.keys(page.records[0]).sort()).toEqual(['_id', 'actor', 'at', 'door', 'from', 'operation', 'roomId', 'roomName', 'to']);
        expect(page.records[0]._id).toMatch(/^[0-9a-f]{24}$/);
        expect(page.trimmed).toBe(0);
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
        expect(records()).toHaveLength(HISTORY_LIMIT);
        expect(all.trimmed).toBe(7);
        expect(all.records[0].actor.username).toBe(`user${HISTORY_LIMIT + 6}`);
        expect(all.records[HISTORY_LIMIT - 1].actor.username).toBe('user7');
        const page = await readHistory(ws.read(), 'R1', 95, 10);
        expect(page.records.map((r) => r.actor.username)).toEqual(['user11', 'user10', 'user9', 'user8', 'user7']);
    });

    it('nothing but the record: no token, no user document', async () => {
        await recordChange(ws.read(), ws.persistence(), { ...change(1), actor: { _id: 'u1', username: 'alice', token: 'x' } as unknown as ChangeRecord['actor'] });
        expect(JSON.stringify(ws.persisted)).not.toContain('token');
    });

    const service = { senderId: 'svc', serviceUserId: 'svc' };

    it('an intent is hidden until confirmed; a dropped one leaves nothing; its system message claims it once', async () => {
        const intent = await recordIntent(ws.read(), ws.persistence(), change(1));
        expect((await readHistory(ws.read(), 'R1')).total).toBe(0);
        expect((await readRecord(ws.read(), intent._id))?.pending).toBe(true);
        // The system message arrives before the app heard Rocket.Chat's answer: it is the app's change.
        // Someone else's message (not the service account the chat doors write as) is not the app's change.
        expect(await claimOwnChange(ws.read(), ws.persistence(), 'R1', 'setEncrypted', true, { senderId: 'bob', serviceUserId: 'svc' })).toBeUndefined();
        const claimed = await claimOwnChange(ws.read(), ws.persistence(), 'R1', 'setEncrypted', true, service);
        expect(claimed?._id).toBe(intent._id);
        expect((await readHistory(ws.read(), 'R1')).total).toBe(1);
        // A second message of the same change is someone else's: nothing left to claim.
        expect(await claimOwnChange(ws.read(), ws.persistence(), 'R1', 'setEncrypted', true, service)).toBeUndefined();
        await confirmIntent(ws.read(), ws.persistence(), intent, { from: false });
        expect((await readHistory(ws.read(), 'R1')).records.map((r) => r._id)).toEqual([intent._id]);
        const refused = await recordIntent(ws.read(), ws.persistence(), change(3));
        await dropIntent(ws.read(), ws.persistence(), refused);
        expect(await readRecord(ws.read(), refused._id)).toBeUndefined();
        expect(await claimOwnChange(ws.read(), ws.persistence(), 'R1', 'setEncrypted', true, service)).toBeUndefined();
    });

    it('a claim written on another instance survives the confirmation: the record stays observed, never claimed again nor dropped', async () => {
        const intent = await recordIntent(ws.read(), ws.persistence(), change(1));
        forgetStoreMemory(); // the system message reaches another instance: it reads the room's records
        expect((await claimOwnChange(ws.read(), ws.persistence(), 'R1', 'setEncrypted', true, service))?._id).toBe(intent._id);
        await confirmIntent(ws.read(), ws.persistence(), intent, { from: false, to: true });
        expect(await claimOwnChange(ws.read(), ws.persistence(), 'R1', 'setEncrypted', true, service)).toBeUndefined();
        await dropIntent(ws.read(), ws.persistence(), intent);
        expect(await readRecord(ws.read(), intent._id)).toMatchObject({ _id: intent._id, pending: false });
        expect((await readHistory(ws.read(), 'R1')).total).toBe(1);
    });

    it('the confirmation and this process\'s own claim read nothing; the claim alone makes the record visible', async () => {
        // The room's first record here puts it in the room index (once per process).
        const first = await recordChange(ws.read(), ws.persistence(), change(0));
        const intent = await recordIntent(ws.read(), ws.persistence(), change(1));
        ws.calls = [];
        await claimOwnChange(ws.read(), ws.persistence(), 'R1', 'setEncrypted', true, service);
        expect((await readRecord(ws.read(), intent._id))?.pending).toBe(false);
        ws.calls = [];
        await confirmIntent(ws.read(), ws.persistence(), intent, { from: false, to: true });
        // Claimed here with what the confirmation knows: nothing to write either.
        expect(ws.calls.filter((c) => c.startsWith('persistence.'))).toEqual([]);
        const other = await recordIntent(ws.read(), ws.persistence(), change(3));
        ws.calls = [];
        await confirmIntent(ws.read(), ws.persistence(), other, { from: false, to: true });
        expect(ws.calls.filter((c) => c.startsWith('persistence.'))).toEqual(['persistence.updateByAssociations']);
        expect((await readHistory(ws.read(), 'R1')).records.map((r) => r._id)).toEqual([other._id, intent._id, first._id]);
    });

    it('a room is read for trimming only past the limit; records written elsewhere past it are hidden, counted trimmed, then removed', async () => {
        ws.appSettings.history_limit = 3;
        for (let i = 0; i < 3; i++) {
            await recordChange(ws.read(), ws.persistence(), change(i));
        }
        forgetStoreMemory(); // another instance, which has not counted R1's records
        ws.calls = [];
        for (let i = 3; i < 5; i++) {
            await recordChange(ws.read(), ws.persistence(), change(i));
        }
        // One read: the room index, once per process — not the room's records.
        expect(ws.calls.filter((c) => c === 'persistence.readByAssociations')).toEqual(['persistence.readByAssociations']);
        expect(records()).toHaveLength(5);
        const seen = await readHistory(ws.read(), 'R1');
        expect(seen).toMatchObject({ total: 3, trimmed: 2 });
        expect(seen.records.map((r) => r.actor.username)).toEqual(['user4', 'user3', 'user2']);
        expect(await readHistory(ws.read(), 'R1', 0, 10, ws.persistence())).toMatchObject({ total: 3, trimmed: 2 });
        expect(records()).toHaveLength(3);
        // Counted now: the next write past the limit trims at once.
        await recordChange(ws.read(), ws.persistence(), change(5));
        expect(records()).toHaveLength(3);
        expect((await readHistory(ws.read(), 'R1')).trimmed).toBe(3);
    });

    it('a bulk batch indexes its rooms with one write; a lowered limit trims them', async () => {
        for (const roomId of ['B1', 'B2']) {
            for (let i = 0; i < 3; i++) {
                const intent = await recordIntent(ws.read(), ws.persistence(), change(i, roomId));
                await confirmIntent(ws.read(), ws.persistence(), intent, {}, { indexedByCaller: true });
            }
        }
        ws.calls = [];
        await indexRooms(ws.persistence(), 'job1:0', ['B1', 'B2']);
        expect(ws.calls).toEqual(['persistence.updateByAssociations']);
        await applyHistoryLimit(ws.read(), ws.persistence(), 1);
        expect(await readHistory(ws.read(), 'B1')).toMatchObject({ total: 1, trimmed: 2 });
        expect(await readHistory(ws.read(), 'B2')).toMatchObject({ total: 1, trimmed: 2 });
    });

    it('a record made before 0.3.0 gets a stable _id when first read, the same on every read', async () => {
        const legacy = { ...change(1), at: '2026-11-01T10:00:00.000Z', seq: 1761991200000000 };
        ws.persisted.push({ data: legacy, associations: ['room:R1', 'misc:group-admin-history', 'misc:group-admin-history:R1:1761991200000000'] });
        const first = await readHistory(ws.read(), 'R1');
        expect(first.records[0]._id).toBe('legacy-R1-1761991200000000');
        const moved = await readHistory(ws.read(), 'R1', 0, 10, ws.persistence());
        expect(moved.records.map((r) => r._id)).toEqual(['legacy-R1-1761991200000000']);
        expect(ws.persisted.filter((r) => r.associations.includes('misc:group-admin-history'))).toHaveLength(0);
        expect((await readAudit(ws.read(), ws.persistence(), {}, 0, 10)).records.map((r) => r._id)).toEqual(['legacy-R1-1761991200000000']);
    });

    it('history_limit: applied on write and when lowered, trimmed records counted', async () => {
        ws.appSettings.history_limit = 5;
        for (let i = 0; i < 8; i++) {
            await recordChange(ws.read(), ws.persistence(), change(i));
        }
        expect((await readHistory(ws.read(), 'R1')).total).toBe(5);
        expect((await readHistory(ws.read(), 'R1')).trimmed).toBe(3);
        ws.appSettings.history_limit = 2;
        // Rocket.Chat tells the app (onSettingUpdated), which keeps its settings in module memory.
        rememberAppSetting({ id: 'history_limit', value: 2, packageValue: 100 });
        // Lowered: the next write anywhere trims every room (R1 too).
        await recordChange(ws.read(), ws.persistence(), change(9, 'R2'));
        expect(records().filter((r) => r.associations.includes('room:R1'))).toHaveLength(2);
        await applyHistoryLimit(ws.read(), ws.persistence(), 2);
        const page = await readHistory(ws.read(), 'R1');
        expect(page.records.map((r) => r.actor.username)).toEqual(['user7', 'user6']);
        expect(page.trimmed).toBe(6);
    });

    it('the audit pages the workspace newest first, by filter, one hour at a time', async () => {
        const hour = (h: number, n: number) => `2026-12-01T${String(h).padStart(2, '0')}:${String(n).padStart(2, '0')}:00.000Z`;
        let seq = 1;
        for (let h = 0; h < 5; h++) {
            for (let n = 0; n < 4; n++) {
                const at = hour(h, n);
                const data = { ...change(seq, n % 2 ? 'R1' : 'R2', n === 3 ? 'setType' : 'setEncrypted'), _id: `id${seq}`, at, seq: Date.parse(at) * 1000 };
                ws.persisted.push({ data, associations: ['misc:group-admin-record', `misc:group-admin-record:id:id${seq}`, `misc:group-admin-record:hour:${at.slice(0, 13)}`, `room:${data.roomId}`] });
                seq++;
            }
            ws.persisted.push({ data: { hour: hour(h, 0).slice(0, 13) }, associations: ['misc:group-admin-record-hours'] });
        }
        const first = await readAudit(ws.read(), ws.persistence(), {}, 0, 6);
        expect(first.total).toBe(20);
        expect(first.records.map((r) => r._id)).toEqual(['id20', 'id19', 'id18', 'id17', 'id16', 'id15']);
        const second = await readAudit(ws.read(), ws.persistence(), {}, 6, 6);
        expect(second.records.map((r) => r._id)).toEqual(['id14', 'id13', 'id12', 'id11', 'id10', 'id9']);
        // Closed hours were tallied: a second count reads the tallies, not the records.
        expect(ws.persisted.filter((r) => r.associations.some((a) => a.startsWith('misc:group-admin-record:tally:')))).toHaveLength(5);
        const byRoom = await readAudit(ws.read(), ws.persistence(), { roomId: 'R1', operation: 'setType' }, 0, 50);
        expect(byRoom.records.map((r) => r._id)).toEqual(['id20', 'id16', 'id12', 'id8', 'id4']);
        expect(byRoom.total).toBe(5);
        const ranged = await readAudit(ws.read(), ws.persistence(), { since: hour(1, 2), until: hour(2, 1), actor: 'user6' }, 0, 50);
        expect(ranged.records.map((r) => r._id)).toEqual([]);
        const window = await readAudit(ws.read(), ws.persistence(), { since: hour(1, 2), until: hour(2, 1) }, 0, 50);
        expect(window.records.map((r) => r._id)).toEqual(['id10', 'id9', 'id8', 'id7']);
        expect(window.total).toBe(4);
        expect((await readAudit(ws.read(), ws.persistence(), { actor: 'u7' }, 0, 50)).records.map((r) => r._id)).toEqual(['id7']);
    });
});
