import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { OperationContext } from '../operations/context';
import { findRoom } from '../operations/resolveRoom';
import type { RoomRef } from '../operations/types';
import type { ChangeEnv } from '../ui/requestChange';
import { toRoomView } from '../workspace/roomView';

/**
 * A command suggested about `room`: it names the room (`/encrypt on #eng-secrets`) unless the room is the one the
 * command was typed in, where the bare command acts on it.
 */
export function suggestCommand(command: string, room: IRoom, env: Pick<ChangeEnv, 'originRoomId'>): string {
    return room.id === env.originRoomId ? command : `${command} #${toRoomView(room).name}`;
}

/**
 * The room a command's reference names (the room at hand when it was typed in it). `user` asks: an ambiguous bare
 * word names the room with that id only for someone who may access it.
 */
export function roomOf(ref: RoomRef, user: IUser, ctx: OperationContext): Promise<IRoom | undefined> {
    return findRoom(ref, ctx, user);
}
