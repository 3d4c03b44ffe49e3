/**
 * What the bot writes is inert (interface.md §9): a room's name cannot mention, link or format in a reply or an
 * announcement; in an encrypted room the bot announces only when the workspace allows unencrypted messages
 * (`E2E_Allow_Unencrypted_Messages`), otherwise the change is only recorded — 0.2.0's announcements included.
 */
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { onlyReply } from '../ui/support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => (engine = booted));

function announcements(room: string): string[] {
    return engine.workspace
        .getMessages(engine.roomId(room))
        .filter((m) => !m.t && m.u.username.endsWith('.bot'))
        .map((m) => m.msg);
}

async function recordsOf(room: string): Promise<number> {
    await engine.host.settled();
    const response = await engine.host.callApi({ method: 'GET', path: 'groups.history', query: { roomName: room }, headers: engine.headersOf('alice') });
    return (response.body as { total: number }).total;
}

describe('inert output', () => {
    it('a room named to mention everyone and link is written as inline code in the reply', async () => {
        await engine.fresh(({ workspace }) => {
            const alice = workspace.getUserByUsername('alice')?._id as string;
            workspace.addRoom({ name: 'x@all[y](https://evil.example)', t: 'p', owner: alice });
        });
        const reply = onlyReply(await engine.command('alice', 'x@all[y](https://evil.example)', '/settype status'));
        expect(reply).toContain('`x@all[y](https://evil.example)`');
        expect(reply).not.toMatch(/(^|\s)@all/);
    });

    it('/encrypt on with unencrypted messages not allowed: recorded, not announced', async () => {
        await engine.fresh();
        await engine.command('alice', 'project-x', '/encrypt on');
        expect(announcements('project-x')).toEqual([]);
        expect(await recordsOf('project-x')).toBe(1);
    });

    it('/encrypt on with unencrypted messages allowed: announced', async () => {
        await engine.fresh((fixture) => fixture.workspace.setSetting('E2E_Allow_Unencrypted_Messages', true));
        await engine.command('alice', 'project-x', '/encrypt on');
        expect(announcements('project-x')).toEqual(['@alice turned end-to-end encryption on for this room (/encrypt).']);
    });

    it('turning encryption off leaves the room unencrypted: announced', async () => {
        await engine.fresh((fixture) => fixture.workspace.setSetting('E2E_Enable', true));
        await engine.reference('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, 'alice');
        await engine.command('alice', 'project-x', '/encrypt off');
        // Off: the room is no longer encrypted, so the bot may post.
        expect(announcements('project-x')).toEqual(['@alice turned end-to-end encryption off for this room (/encrypt).']);
    });
});
