import { AppError } from '../errors/AppError';
import type { WorkspaceGateway } from './gateway';
import { isRecord } from './groupListing';

/**
 * Rocket.Chat's `GET /api/v1/users.info?userId=&includeUserRooms=true` (upstream `apps/meteor/app/api/server/v1/users.ts`):
 * for a caller holding `view-other-user-channels`, the user's subscriptions as `rooms` — `rid`, `name`, `t`, `roles`
 * (the user's room roles there), `unread`, `federated` — in one read, where the accessors need one room-role read per
 * room and role.
 */
export const USERS_INFO_PATH = '/api/v1/users.info';

/** One subscription of the user. */
export interface Subscribed {
    readonly rid: string;
    readonly t: string;
    /** The user's room roles (`owner`, `moderator`, custom Subscriptions-scope roles). */
    readonly roles: ReadonlyArray<string>;
    readonly federated: boolean;
}


/**
 * Every subscription of `userId`, read as the service account. A user Rocket.Chat does not find has none. Fails
 * closed: an answer without `rooms` (the service account lacks `view-other-user-channels`) or a 403 is
 * `service-account-cannot-list`; anything unexpected `workspace-request-failed`.
 */
export async function readUserRooms(gateway: WorkspaceGateway, userId: string): Promise<ReadonlyArray<Subscribed>> {
    const answer = await gateway.read(USERS_INFO_PATH, { userId, includeUserRooms: 'true' });
    if (answer.status === 400 && isRecord(answer.data) && answer.data.error === 'User not found.') {
        return [];
    }
    if (answer.status === 403) {
        throw new AppError('service-account-cannot-list');
    }
    const user = isRecord(answer.data) ? answer.data.user : undefined;
    if (answer.status !== 200 || !isRecord(user)) {
        throw new AppError('workspace-request-failed');
    }
    if (!Array.isArray(user.rooms)) {
        throw new AppError('service-account-cannot-list');
    }
    return (user.rooms as unknown[]).filter(isRecord).map((sub) => ({
        rid: typeof sub.rid === 'string' ? sub.rid : '',
        t: typeof sub.t === 'string' ? sub.t : '',
        roles: Array.isArray(sub.roles) ? sub.roles.filter((role): role is string => typeof role === 'string') : [],
        federated: sub.federated === true,
    }));
}
