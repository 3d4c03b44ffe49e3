import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { toRoomView } from '../workspace/roomView';
import type { OperationContext } from './context';
import { AppError } from '../errors/AppError';
import { assertRoomParamsGiven, findRoom, refLabel, requireGroup, resolveGroup } from './resolveRoom';
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
    /** The main room of a team: the room is the team (a public or private team). */
    readonly teamMain: boolean;
}

/** Whether a private group the user can access is encrypted (archived groups included: nothing changes). */
export async function encryptionStatus(input: StatusInput, ctx: OperationContext): Promise<EncryptionStatus> {
    const { view } = await resolveGroup(input.room, input.user, ctx, true);
    return { label: view.label, encrypted: view.encrypted === true };
}

/**
 * The type of a public channel or a private group the user can access (Rocket.Chat's `canAccessRoom`: a public
 * channel of a private team only for its members); any other room is "not found", never named.
 */
export async function typeStatus(input: StatusInput, ctx: OperationContext): Promise<TypeStatus> {
    assertRoomParamsGiven(input.room);
    const room = await findRoom(input.room, ctx, input.user);
    if (room && String(room.type) === 'c') {
        const view = toRoomView(room);
        if (!(await ctx.access.canAccessRoom(input.user, view))) {
            throw new AppError('room-not-found', { room: refLabel(input.room) });
        }
        return { label: view.label, type: view.type, teamMain: view.teamMain };
    }
    const { view } = await requireGroup(room, input.room, input.user, ctx, true);
    return { label: view.label, type: view.type, teamMain: view.teamMain };
}
