/**
 * `GET groups.audit` (interface.md §9, issue 16): the workspace's whole trail, newest first, filtered and paged, JSON
 * or CSV, for holders of `view-room-administration` only (decided live with the workspace's permission table); bad
 * input is a 400 that reads nothing.
 */
import type { ChangeRecord } from '../../../src/history/store';
import type { RestResponse } from '../../../host/workspace/model.cjs';
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine, withoutRateLimits } from '../harness.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

interface AuditBody {
    history: ChangeRecord[];
    offset: number;
    count: number;
    total: number;
    trimmed: number;
    success: boolean;
}

async function audit(username: string, query: Record<string, string> = {}): Promise<RestResponse> {
    await engine.host.settled();
    return engine.host.callApi({ method: 'GET', path: 'groups.audit', query, headers: engine.headersOf(username) });
}

/**
 * When this test's workspace began: the app's persistence outlives a fresh workspace (as it outlives anything but an
 * uninstall), so every query of a test starts there.
 */
let began = '';

async function auditBody(query: Record<string, string> = {}): Promise<AuditBody> {
    const response = await audit('admin', { since: began, ...query });
    expect(response.status).toBe(200);
    return response.body as AuditBody;
}

const what = (records: ChangeRecord[]) => records.map((r) => `${r.roomName} ${r.actor.username} ${r.operation} ${String(r.to)} ${r.door}`);

/** Three changes: alice through the app's HTTP door, alice in chat, bob with Rocket.Chat's own endpoint. */
async function threeChanges(): Promise<void> {
    began = new Date().toISOString();
    await engine.fresh((fixture) => {
        withoutRateLimits(fixture);
        const workspace = fixture.workspace;
        const alice = workspace.getUserByUsername('alice')?._id as string;
        const bob = workspace.getUserByUsername('bob')?._id as string;
        workspace.addRoom({ name: 'ops', t: 'p', owner: bob, members: [alice] });
    });
    expect((await engine.api('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice')).status).toBe(200);
    await engine.command('alice', 'project-x', '/settype public');
    expect((await engine.reference('groups.setEncrypted', { roomName: 'ops', encrypted: true }, 'bob')).status).toBe(200);
}

describe('GET groups.audit', () => {
    it('every recorded change of the workspace, newest first, by any door', async () => {
        await threeChanges();
        const body = await auditBody();
        expect(what(body.history)).toEqual(['ops bob setEncrypted true rocket.chat', 'project-x alice setType c command', 'project-x alice setEncrypted true endpoint']);
        expect(body).toMatchObject({ offset: 0, count: 3, total: 3, trimmed: 0, success: true });
        const page = await auditBody({ offset: '1', count: '1' });
        expect(what(page.history)).toEqual(['project-x alice setType c command']);
        expect(page).toMatchObject({ offset: 1, count: 1, total: 3 });
    });

    it('filters: roomId, actor (username or id), operation, since and until', async () => {
        await threeChanges();
        expect(what((await auditBody({ roomId: engine.roomId('ops') })).history)).toEqual(['ops bob setEncrypted true rocket.chat']);
        expect((await auditBody({ actor: 'alice' })).total).toBe(2);
        expect((await auditBody({ actor: engine.userId('bob') })).total).toBe(1);
        expect(what((await auditBody({ operation: 'setType' })).history)).toEqual(['project-x alice setType c command']);
        const all = (await auditBody()).history;
        const middle = all[1].at;
        expect((await auditBody({ since: middle })).total).toBe(2);
        expect((await auditBody({ until: middle })).total).toBe(2);
        expect((await auditBody({ since: '2000-01-01', until: '2000-01-02' })).total).toBe(0);
    });

    it('format=csv: text/csv with a header row, one row per record, formulas neutralised', async () => {
        await threeChanges();
        await engine.host.settled();
        const response = await engine.host.callApi({ method: 'GET', path: 'groups.audit', query: { format: 'csv', since: began }, headers: engine.headersOf('admin'), withHeaders: true });
        expect(response.status).toBe(200);
        expect(response.headers?.['content-type']).toBe('text/csv; charset=utf-8');
        const lines = String(response.body).split('\r\n').filter(Boolean);
        expect(lines[0]).toBe('_id,at,roomId,roomName,operation,from,to,fromUnknown,actorId,actorUsername,door,jobId,undoes');
        expect(lines).toHaveLength(4);
        expect(lines[1]).toContain(',ops,setEncrypted,false,true,false,');
    });

    it('anyone without view-room-administration: 403 as Rocket.Chat answers a missing permission', async () => {
        await threeChanges();
        const response = await audit('alice');
        expect(response).toEqual({ status: 403, body: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' } });
    });

    it('decided live: a grant in Rocket.Chat applies to the very next request', async () => {
        await threeChanges();
        engine.workspace.setPermissionRoles('view-room-administration', ['admin', 'user']);
        expect((await audit('alice')).status).toBe(200);
        engine.workspace.setPermissionRoles('view-room-administration', ['admin']);
        expect((await audit('alice')).status).toBe(403);
    });

    it.each([
        [{ since: 'yesterday' }, 'since'],
        [{ until: '2026-13-45' }, 'until'],
        [{ since: '2026-12-02', until: '2026-12-01' }, 'until'],
        [{ operation: 'deleteRoom' }, 'operation'],
        [{ format: 'xml' }, 'format'],
        [{ count: '0' }, 'count'],
        [{ count: 'abc' }, 'count'],
    ])('bad input %j: 400 error-invalid-params naming %s', async (query, param) => {
        await threeChanges();
        const response = await audit('admin', query as Record<string, string>);
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ success: false, errorType: 'error-invalid-params', error: expect.stringContaining(`"${param}"`) });
    });
});
