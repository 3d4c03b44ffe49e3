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
    return requireHistoryReadable(room ? toRoomView(room) : undefined, refLabel(ref), user, ctx);
}

/** §7's rule on a room already looked up (`label`: how the request named it, for the "not found" answer). */
async function requireHistoryReadable(view: RoomView | undefined, label: string, user: IUser, ctx: OperationContext): Promise<RoomView> {
    if (!view || (view.type !== 'c' && view.type !== 'p') || !(await ctx.access.canAccessRoom(user, view))) {
        throw new AppError('room-not-found', { room: label });
    }
    if (!(await mayReadHistory(user, view.id, ctx))) {
        throw new AppError('history-not-allowed', { room: view.label });
    }
    return view;
}

/**
 * Before an undo decision (interface.md §7, §8 "Undo"), which names the change since or says that nothing is on
 * record: the room's history must be readable to `user` — §7's readers, or a holder of `view-room-administration`
 * (who reads every record in the audit, §9, and may undo in rooms they are not in). Anyone else gets what
 * `groups.history` answers them: "not found" when they cannot access the room, `error-action-not-allowed` when they can.
 */
export async function requireUndoReader(view: RoomView | undefined, label: string, user: IUser, ctx: OperationContext): Promise<RoomView> {
    if (view && (await ctx.access.hasPermission(user, 'view-room-administration'))) {
        return view;
    }
    return requireHistoryReadable(view, label, user, ctx);
}

/** Whether `user` may read the history of a room they can access (status replies name the last change only then). */
export async function mayReadHistory(user: IUser, roomId: string, ctx: OperationContext): Promise<boolean> {
    return ctx.access.hasPermission(user, 'edit-room', roomId);
}
