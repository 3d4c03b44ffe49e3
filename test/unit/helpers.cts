import type { App } from '@rocket.chat/apps-engine/definition/App';
import { isKnownFailure } from '../../src/errors/AppError';
import { toRestFailure } from '../../src/errors/rest';
import type { RestFailure } from '../../src/errors/rest';
import type { RoomRef } from '../../src/operations/types';
import { FakeWorkspace } from './fakes.cjs';

/** The REST form of what `promise` rejected with (fails the test when it resolves). */
export async function restFailure(promise: Promise<unknown>): Promise<RestFailure & { content: Record<string, unknown> }> {
    try {
        await promise;
    } catch (error) {
        if (!isKnownFailure(error)) {
            throw error;
        }
        return toRestFailure(error) as RestFailure & { content: Record<string, unknown> };
    }
    throw new Error('expected a failure');
}

export const params = (p: Record<string, unknown>): RoomRef => ({ kind: 'params', params: p });

/**
 * A workspace with one private group `g1` (`Group One`) and its members:
 * olga = owner, mo = moderator, mem = plain member, adm = admin member; ada = admin, not a member;
 * out = plain user, not a member. All but the admins have only the global `user` role.
 */
export function standardWorkspace(): FakeWorkspace {
    const ws = new FakeWorkspace();
    ws.addUser('olga');
    ws.addUser('mo');
    ws.addUser('mem');
    ws.addUser('adm', ['admin', 'user']);
    ws.addUser('ada', ['admin', 'user']);
    ws.addUser('out');
    ws.addRoom({ _id: 'g1', name: 'g1', fname: 'Group One' }, [['olga', ['owner']], ['mo', ['moderator']], ['mem'], ['adm']]);
    return ws;
}

export { D_EDIT as EDIT, D_TYPE as TYPE, D_E2E as E2E, GROUP_NOT_FOUND as NOT_FOUND, PARAM_NOT_PROVIDED, actionNotAllowed as notAllowed } from '../rocketchat.cjs';

/** A stand-in for the App instance the doors hold (only its logger is used). */
export function fakeApp(ws: FakeWorkspace): App {
    const logger = ws.logger();
    return { getLogger: () => logger, getID: () => 'app-id' } as unknown as App;
}

/**
 * The room and membership reads so far: what an operation looked up about rooms (a real change first reads the rate
 * limit's settings and the permission table, before any check).
 */
export function lookups(ws: FakeWorkspace): string[] {
    return ws.calls.filter((call) => call.startsWith('room.') || call.startsWith('user.'));
}
