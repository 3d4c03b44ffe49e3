import type { IUIKitSurfaceViewParam } from '@rocket.chat/apps-engine/definition/accessors';
import type { IModify } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { CATALOG } from '../../../src/i18n/catalog.generated';
import { translator } from '../../../src/i18n/translate';
import { confirmChange, requestChange } from '../../../src/ui/requestChange';
import type { ChangeEnv } from '../../../src/ui/requestChange';
import type { FakeWorkspace } from '../fakes.cjs';
import { standardWorkspace } from '../helpers.cjs';

const en = CATALOG.en;
const t = translator('en');

interface Opened {
    view: IUIKitSurfaceViewParam;
    triggerId: string;
    user: IUser;
}

function envOf(ws: FakeWorkspace, opened: Opened[]): ChangeEnv {
    const modify = {
        ...ws.modify(),
        getUiController: () => ({
            openSurfaceView: (view: IUIKitSurfaceViewParam, context: { triggerId: string }, user: IUser) => {
                opened.push({ view, triggerId: context.triggerId, user });
                return Promise.resolve();
            },
        }),
    } as unknown as IModify;
    return {
        read: ws.read(),
        modify,
        appId: 'app-id',
        triggerId: 'trig',
        originRoomId: 'g1',
        persistence: ws.persistence(),
        logger: ws.logger(),
        door: 'command',
    };
}

describe('requestChange', () => {
    let ws: FakeWorkspace;
    let opened: Opened[];
    beforeEach(() => {
        ws = standardWorkspace();
        opened = [];
    });

    const input = (user: string, dryRun = false) => ({ user: ws.user(user), room: { kind: 'room' as const, room: ws.room('g1') }, dryRun });

    it('confirm_changes on (its default, even unreadable): a risky change opens the modal with the trigger id, writes nothing', async () => {
        expect(await requestChange('public', input('olga'), ws.context(), t, envOf(ws, opened))).toBeUndefined();
        expect(opened).toHaveLength(1);
        expect(opened[0].triggerId).toBe('trig');
        expect(opened[0].user.id).toBe('olga');
        // The view id carries the change, the rooms and the door, signed with the install's secret (kept in persistence).
        expect(opened[0].view.id).toMatch(/^group-admin\.confirm\/public\/g1\/g1\/command\/[0-9a-f]{32}\/[0-9a-f]{64}$/);
        expect(ws.persisted.map((r) => r.associations)).toEqual([['misc:group-admin.view-signing-secret']]);
        expect(ws.writes).toEqual([]);
    });

    it('then Confirm makes the change for whoever submits, every check again', async () => {
        await requestChange('team', input('olga'), ws.context(), t, envOf(ws, opened));
        const target = { kind: 'team' as const, roomId: 'g1', originRoomId: 'g1', door: 'button' as const, nonce: '0123456789abcdef0123456789abcdef' };
        const env = envOf(ws, opened);
        await expect(confirmChange(target, ws.user('mem'), ws.context(), t, env)).rejects.toMatchObject({ code: 'team-not-allowed' });
        // The change records only (not the signing secret, spent confirmations or the audit's bookkeeping).
        const records = () => ws.persisted.filter((r) => 'operation' in r.data);
        expect(ws.writes).toEqual([]);
        expect(records()).toEqual([]);
        // (Another modal of the same change: the first was spent by mem's submit.)
        expect(await confirmChange({ ...target, nonce: 'fedcba9876543210fedcba9876543210' }, ws.user('olga'), ws.context(), t, env)).toBe('g1 is now a private team, with you as its owner.');
        expect(ws.writes.map((w) => w.path)).toEqual(['/api/v1/teams.create']);
        // On record as made through the button that opened the modal, and announced in the room.
        expect(records().map((r) => r.data)).toEqual([
            expect.objectContaining({ roomId: 'g1', operation: 'convertToTeam', from: false, to: true, door: 'button', actor: { _id: 'olga', username: 'olga' } }),
        ]);
        expect(ws.posted.map((m) => m.text)).toEqual(['@olga converted this group into a team (room button).']);
    });

    it('the safe directions act at once', async () => {
        expect(await requestChange('encrypt-on', input('olga'), ws.context(), t, envOf(ws, opened))).toBe('End-to-end encryption is now on for g1.');
        expect(opened).toEqual([]);
    });

    it('confirm_changes off: everything acts at once, without reading more than the setting', async () => {
        ws.appSettings.confirm_changes = false;
        expect(await requestChange('public', input('olga'), ws.context(), t, envOf(ws, opened))).toBe('g1 is now a public channel.');
        expect(opened).toEqual([]);
    });

    it('a failed check is thrown before any modal', async () => {
        await expect(requestChange('public', input('mem'), ws.context(), t, envOf(ws, opened))).rejects.toMatchObject({ code: 'edit-room-not-allowed' });
        expect(opened).toEqual([]);
    });

    it('no trigger id: the plan, nothing changed', async () => {
        const text = await requestChange('public', input('olga'), ws.context(), t, { ...envOf(ws, opened), triggerId: undefined });
        expect(text && text.split('\n')[0]).toBe(en.confirm_unavailable);
        expect(opened).toEqual([]);
        expect(ws.writes).toEqual([]);
    });

    it('encryption already off: nothing to confirm', async () => {
        expect(await requestChange('encrypt-off', input('olga'), ws.context(), t, envOf(ws, opened))).toBe(
            'End-to-end encryption was already off for g1; nothing changed.',
        );
        expect(await requestChange('encrypt-off', input('olga', true), ws.context(), t, envOf(ws, opened))).toBe(
            en.dryrun_encrypt_unchanged_off.replace('{{room}}', 'g1'),
        );
        expect(opened).toEqual([]);
    });

    it('a room named by id: the member count is read from the room (usersCount), else from its members', async () => {
        const byId = { user: ws.user('olga'), room: { kind: 'idOrName' as const, value: 'g1' }, dryRun: true };
        expect(await requestChange('public', byId, ws.context(), t, envOf(ws, opened))).toContain('(4)');
        const read = ws.read();
        const noCount = {
            ...read,
            getRoomReader: () => ({ ...read.getRoomReader(), getById: () => Promise.resolve({ ...ws.room('g1'), _unmappedProperties_: {} }) }),
        };
        const env = { ...envOf(ws, opened), read: noCount as never };
        const ctx = { ...ws.context(), rooms: noCount.getRoomReader() as never };
        expect(await requestChange('public', byId, ctx, t, env)).toContain('(4)');
        expect(ws.calls).toContain('room.getMembers');
        // Entries of deleted users (null across the runtime boundary, undefined from Rocket.Chat) are no members.
        const rooms = ctx.rooms as unknown as { getMembers: (id: string) => Promise<unknown[]> };
        const withDeleted = { ...rooms, getMembers: async (id: string) => [...(await rooms.getMembers(id)), null, undefined] };
        expect(await requestChange('public', byId, { ...ctx, rooms: withDeleted as never }, t, env)).toContain('(4)');
    });
});
