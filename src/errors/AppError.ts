import type { ErrorCode, ErrorParams } from './catalogue';

/** An error of the catalogue, with the params its texts need (room name, type…). */
export class AppError extends Error {
    public readonly code: ErrorCode;

    public readonly params: ErrorParams;

    constructor(code: ErrorCode, params: ErrorParams = {}) {
        super(code);
        this.name = 'AppError';
        this.code = code;
        this.params = params;
    }
}

/**
 * Rocket.Chat answered a write with a 4xx (other than 401): its status and body are passed on unchanged.
 * `error` is the readable part of the body, for the chat reply.
 */
export class RocketChatRefusal extends Error {
    public readonly status: number;

    public readonly body: unknown;

    constructor(status: number, body: unknown) {
        super('rocketchat-refused');
        this.name = 'RocketChatRefusal';
        this.status = status;
        this.body = body;
    }

    /** The refusal's `error` text (or `errorType`), as Rocket.Chat sent it. */
    public get error(): string {
        const body = this.body;
        if (body && typeof body === 'object') {
            const { error, errorType } = body as { error?: unknown; errorType?: unknown };
            if (typeof error === 'string' && error) {
                return error;
            }
            if (typeof errorType === 'string' && errorType) {
                return errorType;
            }
        }
        return typeof body === 'string' && body ? body : String(this.status);
    }

    /** Rocket.Chat's error code: `errorType`, else a plain `error` (e.g. `team-name-already-exists`). */
    public get code(): string {
        const body = this.body;
        if (body && typeof body === 'object') {
            const { errorType } = body as { errorType?: unknown };
            if (typeof errorType === 'string' && errorType) {
                return errorType;
            }
        }
        return this.error;
    }
}

export type KnownFailure = AppError | RocketChatRefusal;

export function isKnownFailure(error: unknown): error is KnownFailure {
    return error instanceof AppError || error instanceof RocketChatRefusal;
}
