import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import type { OperationContext } from '../operations/context';
import { assertRoomParamsGiven, findRoom, refLabel } from '../operations/resolveRoom';
import type { RoomRef } from '../operations/types';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';

/**
 * The room whose history `user` asks for (interface.md §7): whoever may change its settings (`edit-room` in it) may
 * read it. Anyone else gets what a change would get: the room's "not found" answer when they cannot access the room
 * (so history never reveals a room), `error-action-not-allowed` when they can.
 */
export async function resolveHistoryRoom(ref: RoomRef, user: IUser, ctx: OperationContext): Promise<RoomView> {
    assertRoomParamsGiven(ref);
    const room = await findRoom(ref, ctx, user);
    const view = room ? toRoomView(room) : undefined;
    if (!view || (view.type !== 'c' && view.type !== 'p') || !(await ctx.access.canAccessRoom(user, view))) {
        throw new AppError('room-not-found', { room: refLabel(ref) });
    }
    if (!(await ctx.access.hasPermission(user, 'edit-room', view.id))) {
        throw new AppError('history-not-allowed', { room: view.label });
    }
    return view;
}

/** Whether `user` may read the history of a room they can access (status replies name the last change only then). */
export async function mayReadHistory(user: IUser, roomId: string, ctx: OperationContext): Promise<boolean> {
    return ctx.access.hasPermission(user, 'edit-room', roomId);
}
