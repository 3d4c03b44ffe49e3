import { RocketChatRefusal } from './AppError';
import type { AppError } from './AppError';
import { errorSpec } from './catalogue';

export interface RestFailure {
    readonly status: number;
    /** Rocket.Chat's body for the same case (a refusal's body exactly as it came). */
    readonly content: unknown;
}

/** The REST form of a failure: Rocket.Chat's status and body for the same case. */
export function toRestFailure(failure: AppError | RocketChatRefusal): RestFailure {
    if (failure instanceof RocketChatRefusal) {
        return { status: failure.status, content: failure.body };
    }
    const spec = errorSpec(failure.code);
    const reason = spec.reason(failure.params);
    if (failure.code === 'not-logged-in') {
        return { status: spec.status, content: { success: false, error: reason, status: 'error', message: reason } };
    }
    const content: Record<string, unknown> = {
        success: false,
        error: spec.errorType ? `${reason} [${spec.errorType}]` : reason,
    };
    if (spec.errorType) {
        content.errorType = spec.errorType;
    }
    if (spec.details) {
        content.details = spec.details(failure.params);
    }
    return { status: spec.status, content };
}

/** Readable one-line text of a failure (for dry-run reasons and logs; never carries a secret). */
export function failureText(failure: AppError | RocketChatRefusal): string {
    if (failure instanceof RocketChatRefusal) {
        return failure.error;
    }
    const content = toRestFailure(failure).content as { error?: unknown };
    return String(content.error);
}
