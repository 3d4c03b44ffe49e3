/**
 * Rocket.Chat's own `/channels.setType` e2e case, against the workspace: upstream
 * `apps/meteor/tests/end-to-end/api/channels.ts` @ 03171a3d811a5bc1a384d676caa5ca9da9363694.
 */
import { Upstream, getRoomInfo } from './support.cjs';

describe('/channels.setType', () => {
    let up: Upstream;
    let testChannel: { _id: string };
    const name = `setType-${Date.now()}`;

    beforeAll(() => {
        up = new Upstream();
        testChannel = up.createRoom('c', name);
    });

    // Upstream posts `roomId: channel._id` (the suite's shared channel) from a `void request` nobody awaits, so its
    // assertions never run; ported as the test's name and `name` say: the channel it made.
    it('should change the type public channel to private', async () => {
        const roomInfo = await getRoomInfo(up, testChannel._id);

        const res = await up.post('channels.setType', { roomId: testChannel._id, type: 'p' });
        expect(res.status).toBe(200);
        expect(res.body).toHaveProperty('success', true);
        expect(res.body).toHaveProperty('channel._id');
        expect(res.body).toHaveProperty('channel.name', name);
        expect(res.body).toHaveProperty('channel.t', 'p');
        expect(res.body).toHaveProperty('channel.msgs', (roomInfo.channel.msgs as number) + 1);
    });
});
