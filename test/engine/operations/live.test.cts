/**
 * The chat doors (slash commands, room buttons) and dry runs decide live and fail closed (interface.md §5), in the
 * real engine against the in-memory workspace: the permission table read on every operation, no fallback when it
 * cannot be read, the guest restriction, federated rooms and invitations, deleted members, the per-user rate limit,
 * ambiguous bare words, and no name of a room the person cannot access.
 */
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { DISCUSSION, all, discussion, ephemeral, grant, member, room, text, user } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

const PX = 'project-x';

/** The text of the one private answer to a command typed by `username` in `roomName`. */
const reply = (username: string, roomName: string, line: string): Promise<string> => engine.reply(username, roomName, line);

/** A dry run over HTTP (the app's own prediction, an operation core). */
const dryRun = (username: string, path: string, body: Record<string, unknown>) => engine.api(path, { ...body, dryRun: true }, username);

const encrypted = (): unknown => engine.workspace.getRoomByName(PX)?.encrypted;

/** What a change could touch: rooms, subscriptions, teams and their members, messages (not users' login tokens). */
function state(): string {
    const { rooms, subscriptions, teams, teamMembers, messages } = engine.workspace.toJSON();
    return JSON.stringify({ rooms, subscriptions, teams, teamMembers, messages });
}

describe('the permission table is read live', () => {
    it('a permission revoked between two operations applies to the second, with no waiting (chat and dry run)', async () => {
        await engine.fresh();
        expect(await reply('alice', PX, '/encrypt on')).toBe(text('en', 'done_encrypt_on', { room: PX }));
        engine.workspace.setPermissionRoles('toggle-room-e2e-encryption', ['admin']);
        expect(await reply('alice', PX, '/encrypt off')).toBe(`${text('en', 'error_e2e_toggle_not_allowed', { room: PX })} ${text('en', 'hint_not_allowed')}`);
        expect(encrypted()).toBe(true);
        expect((await dryRun('alice', 'groups.setEncrypted', { roomName: PX, encrypted: false })).body).toMatchObject({ errorType: 'error-action-not-allowed' });
        // Granted again: the very next operation may.
        engine.workspace.setPermissionRoles('toggle-room-e2e-encryption', ['admin', 'owner']);
        expect(await reply('alice', PX, '/encrypt off')).toBe(text('en', 'done_encrypt_off', { room: PX }));
        expect(encrypted()).toBe(false);
    });

    it('one permission document stamped an hour ahead (restored with a bad clock) hides no later revocation', async () => {
        await engine.fresh();
        expect(await reply('alice', PX, '/encrypt on')).toBe(text('en', 'done_encrypt_on', { room: PX }));
        // An unrelated permission document whose `_updatedAt` is an hour ahead, straight in the workspace's state (as a
        // restore or import with a bad clock, or an instance whose clock runs ahead, would leave it).
        const store = (engine.workspace as unknown as { store: { permission(id: string): { _updatedAt: Date } | undefined } }).store;
        const doc = store.permission('create-c');
        expect(doc).toBeDefined();
        if (doc) {
            doc._updatedAt = new Date(Date.now() + 3600000);
        }
        // The next operation reads it...
        expect(await reply('alice', PX, '/encrypt off --dry-run')).toMatch(/./);
        expect(engine.workspace.restCalls.filter((call) => call.path === '/api/v1/permissions.listAll').length).toBeGreaterThanOrEqual(2);
        // ...and the owner's toggle-room-e2e-encryption taken away afterwards applies to the very next operation.
        engine.workspace.setPermissionRoles('toggle-room-e2e-encryption', ['admin']);
        expect(await reply('alice', PX, '/encrypt off')).toBe(`${text('en', 'error_e2e_toggle_not_allowed', { room: PX })} ${text('en', 'hint_not_allowed')}`);
        expect(encrypted()).toBe(true);
    });

    it('a permission granted between two operations applies to the second', async () => {
        await engine.fresh();
        expect(await reply('bob', PX, '/encrypt on')).toBe(`${text('en', 'error_e2e_toggle_not_allowed', { room: PX })} ${text('en', 'hint_not_allowed')}`);
        engine.workspace.setPermissionRoles('toggle-room-e2e-encryption', ['admin', 'owner', 'moderator']);
        expect(await reply('bob', PX, '/encrypt on')).toBe(text('en', 'done_encrypt_on', { room: PX }));
    });
});

describe('the permission table cannot be read: nothing is decided, nothing changes', () => {
    it.each([
        ['a 429 (Rocket.Chat rate-limited the service account)', { kind: 'status' as const, status: 429 }],
        ['a 500', { kind: 'status' as const, status: 500 }],
        ['a refused connection', { kind: 'refuse' as const }],
        ['a 403', { kind: 'status' as const, status: 403 }],
    ])('%s', async (_label, fault) => {
        await engine.fresh();
        const before = state();
        engine.workspace.setFault('/api/v1/permissions.listAll', fault);
        expect(await reply('alice', PX, '/encrypt on')).toBe(text('en', 'error_permissions_unavailable'));
        expect(await reply('alice', PX, '/settype public')).toBe(text('en', 'error_permissions_unavailable'));
        expect(await reply('alice', PX, '/toteam')).toBe(text('en', 'error_permissions_unavailable'));
        expect(await dryRun('alice', 'groups.setEncrypted', { roomName: PX, encrypted: true })).toEqual({
            status: 503,
            body: {
                success: false,
                error: "The workspace's permission table cannot be read, so nothing can be decided [error-permissions-unavailable]",
                errorType: 'error-permissions-unavailable',
            },
        });
        expect(state()).toBe(before);
        engine.workspace.setFault('/api/v1/permissions.listAll', undefined);
        expect(await reply('alice', PX, '/encrypt on')).toBe(text('en', 'done_encrypt_on', { room: PX }));
    });
});

describe('the guest restriction', () => {
    const guestGroup = all(user('gus', { roles: ['guest'] }), room({ name: 'guest-room', t: 'p', owner: 'gus', members: ['alice'] }));

    it('a guest who owns a group is refused, whatever other grants say', async () => {
        await engine.fresh(all(guestGroup, grant('edit-room', 'guest'), grant('toggle-room-e2e-encryption', 'guest'), grant('create-c', 'guest'), grant('create-team', 'guest')));
        const before = state();
        expect(await reply('gus', 'guest-room', '/encrypt on')).toBe(`${text('en', 'error_edit_room_not_allowed', { room: 'guest-room' })} ${text('en', 'hint_not_allowed')}`);
        expect(await reply('gus', 'guest-room', '/settype public')).toBe(`${text('en', 'error_edit_room_not_allowed', { room: 'guest-room' })} ${text('en', 'hint_not_allowed')}`);
        expect(await reply('gus', 'guest-room', '/toteam')).toBe(`${text('en', 'error_team_not_allowed', { room: 'guest-room' })} ${text('en', 'hint_not_allowed')}`);
        expect(state()).toBe(before);
        // Rocket.Chat (a licensed workspace) refuses the same.
        expect((await engine.reference('groups.setEncrypted', { roomName: 'guest-room', encrypted: true }, 'gus')).status).toBe(400);
    });
});

describe('invitations and federated rooms', () => {
    it('a subscription to a federated room is no access (it may be an unaccepted invitation): "not found"', async () => {
        await engine.fresh(({ workspace }) => {
            workspace.markFederated(workspace.getRoomByName(PX)?._id ?? '');
        });
        const before = state();
        const rid = engine.roomId(PX);
        const notFound = (command: string) => `${text('en', 'error_room_not_found', { room: rid })} ${text('en', 'hint_help', { command })}`;
        expect(await reply('alice', PX, '/encrypt on')).toBe(notFound('/encrypt'));
        expect(await reply('alice', PX, '/settype public')).toBe(notFound('/settype'));
        expect(await reply('alice', PX, '/toteam --dry-run')).toBe(
            `${text('en', 'dryrun_failed', { reason: text('en', 'error_room_not_found', { room: rid }) })} ${text('en', 'hint_help', { command: '/toteam' })}`,
        );
        expect((await dryRun('alice', 'groups.convertToTeam', { roomName: PX })).body).toMatchObject({ errorType: 'error-room-not-found' });
        expect(state()).toBe(before);
    });

    it('a federated room reached without a subscription (a public channel): changed in Rocket.Chat itself', async () => {
        await engine.fresh(({ workspace }) => {
            workspace.markFederated(workspace.getRoomByName('general')?._id ?? '');
        });
        const before = state();
        expect(await reply('admin', 'general', '/settype private')).toBe(text('en', 'error_federated_room', { room: 'general' }));
        expect((await dryRun('admin', 'groups.setType', { roomName: 'general', type: 'p' })).body).toMatchObject({ errorType: 'error-action-not-allowed' });
        expect(state()).toBe(before);
    });

    it('a pending invitation is not membership: an invited admin gets what someone without access gets', async () => {
        await engine.fresh(({ workspace }) => {
            const rid = workspace.getRoomByName(PX)?._id ?? '';
            workspace.markFederated(rid);
            workspace.inviteMember(rid, workspace.getUserByUsername('admin')?._id ?? '');
        });
        const before = state();
        const answer = await reply('admin', 'general', `/encrypt on #${PX}`);
        expect(answer).toBe(await reply('dave', 'general', `/encrypt on #${PX}`));
        expect(answer).toBe(`${text('en', 'error_room_not_found', { room: PX })} ${text('en', 'hint_help', { command: '/encrypt' })}`);
        expect(state()).toBe(before);
    });
});

describe('a member whose user no longer exists', () => {
    it('is skipped by /toteam, never a crash', async () => {
        await engine.fresh(({ workspace }) => {
            workspace.deleteUserKeepingSubscriptions(workspace.getUserByUsername('carol')?._id ?? '');
        });
        expect(await reply('alice', PX, '/toteam')).toBe(text('en', 'done_team', { room: PX }));
        const team = engine.workspace.getTeamByMainRoomId(engine.roomId(PX));
        expect(team).toBeDefined();
        expect(engine.errorLines()).toEqual([]);
    });
});

describe('the rate limit of chat-door changes', () => {
    it("the 11th change in a minute is refused with when to retry; refused attempts count; dry runs and status do not", async () => {
        await engine.fresh();
        for (let i = 0; i < 8; i++) {
            expect(await reply('alice', PX, i % 2 ? '/encrypt off' : '/encrypt on')).toMatch(/./);
        }
        // Refused attempts count too (an unknown room).
        await reply('alice', PX, '/encrypt on #nope');
        await reply('alice', PX, '/encrypt on #nope');
        await reply('alice', PX, '/encrypt on --dry-run');
        await reply('alice', PX, '/encrypt status');
        const before = state();
        const refused = await reply('alice', PX, '/encrypt on');
        expect(refused).toMatch(new RegExp(text('en', 'error_too_many_requests', { seconds: '(\\d+)' }).replace(/[.]/g, '\\.')));
        const seconds = Number(/(\d+)/.exec(refused)?.[1]);
        expect(seconds).toBeGreaterThan(0);
        expect(seconds).toBeLessThanOrEqual(60);
        expect(state()).toBe(before);
        // Per operation: /settype is counted on its own.
        expect(await reply('alice', PX, '/settype public')).toBe(text('en', 'done_type_public', { room: PX }));
    });

    it('users holding api-bypass-rate-limit are exempt', async () => {
        await engine.fresh(member(PX, 'admin'));
        for (let i = 0; i < 12; i++) {
            expect(await reply('admin', PX, i % 2 ? '/encrypt off' : '/encrypt on')).not.toMatch(/wait/);
        }
    });

    it("the workspace's own limiter settings apply", async () => {
        await engine.fresh(({ workspace }) => {
            workspace.setSetting('API_Enable_Rate_Limiter_Limit_Calls_Default', 2);
        });
        await reply('alice', PX, '/encrypt on');
        await reply('alice', PX, '/encrypt on');
        expect(await reply('alice', PX, '/encrypt on')).toMatch(/wait/i);
    });
});

describe('a bare word that is one room id and another room name', () => {
    it('is refused as ambiguous, naming both ways to say it', async () => {
        let id = '';
        await engine.fresh(({ workspace }) => {
            const px = workspace.getRoomByName(PX);
            id = px?._id ?? '';
            workspace.addRoom({ name: id, t: 'p', owner: px?.u._id ?? '', members: [] });
        });
        const before = state();
        // Named both ways (`#name` of the room with that id only for someone who can access it — a door that does not
        // say who asks gets the variant without it).
        expect([text('en', 'error_ambiguous_room', { room: id, name: PX }), text('en', 'error_ambiguous_room_unnamed', { room: id })]).toContain(
            await reply('alice', 'general', `/encrypt on ${id}`),
        );
        expect(state()).toBe(before);
        // Both ways to say it work.
        expect(await reply('alice', 'general', `/encrypt on #${PX}`)).toBe(text('en', 'done_encrypt_on', { room: PX }));
        expect(await reply('alice', 'general', `/encrypt on #${id}`)).toBe(text('en', 'done_encrypt_on', { room: id }));
    });
});

describe('no name of a room the person cannot access, in any answer', () => {
    it('a forged button click on a discussion dave cannot access does not reveal its title', async () => {
        await engine.fresh(discussion());
        const before = state();
        const run = await engine.host.clickButton('group-admin.make-public', engine.userId('dave'), engine.roomId(DISCUSSION));
        const texts = ephemeral(run.deliveries).map((d) => d.text ?? '');
        expect(texts).toHaveLength(1);
        expect(texts[0]).not.toMatch(/Design Review|disc-review/);
        expect(texts[0]).toContain(engine.roomId(DISCUSSION));
        expect(state()).toBe(before);
    });

    it('a command typed with the id of a public channel of a private team does not reveal its name', async () => {
        await engine.fresh(room({ name: 'eng-news', t: 'c', owner: 'bob', members: [], team: 'eng' }));
        const id = engine.roomId('eng-news');
        const answers = [await reply('dave', 'general', `/settype private ${id}`), await reply('dave', 'general', `/settype status ${id}`)];
        for (const answer of answers) {
            expect(answer).not.toContain('eng-news');
        }
    });
});
