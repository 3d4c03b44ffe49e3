import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { OperationContext } from '../operations/context';
import type { RoomReach } from '../operations/types';

/**
 * What a bulk job needs of the governance scope (interface.md §8 "Scope"): which private groups a person governs,
 * listed page by page, and the per-room decision. The scope itself is decided elsewhere (the report's
 * `Scope`); the job engine only asks.
 */
export interface GovernanceScope {
    /** Whether `user` governs the room (answered "not found" otherwise): decided live, fail closed. */
    readonly governs: RoomReach;
    /** The private groups `user` governs, page by page (each page handed to `visit` before the next is read). */
    forEachGoverned(user: IUser, visit: (rooms: ReadonlyArray<IRoom>) => Promise<void>): Promise<void>;
}

/** Rooms per page of a listing (the most `IRoomRead.getAllRooms` gives at once). */
const PAGE = 100;

/**
 * PROVISIONAL, until the report's scope is merged (issue 15: the job engine must not decide scope itself): holders
 * of `view-room-administration` govern every private group; anyone else the groups they can access (the edit-room
 * check follows in the operation core). Listing pages through `IRoomRead.getAllRooms` and reads each room for its
 * `encrypted` field.
 */
export function provisionalScope(read: IRead, ctx: OperationContext): GovernanceScope {
    const governs: RoomReach = async (user, view) => (await ctx.access.hasPermission(user, 'view-room-administration')) || ctx.access.canAccessRoom(user, view);
    return {
        governs,
        async forEachGoverned(user, visit) {
            const rooms = read.getRoomReader();
            for (let skip = 0; ; skip += PAGE) {
                const page = (await rooms.getAllRooms({ types: [RoomType.PRIVATE_GROUP] }, { limit: PAGE, skip })) || [];
                const full: IRoom[] = [];
                for (const raw of page) {
                    const room = await rooms.getById(raw.id);
                    if (room) {
                        full.push(room);
                    }
                }
                await visit(full);
                if (page.length < PAGE) {
                    return;
                }
            }
        },
    };
}
