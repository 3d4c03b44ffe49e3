/**
 * Rocket.Chat's answers, verbatim from rocketchat-semantics.md, shared by every test layer (unit, workspace, engine):
 * one place for the strings the app and the in-memory workspace must both reproduce.
 */
/** The REST v1 answer without a valid user (`/api/v1/*`; app endpoints answer plain-text `Unauthorized` instead). */
export const NOT_LOGGED_IN = {
    success: false,
    error: 'You must be logged in to do this.',
    status: 'error',
    message: 'You must be logged in to do this.',
};

export const D_EDIT = { method: 'saveRoomSettings', action: 'Editing_room' };
export const D_TYPE = { method: 'saveRoomSettings', action: 'Change_Room_Type' };
export const D_E2E = { method: 'saveRoomSettings', action: 'Change_Room_Encrypted' };

export const GROUP_NOT_FOUND = {
    success: false,
    error: 'The required "roomId" or "roomName" param provided does not match any group [error-room-not-found]',
    errorType: 'error-room-not-found',
};

export const PARAM_NOT_PROVIDED = {
    success: false,
    error: 'The parameter "roomId" or "roomName" is required [error-room-param-not-provided]',
    errorType: 'error-room-param-not-provided',
};

/** `error-action-not-allowed` with its reason and details. */
export function actionNotAllowed(reason: string, details: Record<string, string>): Record<string, unknown> {
    return { success: false, error: `${reason} [error-action-not-allowed]`, errorType: 'error-action-not-allowed', details };
}

export const CHANNEL_NOT_FOUND = {
    success: false,
    error: 'The required "roomId" or "roomName" param provided does not match any channel [error-room-not-found]',
    errorType: 'error-room-not-found',
};

/** The 429 body of Rocket.Chat's REST rate limiter (`ApiClass.enforceRateLimit` → `API.v1.tooManyRequests`). */
export function tooManyRequests(seconds: number): Record<string, unknown> {
    return {
        success: false,
        error: `Error, too many requests. Please slow down. You must wait ${seconds} seconds before trying this endpoint again. [error-too-many-requests]`,
    };
}
