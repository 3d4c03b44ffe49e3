import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { createOperationContext } from '../operations/context';
import type { OperationContext } from '../operations/context';
import { callerOf, failureResponse } from './answer';

/** What a read may need besides reading: the history's own upkeep (old records moved, a gap noted, an alert). */
export interface ReadAccessors {
    readonly http: IHttp;
    readonly modify: IModify;
    readonly persis: IPersistence;
}

/**
 * An authenticated `GET` app endpoint that reads (history, reports): the runtime's log entry of the request scrubbed of
 * the caller's credentials, the caller required, one operation context; a bad query parameter is a 400
 * `error-invalid-params`, the app's known failures their REST form, anything else a logged 500.
 */
export abstract class ReadEndpoint extends ApiEndpoint {
    public authRequired = true;

    protected abstract answer(user: IUser, query: Readonly<Record<string, unknown>>, read: IRead, ctx: OperationContext, accessors: ReadAccessors): Promise<IApiResponse>;

    public async get(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        const logger = this.app.getLogger();
        try {
            const user = callerOf(request, logger);
            return await this.answer(user, request.query || {}, read, createOperationContext(read, http, logger), { http, modify, persis });
        } catch (error) {
            return failureResponse(error, logger, this.path);
        }
    }
}
