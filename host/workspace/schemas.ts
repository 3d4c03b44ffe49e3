/**
 * The request schemas of the typed Rocket.Chat routes the workspace serves, with a validator that answers like
 * Ajv 8 does there (`allErrors: false`: the first failing keyword only; keyword order: type, then untyped keywords
 * such as `enum` / `oneOf`, then `required`, `additionalProperties`, `properties` in schema order; Ajv's English
 * messages). `coerce` mirrors the `coerceTypes: true` instance of `@rocket.chat/rest-typings` (values are coerced
 * in the returned copy, as Ajv coerces in place).
 */
import { clone } from './json';

export interface Schema {
    type?: 'object' | 'string' | 'number' | 'boolean' | 'array';
    nullable?: boolean;
    enum?: readonly unknown[];
    properties?: Readonly<Record<string, Schema>>;
    required?: readonly string[];
    additionalProperties?: boolean;
    items?: Schema;
    oneOf?: readonly Schema[];
}

export type Validation = { ok: true; value: unknown } | { ok: false; errors: string[] };

type JsonType = NonNullable<Schema['type']> | 'null';

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function matches(type: JsonType, data: unknown): boolean {
    switch (type) {
        case 'object':
            return isPlainObject(data);
        case 'array':
            return Array.isArray(data);
        case 'null':
            return data === null;
        default:
            return typeof data === type;
    }
}

/** Ajv's type coercion (`coerceTypes: true`), trying the allowed types in order. */
function coerce(types: readonly JsonType[], data: unknown): { ok: true; value: unknown } | { ok: false } {
    for (const t of types) {
        switch (t) {
            case 'string':
                if (typeof data === 'number' || typeof data === 'boolean') return { ok: true, value: `${data}` };
                if (data === null) return { ok: true, value: '' };
                break;
            case 'number':
                if (typeof data === 'boolean' || data === null) return { ok: true, value: Number(data) };
                if (typeof data === 'string' && data && Number(data) === Number(data) && String(Number(data)) !== 'NaN') {
                    return { ok: true, value: Number(data) };
                }
                break;
            case 'boolean':
                if (data === 'false' || data === 0 || data === null) return { ok: true, value: false };
                if (data === 'true' || data === 1) return { ok: true, value: true };
                break;
            case 'null':
                if (data === '' || data === 0 || data === false) return { ok: true, value: null };
                break;
            default:
                break;
        }
    }
    return { ok: false };
}

function deepEqual(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

function run(schema: Schema, get: () => unknown, set: (v: unknown) => void, errors: string[], coerceTypes: boolean): boolean {
    let data = get();
    if (schema.type) {
        const types: JsonType[] = schema.nullable ? [schema.type, 'null'] : [schema.type];
        if (!types.some((t) => matches(t, data))) {
            const coerced = coerceTypes ? coerce(types, data) : { ok: false as const };
            if (!coerced.ok) {
                errors.push(`must be ${schema.type}`);
                return false;
            }
            data = coerced.value;
            set(data);
        }
    }
    if (schema.enum && !schema.enum.some((e) => deepEqual(e, data))) {
        errors.push('must be equal to one of the allowed values');
        return false;
    }
    if (schema.oneOf) {
        let passing = 0;
        const branchErrors: string[] = [];
        for (const sub of schema.oneOf) {
            if (run(sub, get, set, branchErrors, coerceTypes)) passing++;
        }
        if (passing !== 1) {
            errors.push(...branchErrors, 'must match exactly one schema in oneOf');
            return false;
        }
    }
    if (isPlainObject(data)) {
        const obj = data;
        for (const key of schema.required ?? []) {
            if (obj[key] === undefined) {
                errors.push(`must have required property '${key}'`);
                return false;
            }
        }
        if (schema.additionalProperties === false) {
            for (const key of Object.keys(obj)) {
                if (!schema.properties || !Object.prototype.hasOwnProperty.call(schema.properties, key)) {
                    errors.push('must NOT have additional properties');
                    return false;
                }
            }
        }
        for (const [key, sub] of Object.entries(schema.properties ?? {})) {
            if (obj[key] === undefined) continue;
            const ok = run(
                sub,
                () => obj[key],
                (v) => {
                    obj[key] = v;
                },
                errors,
                coerceTypes,
            );
            if (!ok) return false;
        }
    }
    if (Array.isArray(data) && schema.items) {
        const arr = data;
        for (let i = 0; i < arr.length; i++) {
            const ok = run(
                schema.items,
                () => arr[i],
                (v) => {
                    arr[i] = v;
                },
                errors,
                coerceTypes,
            );
            if (!ok) return false;
        }
    }
    return true;
}

/** Validates (a copy of) `data`; on success `value` is the copy, coerced when `coerceTypes`. */
export function validate(schema: Schema, data: unknown, coerceTypes = false): Validation {
    const holder = { value: clone(data) };
    const errors: string[] = [];
    const ok = run(
        schema,
        () => holder.value,
        (v) => {
            holder.value = v;
        },
        errors,
        coerceTypes,
    );
    return ok ? { ok: true, value: holder.value } : { ok: false, errors };
}

const nullableString: Schema = { type: 'string', nullable: true };
const nullableBoolean: Schema = { type: 'boolean', nullable: true };

/** `isRoomsSaveRoomSettingsProps` (coercing Ajv instance). */
export const ROOMS_SAVE_ROOM_SETTINGS: Schema = {
    type: 'object',
    properties: {
        rid: { type: 'string' },
        roomAvatar: nullableString,
        featured: nullableBoolean,
        roomName: nullableString,
        roomTopic: nullableString,
        roomAnnouncement: nullableString,
        roomDescription: nullableString,
        roomType: nullableString,
        readOnly: nullableBoolean,
        reactWhenReadOnly: nullableBoolean,
        default: nullableBoolean,
        encrypted: nullableBoolean,
        favorite: {
            type: 'object',
            nullable: true,
            properties: { defaultValue: nullableBoolean, favorite: nullableBoolean },
        },
        retentionEnabled: nullableBoolean,
        retentionMaxAge: { type: 'number', nullable: true },
        retentionExcludePinned: nullableBoolean,
        retentionFilesOnly: nullableBoolean,
        retentionIgnoreThreads: nullableBoolean,
        retentionOverrideGlobal: nullableBoolean,
    },
    required: ['rid'],
    additionalProperties: false,
};

/** `isTeamsCreateProps` (plain Ajv, no coercion). */
export const TEAMS_CREATE: Schema = {
    type: 'object',
    properties: {
        name: { type: 'string' },
        type: { type: 'number', enum: [0, 1] },
        members: { type: 'array', items: { type: 'string' } },
        owner: { type: 'string' },
        room: {
            type: 'object',
            properties: {
                id: { type: 'string' },
                name: { type: 'string' },
                members: { type: 'array', items: { type: 'string' } },
                readOnly: { type: 'boolean' },
                extraData: { type: 'object', properties: { teamId: { type: 'string' }, teamMain: { type: 'boolean' } } },
                options: { type: 'object' },
            },
        },
    },
    required: ['name', 'type'],
    additionalProperties: false,
};

/** `isTeamsInfoProps`: exactly one of `teamId`, `teamName`. */
export const TEAMS_INFO: Schema = {
    type: 'object',
    properties: { teamId: { type: 'string' }, teamName: { type: 'string' } },
    oneOf: [{ required: ['teamId'] }, { required: ['teamName'] }],
    additionalProperties: false,
};

/** `isUsersCheckUsernameAvailabilityParamsGET`. */
export const USERS_CHECK_USERNAME_AVAILABILITY: Schema = {
    type: 'object',
    properties: { username: { type: 'string' } },
    required: ['username'],
    additionalProperties: false,
};

/** `permissions.listAll`'s query. */
export const PERMISSIONS_LIST_ALL: Schema = {
    type: 'object',
    properties: { updatedSince: { type: 'string', nullable: true } },
    required: [],
    additionalProperties: false,
};
