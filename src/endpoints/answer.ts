import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError, isKnownFailure } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { toRestFailure } from '../errors/rest';
import { scrubRequestLog } from '../workspace/forward';
import { InvalidParam } from './pagination';

/** A JSON answer. */
export function respondJson(status: number, content: unknown): IApiResponse {
    return { status, headers: { 'Content-Type': 'application/json' }, content };
}


/**
 * A GET endpoint's failure in Rocket.Chat's shape: a bad paging parameter is a 400 `error-invalid-params`; a known
 * failure its own status and body; anything else a logged 500.
 */
export function failureResponse(error: unknown, logger: ILogger, path: string): IApiResponse {
    if (error instanceof InvalidParam) {
        return respondJson(400, { success: false, errorType: 'error-invalid-params', error: error.message });
    }
    const failure = isKnownFailure(error) ? error : new AppError('internal');
    if (failure !== error) {
        logFailure(logger, 'error', `${path} failed`, error);
    }
    const { status, content } = toRestFailure(failure);
    return respondJson(status, content);
}

/**
 * The caller of an app endpoint, as Rocket.Chat authenticated them (`not-logged-in` without one), after the runtime's
 * log entry of the request (headers and query, the caller's token included) was scrubbed of their credentials.
 */
export function callerOf(request: IApiRequest, logger: ILogger): IUser {
    scrubRequestLog(logger, request);
    const { user } = request;
    if (!user) {
        throw new AppError('not-logged-in');
    }
    return user;
}
