import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import { redactSecrets } from '../workspace/appSettings';
import { isKnownFailure } from './AppError';
import { failureText } from './rest';

/** A one-line description of anything thrown, with the service account's token redacted. */
export function describeForLog(error: unknown): string {
    let text: string;
    if (isKnownFailure(error)) {
        text = `${error.message}: ${failureText(error)}`;
    } else if (error instanceof Error) {
        text = `${error.name}: ${error.message}`;
    } else {
        try {
            text = JSON.stringify(error);
        } catch {
            text = String(error);
        }
    }
    return redactSecrets(text);
}

/** Logs `what` and the error; never headers, bodies or the token. */
export function logFailure(logger: ILogger, level: 'warn' | 'error', what: string, error: unknown): void {
    logger[level](`${what}: ${describeForLog(error)}`);
}
