import { AppError } from '../errors/AppError';
import type { WorkspaceGateway } from './gateway';

/**
 * Rocket.Chat's listing of every private group (`GET /api/v1/groups.listAll`, upstream
 * `apps/meteor/app/api/server/v1/groups.ts`): needs `view-room-administration`, pages with `offset` / `count` (capped by
 * the workspace's `API_Upper_Count_Limit`), sorted by `name`, and answers the room documents whole (but for
 * `API.v1.defaultFieldsToExclude`) — `encrypted`, `e2eKeyId`, `archived`, `federated`, `teamId`, `teamMain`, `prid`,
 * `usersCount` included. It is the one listing that carries `encrypted`: `IRoomRead.getAllRooms` and `rooms.adminRooms`
 * do not (upstream-governance-notes.md §3), so reading every group's encryption state through them costs one more read
 * per room.
 */
export const GROUPS_LIST_ALL_PATH = '/api/v1/groups.listAll';

/** A private group as the listing shows it. */
export type ListedGroup = Readonly<Record<string, unknown>>;

export interface ListedPage {
    readonly groups: ReadonlyArray<ListedGroup>;
    /** How many private groups the workspace has now. */
    readonly total: number;
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * One page of `groups.listAll`, read as the service account. Fails closed: a service account without
 * `view-room-administration` (403) is `service-account-cannot-list`, an unexpected answer `workspace-request-failed`
 * (the gateway's own errors for no configuration, rejected credentials, no answer).
 */
export async function readGroupsPage(gateway: WorkspaceGateway, offset: number, count: number): Promise<ListedPage> {
    const answer = await gateway.read(GROUPS_LIST_ALL_PATH, { offset: String(offset), count: String(count) });
    if (answer.status === 403) {
        throw new AppError('service-account-cannot-list');
    }
    const data = answer.data;
    if (answer.status !== 200 || !isRecord(data) || !Array.isArray(data.groups) || typeof data.total !== 'number') {
        throw new AppError('workspace-request-failed');
    }
    return { groups: (data.groups as unknown[]).filter(isRecord), total: data.total };
}
