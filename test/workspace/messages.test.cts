/** `Workspace.onMessage` and `sendMessageAs` (what the engine's message bridge stores for an app). */
import type { WsMessage } from '../../host/workspace/model.cjs';
import { Fixture } from './fixture.cjs';

describe('messages', () => {
    let fx: Fixture;
    beforeEach(() => {
        fx = new Fixture();
        fx.login(fx.users.owner);
    });

    it('onMessage hears chat, app and system messages once each, after the write, in order; unsubscribe stops it', async () => {
        const heard: WsMessage[] = [];
        const off = fx.ws.onMessage((m) => heard.push(m));
        const { group } = fx.rooms;
        fx.ws.postMessage(group._id, fx.users.member._id, 'hi');
        fx.ws.sendMessageAs(group._id, fx.users.outsider._id, 'from an app');
        await fx.post(fx.users.owner, 'groups.setEncrypted', { roomId: group._id, encrypted: true });
        expect(heard.map((m) => [m.t ?? 'chat', m.msg, m.u.username])).toEqual([
            ['chat', 'hi', 'mel'],
            ['chat', 'from an app', 'otto'],
            ['room_e2e_enabled', 'olivia', 'olivia'],
        ]);
        heard[0].msg = 'changed';
        expect(fx.ws.getMessages(group._id)[0].msg).toBe('hi');
        off();
        fx.ws.postMessage(group._id, fx.users.member._id, 'again');
        expect(heard).toHaveLength(3);
    });

    it('sendMessageAs: no membership needed (MessageService.sendMessage), counts msgs; bad input throws and changes nothing', () => {
        const { group } = fx.rooms;
        const msgs = fx.room(group._id).msgs;
        const m = fx.ws.sendMessageAs(group._id, fx.users.outsider._id, 'note', { blocks: [{ type: 'section' }] });
        expect(m).toMatchObject({ rid: group._id, msg: 'note', u: { _id: fx.users.outsider._id }, blocks: [{ type: 'section' }] });
        expect(fx.room(group._id).msgs).toBe(msgs + 1);
        const before = fx.ws.snapshot();
        expect(() => fx.ws.sendMessageAs('nope', fx.users.owner._id, 'x')).toThrow(/unknown room/);
        expect(() => fx.ws.sendMessageAs(group._id, 'nope', 'x')).toThrow(/unknown user/);
        expect(fx.ws.snapshot()).toBe(before);
    });
});
