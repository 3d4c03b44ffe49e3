import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { AppError } from '../errors/AppError';
import { resolveHistoryRoom } from '../history/access';
import { HISTORY_LIMIT_MAX, readHistory } from '../history/store';
import { createOperationContext } from '../operations/context';
import { scrubRequestLog } from '../workspace/forward';
import { failureResponse, respondJson } from './answer';
import { clampedPagination, paginationSettings } from './pagination';


/**
 * `GET groups.history?roomId=|roomName=&offset=&count=` (interface.md §7): the room's changes made through the app,
 * newest first, `{ history, offset, count, total, success: true }` (`count` is the number of records in this page,
 * as in Rocket.Chat's paginated answers). Only for whoever may change the room's settings (`edit-room` in it); anyone
 * else gets the room's "not found" answer when they cannot access it, `error-action-not-allowed` when they can.
 */
export class HistoryEndpoint extends ApiEndpoint {
    public path = 'groups.history';

    public authRequired = true;

    public async get(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, _modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        const logger = this.app.getLogger();
        // The runtime logs this request (headers and query, the caller's token included) in this very log.
        scrubRequestLog(logger, request);
        try {
            const { user } = request;
            if (!user) {
                throw new AppError('not-logged-in');
            }
            const query: Readonly<Record<string, unknown>> = request.query || {};
            const ctx = createOperationContext(read, http, logger);
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
        } catch (error) {
            return failureResponse(error, logger, this.path);
        }
    }
}
