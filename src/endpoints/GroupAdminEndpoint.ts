import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError, isKnownFailure } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { toRestFailure } from '../errors/rest';
import { createOperationContext } from '../operations/context';
import type { OperationContext } from '../operations/context';
import type { OperationInput, Outcome } from '../operations/types';

export type RequestBody = Readonly<Record<string, unknown>>;

function respond(status: number, content: unknown): IApiResponse {
    return { status, headers: { 'Content-Type': 'application/json' }, content };
}

function isJsonObject(content: unknown): content is RequestBody {
    return !!content && typeof content === 'object' && !Array.isArray(content);
}

/**
 * The door of every endpoint: `POST` with a JSON-object body, the caller is `request.user` (never a user id
 * from the body); the operation's outcome becomes `{ …, success: true }`, a dry run's `{ success, dryRun, plan }`,
 * a failure its REST form (status and body).
 */
export abstract class GroupAdminEndpoint<T> extends ApiEndpoint {
    public authRequired = true;

    /** Runs the operation for `user` with the body. */
    protected abstract run(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<T>>;

    /** The success body's own fields (`group` or `team`). */
    protected abstract present(result: T): Promise<Record<string, unknown>>;

    public async post(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, _modify: IModify, http: IHttp, _persis: IPersistence): Promise<IApiResponse> {
        try {
            const user: IUser | undefined = request.user;
            if (!user) {
                throw new AppError('not-logged-in');
            }
            const body = request.content as unknown;
            if (!isJsonObject(body)) {
                throw new AppError('invalid-body');
            }
            const input: OperationInput = { user, room: { kind: 'params', params: body }, dryRun: body.dryRun === true };
            const outcome = await this.run(body, input, createOperationContext(read, http, this.app.getLogger()));
            const content = outcome.dryRun
                ? { success: true, dryRun: true, plan: outcome.plan }
                : { ...(await this.present(outcome.result)), success: true };
            return respond(200, content);
        } catch (error) {
            return this.fail(error);
        }
    }

    private fail(error: unknown): IApiResponse {
        const logger = this.app.getLogger();
        const failure = isKnownFailure(error) ? error : new AppError('internal');
        const { status, content } = toRestFailure(failure);
        if (failure !== error) {
            logFailure(logger, 'error', `${this.path} failed`, error);
        } else if (status >= 500) {
            logFailure(logger, 'warn', `${this.path} answered ${status}`, error);
        }
        return respond(status, content);
    }
}
