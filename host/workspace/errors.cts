/**
 * How Rocket.Chat's REST layer turns failures into answers (semantics §1). Route code throws a `RestError`; the
 * router catches it and answers `status` / `body`.
 */

export type JsonObject = Record<string, unknown>;

export class RestError extends Error {
    constructor(
        readonly status: number,
        readonly body: JsonObject,
    ) {
        super(typeof body.error === 'string' ? body.error : `HTTP ${status}`);
        this.name = 'RestError';
    }
}

/**
 * `throw new Meteor.Error(code, reason, details)` inside a route: 400 with `error: "<reason> [<code>]"`,
 * `errorType: code` and `details` when given (Meteor's own message format).
 */
export function meteorError(code: string, reason?: string, details?: JsonObject): RestError {
    const message = reason ? `${reason} [${code}]` : `[${code}]`;
    return new RestError(400, { success: false, error: message, errorType: code, ...(details ? { details } : {}) });
}

/** `API.v1.failure("<text>")` or a plain `throw new Error("<text>")`: 400 without `errorType`. */
export function failure(text: string): RestError {
    return new RestError(400, { success: false, error: text });
}

/** `API.v1.forbidden()`: 403 `unauthorized` (the text becomes `forbidden` only from Rocket.Chat 9.0). */
export function forbidden(): RestError {
    return new RestError(403, { success: false, error: 'unauthorized' });
}

/** A typed route's `permissionsRequired` not met. */
export function permissionsRequiredMissing(): RestError {
    return new RestError(403, {
        success: false,
        error: 'User does not have the permissions required for this action [error-unauthorized]',
    });
}

/** A typed route's body failing its schema. */
export function invalidBody(messages: string[]): RestError {
    return new RestError(400, { success: false, errorType: 'invalid-params', error: messages.join('\n ') });
}

/** A typed route's query failing its schema. */
export function invalidQuery(messages: string[]): RestError {
    return new RestError(400, { success: false, errorType: 'error-invalid-params', error: messages.join('\n ') });
}

export const NOT_LOGGED_IN = 'You must be logged in to do this.';

/** Not logged in / bad token. */
export function notLoggedIn(): RestError {
    return new RestError(401, { success: false, error: NOT_LOGGED_IN, status: 'error', message: NOT_LOGGED_IN });
}

/** What this in-memory workspace does not implement (a test double must not silently ignore input). */
export function notImplemented(what: string): RestError {
    return new RestError(501, {
        success: false,
        error: `${what} is not implemented by the in-memory workspace [error-not-implemented]`,
        errorType: 'error-not-implemented',
    });
}

/** The three `details` objects of saveRoomSettings' action errors. */
export const D_EDIT = { method: 'saveRoomSettings', action: 'Editing_room' } as const;
export const D_TYPE = { method: 'saveRoomSettings', action: 'Change_Room_Type' } as const;
export const D_E2E = { method: 'saveRoomSettings', action: 'Change_Room_Encrypted' } as const;

/**
 * What Rocket.Chat's apps router answers for a path no app endpoint serves (upstream
 * `apps/meteor/app/apps/server/bridges/api.ts` @ 363944a1: express's `res.sendStatus(404)`), plain text.
 */
export const APPS_NOT_FOUND_TEXT = 'Not Found';
