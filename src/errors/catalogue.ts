import type { MessageKey } from '../i18n/catalog.generated';

/** `details` objects Rocket.Chat attaches to its `saveRoomSettings` errors. */
const D_EDIT = { method: 'saveRoomSettings', action: 'Editing_room' };
const D_TYPE = { method: 'saveRoomSettings', action: 'Change_Room_Type' };
const D_E2E = { method: 'saveRoomSettings', action: 'Change_Room_Encrypted' };

export type ErrorParams = Readonly<Record<string, string>>;

/**
 * One error of the catalogue.
 * - `status`, `errorType`, `details`: the REST form (Rocket.Chat's own for the same endpoint, or the app's).
 * - `reason`: the readable text. With an `errorType` the REST `error` is `"<reason> [<errorType>]"`
 *   (Rocket.Chat's `Meteor.Error` convention), otherwise the reason alone (a plain route failure).
 * - `i18nKey`: the chat reply; its `{{params}}` come from the error's params.
 */
export interface ErrorSpec {
    readonly status: number;
    readonly reason: (params: ErrorParams) => string;
    readonly errorType?: string;
    readonly details?: (params: ErrorParams) => Record<string, unknown>;
    readonly i18nKey: MessageKey;
}

type Reason = string | ((params: ErrorParams) => string);

const reasonOf = (reason: Reason) => (typeof reason === 'string' ? (): string => reason : reason);

/** A plain route failure: `{ success: false, error: "<reason>" }`. */
const plain = (reason: string, i18nKey: MessageKey, status = 400): ErrorSpec => ({ status, reason: reasonOf(reason), i18nKey });

/** A coded error: `{ success: false, error: "<reason> [<errorType>]", errorType, details? }`. */
const coded = (errorType: string, reason: Reason, i18nKey: MessageKey, status = 400, details?: ErrorSpec['details']): ErrorSpec => ({
    status,
    errorType,
    reason: reasonOf(reason),
    i18nKey,
    ...(details ? { details } : {}),
});

const notAllowed = (reason: string, details: Record<string, unknown>, i18nKey: MessageKey): ErrorSpec =>
    coded('error-action-not-allowed', reason, i18nKey, 400, () => details);

/** Every error the app can answer with, keyed by the app's error code. */
export const ERROR_CATALOGUE = {
    // --- body checks of the endpoints (Rocket.Chat: plain failures) ---
    'body-encrypted-required': plain('The bodyParam "encrypted" is required', 'error_body_encrypted_required'),
    'body-type-required': plain('The bodyParam "type" is required', 'error_body_type_required'),

    // --- room resolution (semantics §3) ---
    'room-param-not-provided': coded('error-room-param-not-provided', 'The parameter "roomId" or "roomName" is required', 'error_room_param_not_provided'),
    'room-param-empty': plain('The parameter "roomId" or "roomName" is required', 'error_room_param_not_provided'),
    'room-not-found': coded('error-room-not-found', 'The required "roomId" or "roomName" param provided does not match any group', 'error_room_not_found'),
    'group-archived': coded('error-room-archived', (p) => `The private group, ${p.room}, is archived`, 'error_group_archived'),
    'channel-archived': coded('error-room-archived', (p) => `The channel, ${p.room}, is archived`, 'error_channel_archived'),

    // --- permissions and rules (semantics §4–§6) ---
    'edit-room-not-allowed': notAllowed('Editing room is not allowed', D_EDIT, 'error_edit_room_not_allowed'),
    'e2e-disabled': notAllowed('Only groups or direct channels can enable encryption', D_E2E, 'error_e2e_disabled'),
    'e2e-toggle-not-allowed': notAllowed('You do not have permission to toggle E2E encryption', D_E2E, 'error_e2e_toggle_not_allowed'),
    'same-type': plain('The private group type is the same as what it would be changed to.', 'error_same_type'),
    'to-public-not-allowed': notAllowed('Changing a private group to a public channel is not allowed', D_TYPE, 'error_to_public_not_allowed'),
    'abac-room-to-public': notAllowed('Changing an ABAC managed private room to public is not allowed', D_TYPE, 'error_abac_room_to_public'),
    'team-room-to-public-not-allowed': notAllowed(
        "Changing a team's private group to a public channel is not allowed",
        D_TYPE,
        'error_team_room_to_public_not_allowed',
    ),
    'abac-team-room-to-public': notAllowed(
        'Changing an ABAC managed private team room to public is not allowed',
        D_TYPE,
        'error_abac_team_room_to_public',
    ),
    'invalid-room-type': coded('error-invalid-room-type', 'error-invalid-room-type', 'error_invalid_room_type', 400, (p) => ({
        function: 'RocketChat.saveRoomType',
        type: p.type,
    })),
    'to-private-not-allowed': notAllowed('Changing a public channel to a private room is not allowed', D_TYPE, 'error_to_private_not_allowed'),
    'team-room-to-private-not-allowed': notAllowed(
        "Changing a team's public channel to a private room is not allowed",
        D_TYPE,
        'error_team_room_to_private_not_allowed',
    ),
    'team-not-allowed': plain('unauthorized', 'error_team_not_allowed', 403),
    'already-team-main': plain('team-name-already-exists', 'error_already_team_main'),
    'room-already-in-team': coded('error-room-already-in-team', 'The private group is already part of a team', 'error_room_already_in_team'),
    'not-logged-in': plain('You must be logged in to do this.', 'error_not_logged_in', 401),

    // --- history (interface.md §7; owner H4) ---
    'history-not-allowed': coded('error-action-not-allowed', 'Reading the change history of this room is not allowed', 'error_history_not_allowed'),

    // --- the app's own (interface.md §3) ---
    'app-not-configured': coded(
        'error-app-not-configured',
        'The app is not configured: set the service account user id and token',
        'error_app_not_configured',
        503,
    ),
    'service-account-rejected': coded(
        'error-service-account-rejected',
        "Rocket.Chat rejected the service account's credentials",
        'error_service_account_rejected',
        503,
    ),
    'workspace-request-failed': coded('error-workspace-request-failed', 'The request to the Rocket.Chat workspace failed', 'error_workspace_request_failed', 502),
    'invalid-body': coded('error-invalid-body', 'The request body must be a JSON object', 'error_invalid_body'),
    // --- the HTTP door (interface.md §3; owner H3b) ---
    'invalid-dry-run': coded('error-invalid-param', 'The parameter "dryRun" must be a boolean: true or false', 'error_invalid_dry_run'),
    'room-param-invalid': coded('error-invalid-params', (p) => `The parameter "${p.param}" must be a string`, 'error_room_param_invalid'),
    // --- chat doors and dry runs decide live and fail closed (interface.md §5; owner H3a) ---
    'permissions-unavailable': coded(
        'error-permissions-unavailable',
        "The workspace's permission table cannot be read, so nothing can be decided",
        'error_permissions_unavailable',
        503,
    ),
    'too-many-requests': coded(
        'error-too-many-requests',
        (p) => `Error, too many requests. Please slow down. You must wait ${p.seconds} seconds before trying this endpoint again.`,
        'error_too_many_requests',
        429,
        (p) => ({ timeToReset: Number(p.timeToReset), seconds: Number(p.seconds) }),
    ),
    'abac-room-access': coded(
        'error-action-not-allowed',
        (p) => `${p.room} is managed by attribute-based access control: Rocket.Chat decides access from attributes Group Admin cannot read`,
        'error_abac_room_access',
    ),
    'federated-room': coded(
        'error-action-not-allowed',
        'Federated rooms are changed in Rocket.Chat itself, not through Group Admin',
        'error_federated_room',
    ),
    'ambiguous-room': coded(
        'error-room-ambiguous',
        (p) => `"${p.room}" is one room's id and another room's name`,
        'error_ambiguous_room',
    ),
    'ambiguous-room-unnamed': coded(
        'error-room-ambiguous',
        (p) => `"${p.room}" is one room's id and another room's name`,
        'error_ambiguous_room_unnamed',
    ),
    // --- bulk jobs (interface.md §8) ---
    'bulk-job-running': coded('error-bulk-job-running', (p) => `A bulk job is already queued or running: ${p.jobId}`, 'error_bulk_job_running', 409),
    'bulk-job-not-found': coded('error-bulk-job-not-found', (p) => `No bulk job ${p.jobId}`, 'error_bulk_job_not_found', 404),
    'bulk-starter-deactivated': coded(
        'error-bulk-starter-deactivated',
        'The person who started the job was deactivated: the job stopped before this room',
        'error_bulk_starter_deactivated',
        403,
    ),
    'bulk-invalid-param': coded('error-invalid-params', (p) => `The parameter "${p.param}" ${p.rule}`, 'error_bulk_invalid_param'),
    // --- the audit trail (interface.md §9): Rocket.Chat's answer to a missing `permissionsRequired` ---
    'audit-not-allowed': plain('User does not have the permissions required for this action [error-unauthorized]', 'error_audit_not_allowed', 403),
    // --- governance (interface.md §8) ---
    'service-account-cannot-list': coded(
        'error-service-account-cannot-list',
        'The service account cannot list the private groups: it needs the permissions view-room-administration and view-other-user-channels',
        'error_service_account_cannot_list',
        503,
    ),
    // --- undo (interface.md §8) ---
    'not-a-team': coded('error-room-not-a-team', (p) => `${p.room} is not a team's main room`, 'error_not_a_team'),
    'convert-team-not-allowed': plain('unauthorized', 'error_convert_team_not_allowed', 403),
    'nothing-to-undo': coded('error-nothing-to-undo', (p) => `No change of ${p.room} by ${p.operation} is on record`, 'error_nothing_to_undo'),
    'changed-since': coded(
        'error-room-changed-since',
        (p) => `${p.room} changed since that change: ${p.operation} by @${p.user} at ${p.when} (${p.how})`,
        'error_changed_since',
    ),
    'changed-outside-record': coded(
        'error-room-changed-since',
        (p) => `${p.room} is no longer as that change left it, and what changed it is not on record`,
        'error_changed_outside_record',
    ),
    'internal': plain('Internal server error', 'error_unexpected', 500),
} satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function errorSpec(code: ErrorCode): ErrorSpec {
    return ERROR_CATALOGUE[code];
}
