/**
 * Rocket.Chat's request validation for the typed routes the workspace serves: `ajv` itself (pinned, the version line
 * Rocket.Chat uses) configured as upstream `packages/rest-typings/src/v1/Ajv.ts` does (`ajv/dist/2020`; `ajv` with
 * `coerceTypes: true`, `ajvQuery` with `coerceTypes: 'array'`, `allowUnionTypes`, `discriminator`, the `isNotEmpty`
 * keyword), and Rocket.Chat's own schemas, copied from the upstream files named on each. Validation coerces in place,
 * as upstream (`validatorFn(this.bodyParams)`), so callers validate a copy and use it.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';

import { clone } from './json.cjs';

function rocketChatAjv(coerceTypes: true | 'array'): Ajv2020 {
    const instance = new Ajv2020({ coerceTypes, allowUnionTypes: true, discriminator: true });
    instance.addKeyword({
        keyword: 'isNotEmpty',
        type: 'string',
        validate: (_schema: unknown, data: unknown): boolean => typeof data === 'string' && !!data.trim(),
    });
    return instance;
}

/** `ajv` of rest-typings (bodies, and the queries of routes compiled with it). */
const ajv = rocketChatAjv(true);
/** `ajvQuery` of rest-typings (query strings). */
const ajvQuery = rocketChatAjv('array');

/** upstream `packages/rest-typings/src/v1/rooms.ts` (`RoomsSaveRoomSettingsSchema`, with the retention fields). */
const roomsSaveRoomSettingsSchema = {
    type: 'object',
    properties: {
        rid: { type: 'string' },
        roomAvatar: { type: 'string', nullable: true },
        featured: { type: 'boolean', nullable: true },
        roomName: { type: 'string', nullable: true },
        roomTopic: { type: 'string', nullable: true },
        roomAnnouncement: { type: 'string', nullable: true },
        roomDescription: { type: 'string', nullable: true },
        roomType: { type: 'string', nullable: true },
        readOnly: { type: 'boolean', nullable: true },
        reactWhenReadOnly: { type: 'boolean', nullable: true },
        default: { type: 'boolean', nullable: true },
        encrypted: { type: 'boolean', nullable: true },
        favorite: {
            type: 'object',
            properties: {
                defaultValue: { type: 'boolean', nullable: true },
                favorite: { type: 'boolean', nullable: true },
            },
            nullable: true,
        },
        retentionEnabled: { type: 'boolean', nullable: true },
        retentionMaxAge: { type: 'number', nullable: true },
        retentionExcludePinned: { type: 'boolean', nullable: true },
        retentionFilesOnly: { type: 'boolean', nullable: true },
        retentionIgnoreThreads: { type: 'boolean', nullable: true },
        retentionOverrideGlobal: { type: 'boolean', nullable: true },
    },
    required: ['rid'],
    additionalProperties: false,
};

/**
 * upstream `packages/rest-typings/src/v1/teams/TeamsCreateProps.ts`, the 8.x form (`room` any object), with the
 * `sidepanel` body field the route reads (`const { …, sidepanel } = this.bodyParams`, checked by `isValidSidepanel`
 * of core-typings `IRoom.ts`) and upstream's own e2e sends (`apps/meteor/tests/end-to-end/api/teams.ts` @ 93fd23f6:
 * accepted and stored on the main room). The TeamsCreateProps versions in the index do not list it, though
 * `additionalProperties: false`; the workspace follows the e2e. The newest form's `abacAttributes` (ABAC team
 * creation) is not modelled.
 */
const teamsCreatePropsSchema = {
    type: 'object',
    properties: {
        name: { type: 'string' },
        type: { type: 'number', enum: [0, 1] },
        members: { type: 'array', items: { type: 'string' } },
        room: { type: 'object' },
        owner: { type: 'string' },
        sidepanel: { type: 'object' },
    },
    required: ['name', 'type'],
    additionalProperties: false,
};

/** upstream `packages/rest-typings/src/v1/teams/TeamsConvertToChannelProps.ts`. */
const teamsConvertToChannelPropsSchema = {
    oneOf: [
        {
            type: 'object',
            properties: { teamId: { type: 'string' }, roomsToRemove: { type: 'array', items: { type: 'string' } } },
            required: ['teamId'],
            additionalProperties: false,
        },
        {
            type: 'object',
            properties: { teamName: { type: 'string' }, roomsToRemove: { type: 'array', items: { type: 'string' } } },
            required: ['teamName'],
            additionalProperties: false,
        },
    ],
};

/** upstream `packages/rest-typings/src/v1/teams/TeamsInfoProps.ts`. */
const teamsInfoPropsSchema = {
    type: 'object',
    properties: {
        teamId: { type: 'string' },
        teamName: { type: 'string' },
    },
    oneOf: [{ required: ['teamId'] }, { required: ['teamName'] }],
    additionalProperties: false,
};

/** upstream `packages/rest-typings/src/v1/users/UsersCheckUsernameAvailabilityParamsGET.ts`. */
const usersCheckUsernameAvailabilityParamsGETSchema = {
    type: 'object',
    properties: {
        username: { type: 'string' },
    },
    required: ['username'],
    additionalProperties: false,
};

/** upstream `apps/meteor/server/api/v1/permissions.ts` (`permissionListAllSchema`, compiled with `ajvQuery`). */
const permissionListAllSchema = {
    type: 'object',
    properties: {
        updatedSince: { type: 'string', nullable: true },
    },
    required: [],
    additionalProperties: false,
};

export const isRoomsSaveRoomSettingsProps = ajv.compile(roomsSaveRoomSettingsSchema);
export const isTeamsConvertToChannelProps = ajv.compile(teamsConvertToChannelPropsSchema);
export const isTeamsCreateProps = ajv.compile(teamsCreatePropsSchema);
export const isTeamsInfoProps = ajv.compile(teamsInfoPropsSchema);
export const isUsersCheckUsernameAvailabilityParamsGET = ajv.compile(usersCheckUsernameAvailabilityParamsGETSchema);
export const isPermissionsListAll = ajvQuery.compile(permissionListAllSchema);

export type Validation = { ok: true; value: unknown } | { ok: false; errors: string[] };

/**
 * Runs an upstream validator on a copy of `data` (coerced in place, as upstream coerces `bodyParams`). On failure,
 * `errors` are the Ajv error messages the router joins with `'\n '` (`validatorFn.errors?.map((e) => e.message)`).
 */
export function validate(validator: ValidateFunction, data: unknown): Validation {
    const value = clone(data);
    if (validator(value)) return { ok: true, value };
    return { ok: false, errors: (validator.errors ?? []).map((e) => String(e.message)) };
}
