import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import { AppError } from '../errors/AppError';
import type { KnownFailure } from '../errors/AppError';
import { errorSpec } from '../errors/catalogue';
import type { ErrorCode } from '../errors/catalogue';
import { logFailure } from '../errors/log';
import type { MessageKey } from '../i18n/catalog.generated';
import type { Translator } from '../i18n/translate';

/** Rocket.Chat's own refusals of a team conversion that have a friendlier reply. */
const REFUSAL_KEYS: Readonly<Record<string, MessageKey>> = {
    'team-name-already-exists': 'error_team_name_taken',
    'room-name-already-exists': 'error_room_name_taken',
    'error-blocked-username': 'error_name_blocked',
};

/** Refusals for want of a permission: the reply also says who can make the change instead. */
const PERMISSION_REFUSALS: ReadonlyArray<ErrorCode> = [
    'edit-room-not-allowed',
    'e2e-toggle-not-allowed',
    'to-public-not-allowed',
    'team-room-to-public-not-allowed',
    'to-private-not-allowed',
    'team-room-to-private-not-allowed',
    'team-not-allowed',
    'convert-team-not-allowed',
];

/** Failures after which the reply also points to the usage (the room could not be named or found). */
const SHOW_USAGE: ReadonlyArray<ErrorCode> = ['room-not-found', 'room-param-not-provided', 'room-param-empty'];

/** The chat reply for a failure, in the invoker's language. */
export function describeFailure(failure: KnownFailure, t: Translator): string {
    if (failure instanceof AppError) {
        return t(errorSpec(failure.code).i18nKey, failure.params);
    }
    const key = REFUSAL_KEYS[failure.code];
    return key ? t(key) : t('error_rocketchat_refused', { error: failure.error });
}

export function failureNeedsUsage(failure: KnownFailure): boolean {
    return failure instanceof AppError && SHOW_USAGE.indexOf(failure.code) >= 0;
}

/** App-specific 5xx failures: the workspace or the app's configuration is at fault, worth a log line. */
export function isServiceFailure(failure: KnownFailure): boolean {
    return failure instanceof AppError && errorSpec(failure.code).status >= 500;
}

/**
 * The answer to a failure, in the invoker's language (`Dry run: this would fail. …` for a dry run). A failure on the
 * service side also leaves a warning in the log, without the token.
 */
export function explainFailure(failure: KnownFailure, t: Translator, logger: ILogger, what: string, dryRun = false): string {
    if (isServiceFailure(failure)) {
        logFailure(logger, 'warn', `${what} failed on the service side`, failure);
    }
    const refusal = describeFailure(failure, t);
    const text = failure instanceof AppError && PERMISSION_REFUSALS.indexOf(failure.code) >= 0 ? `${refusal} ${t('hint_not_allowed')}` : refusal;
    return dryRun ? t('dryrun_failed', { reason: text }) : text;
}
