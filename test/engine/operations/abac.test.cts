/**
 * The chat doors on an ABAC-managed room (findings §D19): Rocket.Chat decides access to such a room from the user's
 * ABAC attributes (upstream `apps/meteor/server/services/authorization/canAccessRoom.ts` @ e09cbc33 →
 * `Abac.canAccessObject`, `ee/packages/abac/src/index.ts`), which an app cannot read. The chat doors must never allow
 * more than Rocket.Chat: they refuse, and say why.
 */
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { all, ephemeral, roomFields, text } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

const ATTRIBUTES = [{ key: 'dept', values: ['eng'] }];

async function abacProjectX(): Promise<string> {
    await engine.fresh(
        all(roomFields('project-x', { abacAttributes: ATTRIBUTES }), ({ workspace }) => {
            workspace.setSetting('ABAC_Enabled', true);
            workspace.setLicenseModules(['abac']);
            workspace.setUserAbacAttributes(workspace.getUserByUsername('alice')?._id ?? '', ATTRIBUTES);
            // bob owns the room too: every permission check passes for him, only his attributes do not match.
            const rid = workspace.getRoomByName('project-x')?._id ?? '';
            workspace.setRoomRoles(rid, workspace.getUserByUsername('bob')?._id ?? '', ['owner']);
        }),
    );
    return engine.roomId('project-x');
}

describe('chat doors on an ABAC-managed room', () => {
    it('a member whose attributes do not match (bob): Rocket.Chat would refuse him; /encrypt on changes nothing and says why', async () => {
        const rid = await abacProjectX();
        const run = await engine.command('bob', 'project-x', '/encrypt on');
        expect(engine.workspace.getRoom(rid)?.encrypted).toBeFalsy();
        expect(engine.workspace.restCalls.filter((call) => call.method !== 'GET')).toEqual([]);
        const [reply] = ephemeral(run.deliveries);
        expect(reply?.text).toBe(text('en', 'error_abac_room_access', { room: 'project-x' }));
        // Rocket.Chat itself refuses him (and, as upstream's ABAC service does, takes him out of the room).
        expect(engine.workspace.canAccessRoom(rid, engine.userId('bob'))).toBe(false);
    });

    it('a matching member (alice) is refused too: the app cannot tell her from bob', async () => {
        const rid = await abacProjectX();
        const run = await engine.command('alice', 'project-x', '/settype status');
        expect(ephemeral(run.deliveries)[0]?.text).toBe(text('en', 'error_abac_room_access', { room: 'project-x' }));
        const change = await engine.command('alice', 'project-x', '/encrypt on');
        expect(ephemeral(change.deliveries)[0]?.text).toBe(text('en', 'error_abac_room_access', { room: 'project-x' }));
        expect(engine.workspace.getRoom(rid)?.encrypted).toBeFalsy();
    });
});
