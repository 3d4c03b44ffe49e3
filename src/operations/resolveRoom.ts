import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';
import type { OperationContext } from './context';
import type { RoomRef } from './types';

/** A room found for an operation, with its view. */
export interface FoundRoom {
    readonly room: IRoom;
    readonly view: RoomView;
}

function has(params: Readonly<Record<string, unknown>>, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(params, key);
}

/** How the caller named the room (for messages about a room that was not found). */
export function refLabel(ref: RoomRef): string {
    switch (ref.kind) {
        case 'params': {
            const value = has(ref.params, 'roomId') ? ref.params.roomId : ref.params.roomName;
            return typeof value === 'string' ? value : '';
        }
        case 'room':
            return toRoomView(ref.room).label;
        default:
            return ref.value;
    }
}

/** §3.1 step 1: neither key, or both keys present and both empty → `error-room-param-not-provided`. */
export function assertRoomParamsGiven(ref: RoomRef): void {
    if (ref.kind !== 'params') {
        return;
    }
    const { params } = ref;
    const hasId = has(params, 'roomId');
    const hasName = has(params, 'roomName');
    if ((!hasId && !hasName) || (hasId && !params.roomId && hasName && !params.roomName)) {
        throw new AppError('room-param-not-provided');
    }
}

async function byId(ctx: OperationContext, id: unknown): Promise<IRoom | undefined> {
    return typeof id === 'string' && id ? ctx.rooms.getById(id) : undefined;
}

async function byName(ctx: OperationContext, name: unknown): Promise<IRoom | undefined> {
    return typeof name === 'string' && name ? ctx.rooms.getByName(name) : undefined;
}

/** §3.1 step 2: the `roomId` key wins whenever present, even empty; a bare word is tried as an id, then a name. */
export async function findRoom(ref: RoomRef, ctx: OperationContext): Promise<IRoom | undefined> {
    switch (ref.kind) {
        case 'params':
            return has(ref.params, 'roomId') ? byId(ctx, ref.params.roomId) : byName(ctx, ref.params.roomName);
        case 'idOrName':
            return (await byId(ctx, ref.value)) || byName(ctx, ref.value);
        case 'name':
            return byName(ctx, ref.value);
        default:
            return ref.room;
    }
}

/**
 * §3.1 steps 3–6 on a room already looked up: a private group the user can access (else the same
 * `error-room-not-found`), and — unless `allowArchived` (status queries) — not archived.
 */
export async function requireGroup(
    found: IRoom | undefined,
    ref: RoomRef,
    user: IUser,
    ctx: OperationContext,
    allowArchived = false,
): Promise<FoundRoom> {
    const view = found ? toRoomView(found) : undefined;
    if (!found || !view || view.type !== 'p' || !(await ctx.access.canAccessRoom(user, view))) {
        throw new AppError('room-not-found', { room: refLabel(ref) });
    }
    if (view.archived && !allowArchived) {
        throw new AppError('group-archived', { room: view.label });
    }
    return { room: found, view };
}

/** §3.1 complete: key check, lookup, private-group checks. */
export async function resolveGroup(ref: RoomRef, user: IUser, ctx: OperationContext, allowArchived = false): Promise<FoundRoom> {
    assertRoomParamsGiven(ref);
    return requireGroup(await findRoom(ref, ctx), ref, user, ctx, allowArchived);
}

/** §3.2 on a public channel already looked up: archived → `The channel, <name>, is archived`; no access check. */
export function requireOpenChannel(found: IRoom): FoundRoom {
    const view = toRoomView(found);
    if (view.archived) {
        throw new AppError('channel-archived', { room: view.name });
    }
    return { room: found, view };
}
