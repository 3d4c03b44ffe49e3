import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { toRoomView } from '../workspace/roomView';
import type { OperationContext } from './context';
import { assertRoomParamsGiven, findRoom, requireGroup, resolveGroup } from './resolveRoom';
import type { RoomRef } from './types';

export interface StatusInput {
    readonly user: IUser;
    readonly room: RoomRef;
}

export interface EncryptionStatus {
    readonly label: string;
    readonly encrypted: boolean;
}

export interface TypeStatus {
    readonly label: string;
    /** `c` or `p`. */
    readonly type: string;
}

/** Whether a private group the user can access is encrypted (archived groups included: nothing changes). */
export async function encryptionStatus(input: StatusInput, ctx: OperationContext): Promise<EncryptionStatus> {
    const { view } = await resolveGroup(input.room, input.user, ctx, true);
    return { label: view.label, encrypted: view.encrypted === true };
}

/** The type of a public channel, or of a private group the user can access. */
export async function typeStatus(input: StatusInput, ctx: OperationContext): Promise<TypeStatus> {
    assertRoomParamsGiven(input.room);
    const room = await findRoom(input.room, ctx);
    const view = room && String(room.type) === 'c' ? toRoomView(room) : (await requireGroup(room, input.room, input.user, ctx, true)).view;
    return { label: view.label, type: view.type };
}
