/**
 * The encryption report in the real engine (interface.md §8, issue 15): `/encrypt report` and
 * `GET groups.encryptionReport` for an administrator (every private group), a room owner (the groups they hold
 * `edit-room` in), someone governing nothing; paging, CSV, bad input; a room outside the scope is never named.
 *
 * Demo workspace: private groups project-x (alice owner, bob moderator, carol), old-stuff (archived: alice owner, bob),
 * eng (team main room: alice owner, bob, carol), eng-secrets (in team eng: alice owner, bob); E2E_Enable on.
 */
import { APP_ID, useEngine, withoutRateLimits } from '../harness.cjs';
import type { EngineUnderTest, Fixture } from '../harness.cjs';
import type { RestResponse } from '../../../host/workspace/model.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

interface Row {
    _id: string;
    name: string;
    fname: string;
    encrypted: boolean;
    keyEstablished: boolean;
    changeable: boolean;
    archived: boolean;
    federated: boolean;
    teamId: string | null;
    teamMain: boolean;
    prid: string | null;
    usersCount: number | null;
    lastChange: { actor: { username: string }; to: unknown; door: string; at: string } | null;
}

interface ReportBody {
    rooms: Row[];
    summary: Record<string, number>;
    offset: number;
    count: number;
    total: number;
    success: boolean;
}

const ENDPOINT = `/api/apps/public/${APP_ID}/groups.encryptionReport`;
const NEXT_STEP = 'Next step: `/encrypt on --all --dry-run` shows what encrypting them would do, without changing anything.';

function report(username: string, query: Record<string, string> = {}): Promise<RestResponse> {
    return engine.host.callApi({ method: 'GET', path: 'groups.encryptionReport', query, headers: engine.headersOf(username), withHeaders: true });
}

async function reportBody(username: string, query: Record<string, string> = {}): Promise<ReportBody> {
    const response = await report(username, query);
    expect(response.status).toBe(200);
    return response.body as ReportBody;
}

/** `count` more private groups owned by alice, named g-000, g-001, … */
function manyGroups(count: number): (fixture: Fixture) => void {
    return ({ workspace }) => {
        withoutRateLimits({ workspace } as Fixture);
        const alice = workspace.getUserByUsername('alice')?._id as string;
        for (let i = 0; i < count; i++) workspace.addRoom({ name: `g-${String(i).padStart(3, '0')}`, t: 'p', owner: alice });
    };
}

describe('/encrypt report', () => {
    it('as an administrator: every private group, the changeable unencrypted ones by name, the archived one as "cannot change"', async () => {
        await engine.fresh();
        expect(await engine.reply('admin', 'general', '/encrypt report')).toBe(
            [
                '3 of the 3 private groups you can change are not encrypted.',
                '1 more you govern but cannot change.',
                'Not encrypted: #eng, #eng-secrets, #project-x',
                NEXT_STEP,
            ].join('\n'),
        );
    });

    it('as a room owner: the groups alice owns (edit-room and toggle-room-e2e-encryption as owner)', async () => {
        await engine.fresh();
        await engine.command('alice', 'project-x', '/encrypt on');
        expect(await engine.reply('alice', 'project-x', '/encrypt report')).toBe(
            [
                '2 of the 3 private groups you can change are not encrypted.',
                '1 more you govern but cannot change.',
                'Not encrypted: #eng, #eng-secrets',
                NEXT_STEP,
            ].join('\n'),
        );
    });

    it('as a moderator without toggle-room-e2e-encryption: counted as "cannot change"; rooms bob is only a member of are never named', async () => {
        await engine.fresh();
        const reply = await engine.reply('bob', 'project-x', '/encrypt report');
        expect(reply).toBe(['0 of the 0 private groups you can change are not encrypted.', '1 more you govern but cannot change.'].join('\n'));
        for (const hidden of ['eng', 'old-stuff', 'project-x']) expect(reply).not.toContain(hidden);
    });

    it('as someone governing nothing', async () => {
        await engine.fresh();
        expect(await engine.reply('dave', 'general', '/encrypt report')).toBe('You govern no private groups: there is nothing to report.');
        expect(await engine.reply('carol', 'project-x', '/encrypt report')).toBe('You govern no private groups: there is nothing to report.');
    });

    it('with E2E_Enable off it says only that', async () => {
        await engine.fresh(({ workspace }) => workspace.setSetting('E2E_Enable', false));
        expect(await engine.reply('admin', 'general', '/encrypt report')).toBe(
            'End-to-end encryption is off in this workspace (setting E2E_Enable), so no group can be encrypted. An administrator must turn it on first (Administration → Settings → End-to-end encryption).',
        );
    });

    it('more than 20: the first 20 by name, "and <j> more" with the endpoint', async () => {
        await engine.fresh(manyGroups(25));
        const lines = (await engine.reply('alice', 'general', '/encrypt report')).split('\n');
        expect(lines[0]).toBe('28 of the 28 private groups you can change are not encrypted.');
        const names = Array.from({ length: 20 }, (_, i) => `#${i < 3 ? ['eng', 'eng-secrets', 'g-000'][i] : `g-${String(i - 2).padStart(3, '0')}`}`);
        expect(lines[2]).toBe(`Not encrypted: ${names.join(', ')}`);
        expect(lines[3]).toBe(`…and 8 more. The full list: GET ${ENDPOINT}?encrypted=false (add &format=csv for a spreadsheet).`);
    });

    it('takes no room', async () => {
        await engine.fresh();
        expect(await engine.reply('alice', 'general', '/encrypt report project-x')).toMatch(/^`\/encrypt report` takes no room/);
    });
});

describe('GET groups.encryptionReport', () => {
    it('as an administrator: every private group sorted by name with every field, the summary, and lastChange from the history', async () => {
        await engine.fresh(({ workspace }) => {
            const alice = workspace.getUserByUsername('alice')?._id as string;
            workspace.addRoom({ name: 'keyed', fname: 'Keyed room', t: 'p', owner: alice, encrypted: true, e2eKeyId: 'key-1' });
        });
        await engine.command('alice', 'project-x', '/encrypt on');
        const body = await reportBody('admin');
        expect(body.rooms.map((r) => r.name)).toEqual(['eng', 'eng-secrets', 'keyed', 'old-stuff', 'project-x']);
        expect(body).toMatchObject({
            summary: { privateGroups: 5, encrypted: 2, unencrypted: 3, changeable: 4, archived: 1, federated: 0 },
            offset: 0,
            count: 5,
            total: 5,
            success: true,
        });
        const byName = Object.fromEntries(body.rooms.map((r) => [r.name, r]));
        expect(byName['project-x']).toEqual({
            _id: engine.roomId('project-x'),
            name: 'project-x',
            fname: 'project-x',
            encrypted: true,
            keyEstablished: false,
            changeable: true,
            archived: false,
            federated: false,
            teamId: null,
            teamMain: false,
            prid: null,
            usersCount: 3,
            lastChange: expect.objectContaining({ actor: { _id: engine.userId('alice'), username: 'alice' }, operation: 'setEncrypted', to: true, door: 'command' }),
        });
        expect(byName.keyed).toMatchObject({ fname: 'Keyed room', encrypted: true, keyEstablished: true, lastChange: null });
        expect(byName['old-stuff']).toMatchObject({ archived: true, changeable: false });
        expect(byName.eng).toMatchObject({ teamMain: true, teamId: expect.any(String) });
        expect(byName['eng-secrets']).toMatchObject({ teamMain: false, teamId: byName.eng.teamId });
    });

    it('filter and paging: summary over the whole scope, total over the filter, offset / count as Rocket.Chat pages', async () => {
        await engine.fresh(manyGroups(60));
        await engine.command('alice', 'project-x', '/encrypt on');
        const unencrypted = await reportBody('admin', { encrypted: 'false' });
        expect(unencrypted).toMatchObject({ offset: 0, count: 50, total: 63 });
        expect(unencrypted.summary).toEqual({ privateGroups: 64, encrypted: 1, unencrypted: 63, changeable: 63, archived: 1, federated: 0 });
        const second = await reportBody('admin', { encrypted: 'false', offset: '50', count: '20' });
        expect(second).toMatchObject({ offset: 50, count: 13, total: 63 });
        expect(second.rooms.map((r) => r.name)).toEqual([...unencrypted.rooms.map((r) => r.name), ...second.rooms.map((r) => r.name)].slice(50));
        expect(second.rooms.every((r) => !r.encrypted)).toBe(true);
        const encrypted = await reportBody('admin', { encrypted: 'true' });
        expect(encrypted).toMatchObject({ total: 1, count: 1 });
        expect(encrypted.rooms[0].name).toBe('project-x');
        expect(await reportBody('admin', { offset: '500' })).toMatchObject({ rooms: [], count: 0, total: 64 });
    });

    it('as a moderator: only the group bob holds edit-room in; the groups he is merely a member of are never named or counted', async () => {
        await engine.fresh();
        const response = await report('bob');
        expect(response.status).toBe(200);
        const body = response.body as ReportBody;
        expect(body.rooms.map((r) => r.name)).toEqual(['project-x']);
        expect(body.rooms[0].changeable).toBe(false);
        expect(body.summary).toEqual({ privateGroups: 1, encrypted: 0, unencrypted: 1, changeable: 0, archived: 0, federated: 0 });
        const text = JSON.stringify(body);
        for (const hidden of ['eng', 'old-stuff', engine.roomId('eng'), engine.roomId('old-stuff')]) expect(text).not.toContain(hidden);
    });

    it('an owner of more groups than one page: their subscriptions and room roles in one users.info read, the groups from groups.listAll, no room-role read', async () => {
        await engine.fresh(manyGroups(150));
        engine.workspace.resetCounters();
        engine.host.resetCounters();
        const body = await reportBody('alice', { count: '100', offset: '100' });
        expect(body).toMatchObject({ count: 54, total: 154, summary: { privateGroups: 154, changeable: 153, archived: 1 } });
        expect(body.rooms.map((r) => r.name)).toEqual([...body.rooms.map((r) => r.name)].sort());
        const paths = engine.workspace.restCalls.map((call) => call.path);
        expect(paths.filter((p) => p === '/api/v1/users.info')).toHaveLength(1);
        expect(paths.filter((p) => p === '/api/v1/groups.listAll')).toHaveLength(2);
        const bridge = engine.host.bridgeCalls();
        expect(Object.keys(bridge).filter((method) => /getOwners|getModerators|getLeaders/.test(method))).toEqual([]);
    });

    it('as someone governing nothing: an empty report', async () => {
        await engine.fresh();
        expect(await reportBody('dave')).toEqual({
            rooms: [],
            summary: { privateGroups: 0, encrypted: 0, unencrypted: 0, changeable: 0, archived: 0, federated: 0 },
            offset: 0,
            count: 0,
            total: 0,
            success: true,
        });
    });

    it('federated groups: listed to an administrator as federated and never changeable; out of a member-owner\'s scope (an invitation cannot be told from membership)', async () => {
        await engine.fresh(({ workspace }) => workspace.markFederated(workspace.getRoomByName('project-x')?._id as string));
        const admin = await reportBody('admin');
        expect(admin.rooms.find((r) => r.name === 'project-x')).toMatchObject({ federated: true, changeable: false });
        expect(admin.summary.federated).toBe(1);
        const alice = await reportBody('alice');
        expect(alice.rooms.map((r) => r.name)).toEqual(['eng', 'eng-secrets', 'old-stuff']);
        expect(alice.summary.federated).toBe(0);
    });

    it('CSV: text/csv with a header row, paged the same way, cells neutralised against formulas', async () => {
        await engine.fresh(({ workspace }) => {
            const alice = workspace.getUserByUsername('alice')?._id as string;
            workspace.addRoom({ name: 'sum', fname: '=SUM(A1:A2)', t: 'p', owner: alice });
        });
        const response = await report('alice', { format: 'csv', count: '10000' });
        expect(response.status).toBe(200);
        expect(response.headers?.['content-type']).toBe('text/csv; charset=utf-8');
        const lines = String(response.body).split('\r\n');
        expect(lines[0]).toBe('_id,name,fname,encrypted,keyEstablished,changeable,archived,federated,teamId,teamMain,prid,usersCount,lastChange,lastChangeBy');
        expect(lines.slice(1, -1).map((line) => line.split(',')[1])).toEqual(['eng', 'eng-secrets', 'old-stuff', 'project-x', 'sum']);
        expect(lines.find((line) => line.includes(',sum,'))).toBe(`${engine.roomId('sum')},sum,'=SUM(A1:A2),false,false,true,false,false,,false,,1,,`);
        expect(lines[lines.length - 1]).toBe('');
        const paged = await report('alice', { format: 'csv', count: '2', offset: '1' });
        expect(String(paged.body).split('\r\n').slice(1, -1).map((line) => line.split(',')[1])).toEqual(['eng-secrets', 'old-stuff']);
    });

    it.each([
        [{ count: '0' }, 'count'],
        [{ count: '101' }, 'count'],
        [{ count: '-1' }, 'count'],
        [{ count: 'ten' }, 'count'],
        [{ offset: '-5' }, 'offset'],
        [{ offset: '1.5e3' }, 'offset'],
        [{ format: 'xml' }, 'format'],
        [{ format: 'csv', count: '10001' }, 'count'],
        [{ encrypted: 'yes' }, 'encrypted'],
        [{ encrypted: '1' }, 'encrypted'],
    ])('bad input %j: 400 error-invalid-params naming %s, nothing read', async (query, param) => {
        await engine.fresh();
        engine.workspace.resetCounters();
        const response = await report('admin', query as Record<string, string>);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ success: false, errorType: 'error-invalid-params', error: expect.stringContaining(`"${param}"`) });
        expect(engine.workspace.restCalls.filter((call) => call.path.includes('groups.listAll'))).toEqual([]);
    });

    it('a service account without view-room-administration: 503 that names the permission (an administrator\'s report cannot be listed), nothing guessed', async () => {
        // The auditor role holds it, the service account (admin) no longer does.
        await engine.fresh(({ workspace }) => {
            workspace.addUser({ username: 'auditor', roles: ['auditor', 'user'] });
            workspace.setPermissionRoles('view-room-administration', ['auditor']);
        });
        const response = await report('auditor');
        expect(response.status).toBe(503);
        expect(response.body).toMatchObject({ success: false, errorType: 'error-service-account-cannot-list' });
        // Alice's own groups need no listing of the whole workspace.
        expect((await report('alice')).status).toBe(200);
        // Without view-other-user-channels a member's subscriptions cannot be read: fail closed.
        engine.workspace.setPermissionRoles('view-other-user-channels', []);
        expect(await report('alice')).toMatchObject({ status: 503, body: { errorType: 'error-service-account-cannot-list' } });
    });

    it('the permission table cannot be read: 503 error-permissions-unavailable, no listing', async () => {
        await engine.fresh();
        engine.workspace.setFault('/api/v1/permissions.listAll', { kind: 'status', status: 500 });
        const response = await report('admin');
        expect(response).toMatchObject({ status: 503, body: { errorType: 'error-permissions-unavailable' } });
        engine.workspace.setFault('/api/v1/permissions.listAll', undefined);
    });
});
