import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { AppError } from '../errors/AppError';
import { InvalidParam, failureResponse, respondJson } from './answer';
import { resolveHistoryRoom } from '../history/access';
import { HISTORY_LIMIT_MAX, readHistory } from '../history/store';
import { createOperationContext } from '../operations/context';
import { scrubRequestLog } from '../workspace/forward';



/** Rocket.Chat's pagination defaults (`API_Default_Count` 50, `API_Upper_Count_Limit` 100, infinite count allowed). */
interface PaginationSettings {
    readonly defaultCount: number;
    readonly upperLimit: number;
    readonly allowInfinite: boolean;
}

async function numberSetting(read: IRead, id: string, fallback: number): Promise<number> {
    try {
        const value: unknown = await read.getEnvironmentReader().getServerSettings().getValueById(id);
        return typeof value === 'number' && value > 0 ? value : fallback;
    } catch {
        return fallback;
    }
}

export async function paginationSettings(read: IRead): Promise<PaginationSettings> {
    let allowInfinite = true;
    try {
        allowInfinite = (await read.getEnvironmentReader().getServerSettings().getValueById('API_Allow_Infinite_Count')) !== false;
    } catch {
        allowInfinite = true;
    }
    return { defaultCount: await numberSetting(read, 'API_Default_Count', 50), upperLimit: await numberSetting(read, 'API_Upper_Count_Limit', 100), allowInfinite };
}

/**
 * A `count` or `offset` query value: absent or empty → undefined; otherwise a number as Rocket.Chat's query schemas
 * accept it (`"20"`, `"20.0"`), made an integer as its `getPaginationItems` does (`parseInt`). Anything else (`abc`,
 * `-1`, a repeated parameter) is a 400 and reads nothing.
 */
function paginationValue(query: Readonly<Record<string, unknown>>, param: string): number | undefined {
    const raw = query[param];
    if (raw === undefined || raw === null || raw === '') {
        return undefined;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') {
        throw new InvalidParam(param);
    }
    const text = String(raw).trim();
    if (!/^\+?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
        throw new InvalidParam(param);
    }
    return parseInt(text, 10) || 0;
}

/**
 * Rocket.Chat's `getPaginationItems` (apps/meteor/app/api/server/helpers/getPaginationItems.ts): `offset` defaults to
 * 0; `count` defaults to `API_Default_Count`, is capped at `API_Upper_Count_Limit`, and 0 means all (`all` of
 * them) unless `API_Allow_Infinite_Count` is off. A room keeps at most {@link HISTORY_LIMIT_MAX} records anyway.
 */
export function pagination(query: Readonly<Record<string, unknown>>, settings: PaginationSettings, all: number = HISTORY_LIMIT_MAX): { offset: number; count: number } {
    const offset = paginationValue(query, 'offset') || 0;
    let count = paginationValue(query, 'count');
    if (count === undefined) {
        count = settings.defaultCount;
    }
    if (count > settings.upperLimit) {
        count = settings.upperLimit;
    }
    if (count === 0) {
        count = settings.allowInfinite ? all : settings.defaultCount;
    }
    return { offset, count };
}

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
            const { offset, count } = pagination(query, await paginationSettings(read));
            const ctx = createOperationContext(read, http, logger);
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
