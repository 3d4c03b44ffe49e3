import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { resolveHistoryRoom } from '../history/access';
import { HISTORY_LIMIT_MAX, readHistory } from '../history/store';
import type { OperationContext } from '../operations/context';
import { clampedPagination, paginationSettings } from './pagination';
import { respondJson } from './answer';
import { ReadEndpoint } from './readEndpoint';
import type { ReadAccessors } from './readEndpoint';

/**
 * `GET groups.history?roomId=|roomName=&offset=&count=` (interface.md §7): the room's changes made through the app,
 * newest first, `{ history, offset, count, total, trimmed, success: true }` (`count` is the number of records in this page,
 * as in Rocket.Chat's paginated answers). Only for whoever may change the room's settings (`edit-room` in it); anyone
 * else gets the room's "not found" answer when they cannot access it, `error-action-not-allowed` when they can.
 */
export class HistoryEndpoint extends ReadEndpoint {
    public path = 'groups.history';

    protected async answer(user: IUser, query: Readonly<Record<string, unknown>>, read: IRead, ctx: OperationContext, { persis }: ReadAccessors): Promise<IApiResponse> {
        // A room keeps at most HISTORY_LIMIT_MAX records: count=0 ("all") is that many.
        const { offset, count } = clampedPagination(query, await paginationSettings(ctx.serverSettings), HISTORY_LIMIT_MAX);
        const params: Record<string, unknown> = {};
        for (const key of ['roomId', 'roomName']) {
            if (Object.prototype.hasOwnProperty.call(query, key)) {
                params[key] = query[key];
            }
        }
        const room = await resolveHistoryRoom({ kind: 'params', params }, user, ctx);
        const page = await readHistory(read, room.id, offset, count, persis);
        return respondJson(200, { history: page.records, offset, count: page.records.length, total: page.total, trimmed: page.trimmed, success: true });
    }
}
