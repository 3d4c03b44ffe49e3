import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';
import type { OperationContext } from './context';
import type { RoomReach, RoomRef } from './types';

/** A room found for an operation, with its view. */
export interface FoundRoom {
    readonly room: IRoom;
    readonly view: RoomView;
}

function has(params: Readonly<Record<string, unknown>>, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(params, key);
}

/**
 * How the caller named the room (for messages about a room that was not found). A room reached by id — a button
 * click, a modal, the room a command was typed in — is named by its id only: its name (a discussion's title, a
 * livechat visitor's name) must never reach someone who cannot access it.
 */
export function refLabel(ref: RoomRef): string {
    switch (ref.kind) {
        case 'params': {
            const value = has(ref.params, 'roomId') ? ref.params.roomId : ref.params.roomName;
            return typeof value === 'string' ? value : '';
        }
        case 'room':
            return ref.room.id;
        default:
            return ref.value;
    }
}

/**
 * Interface.md §5: apps cannot see whether a subscription is a pending invitation, and in Rocket.Chat only federated
 * rooms carry invitations, so the chat doors and dry runs change and predict nothing in a federated room.
 */
export function refuseFederated(found: FoundRoom): void {
    if (found.view.federated) {
        throw new AppError('federated-room', { room: found.view.label });
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

/**
 * A bare word: the room with that id, or the room with that name. When it is one room's id and another room's name,
 * it is refused as ambiguous, naming both ways to say it: `#name` for the room named so, and the other room's
 * `#name` — but only when `user` can access that room (its name is never shown to anyone else).
 */
async function byIdOrName(ctx: OperationContext, value: string, user?: IUser): Promise<IRoom | undefined> {
    const [withId, named] = await Promise.all([byId(ctx, value), byName(ctx, value)]);
    if (withId && named && withId.id !== named.id) {
        const view = toRoomView(withId);
        if (user && view.name && (await ctx.access.canAccessRoom(user, view))) {
            throw new AppError('ambiguous-room', { room: value, name: view.name });
        }
        throw new AppError('ambiguous-room-unnamed', { room: value });
    }
    return withId || named;
}

/**
 * §3.1 step 2: the `roomId` key wins whenever present, even empty; a bare word is a room's id or a room's name, and
 * refused when it is both (`user` decides whether the other room may be named).
 */
export async function findRoom(ref: RoomRef, ctx: OperationContext, user?: IUser): Promise<IRoom | undefined> {
    switch (ref.kind) {
        case 'params':
            return has(ref.params, 'roomId') ? byId(ctx, ref.params.roomId) : byName(ctx, ref.params.roomName);
        case 'idOrName':
            return byIdOrName(ctx, ref.value, user);
        case 'name':
            return byName(ctx, ref.value);
        default:
            return ref.room;
    }
}

/**
 * §3.1 steps 3–6 on a room already looked up: a private group the user can access (else the same
 * `error-room-not-found`), and — unless `allowArchived` (status queries) — not archived. `reach` replaces the access
 * check where the change is decided as `rooms.saveRoomSettings` decides it (bulk jobs).
 */
export async function requireGroup(
    found: IRoom | undefined,
    ref: RoomRef,
    user: IUser,
    ctx: OperationContext,
    allowArchived = false,
    reach?: RoomReach,
): Promise<FoundRoom> {
    const view = found ? toRoomView(found) : undefined;
    const reachable = async (room: IRoom, roomView: RoomView): Promise<boolean> => (reach ? reach(room) : ctx.access.canAccessRoom(user, roomView));
    if (!found || !view || view.type !== 'p' || !(await reachable(found, view))) {
        throw new AppError('room-not-found', { room: refLabel(ref) });
    }
    if (view.archived && !allowArchived) {
        throw new AppError('group-archived', { room: view.label });
    }
    return { room: found, view };
}

/** §3.1 complete: key check, lookup, private-group checks. */
export async function resolveGroup(ref: RoomRef, user: IUser, ctx: OperationContext, allowArchived = false, reach?: RoomReach): Promise<FoundRoom> {
    assertRoomParamsGiven(ref);
    return requireGroup(await findRoom(ref, ctx, user), ref, user, ctx, allowArchived, reach);
}
