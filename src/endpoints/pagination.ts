import type { ServerSettings } from '../workspace/serverSettings';

/** A query parameter the app cannot take: a 400 `error-invalid-params` that reads and changes nothing. */
export class InvalidParam extends Error {
    constructor(
        readonly param: string,
        message = `The parameter "${param}" must be a non-negative integer`,
    ) {
        super(message);
    }
}

/** Rocket.Chat's paging settings (`API_Default_Count` 50, `API_Upper_Count_Limit` 100, `API_Allow_Infinite_Count` on). */
export interface PaginationSettings {
    readonly defaultCount: number;
    readonly upperLimit: number;
    readonly allowInfinite: boolean;
}

async function positive(settings: ServerSettings, id: 'API_Default_Count' | 'API_Upper_Count_Limit', fallback: number): Promise<number> {
    const value = await settings.get(id);
    return typeof value === 'number' && value > 0 ? Math.floor(value) : fallback;
}

/** The workspace's paging settings, as `getPaginationItems` reads them (a setting ≤ 0 or unreadable: the default). */
export async function paginationSettings(settings: ServerSettings): Promise<PaginationSettings> {
    return {
        defaultCount: await positive(settings, 'API_Default_Count', 50),
        upperLimit: await positive(settings, 'API_Upper_Count_Limit', 100),
        allowInfinite: (await settings.get('API_Allow_Infinite_Count')) !== false,
    };
}

/**
 * A `count` or `offset` query value: absent or empty → undefined; otherwise a number as Rocket.Chat's query schemas
 * accept it (`"20"`, `"20.0"`), made an integer as its `getPaginationItems` does (`parseInt`). Anything else (`abc`,
 * `-1`, a repeated parameter) is an {@link InvalidParam}.
 */
export function paginationValue(query: Readonly<Record<string, unknown>>, param: string): number | undefined {
    const raw = query[param];
    if (raw === undefined || raw === null || raw === '') {
        return undefined;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') {
        throw new InvalidParam(param);
    }
    const text = String(raw).trim();
    if (!/^\+?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
        throw new InvalidParam(param);
    }
    return parseInt(text, 10) || 0;
}

/**
 * Rocket.Chat's `getPaginationItems` (apps/meteor/app/api/server/helpers/getPaginationItems.ts): `offset` defaults to
 * 0; `count` defaults to `API_Default_Count`, is capped at `API_Upper_Count_Limit`, and 0 means `all` (the most there
 * can be) unless `API_Allow_Infinite_Count` is off.
 */
export function clampedPagination(query: Readonly<Record<string, unknown>>, settings: PaginationSettings, all: number): { offset: number; count: number } {
    const offset = paginationValue(query, 'offset') || 0;
    let count = paginationValue(query, 'count');
    if (count === undefined) {
        count = settings.defaultCount;
    }
    if (count > settings.upperLimit) {
        count = settings.upperLimit;
    }
    if (count === 0) {
        count = settings.allowInfinite ? all : settings.defaultCount;
    }
    return { offset, count };
}

/**
 * Paging where a whole listing must never be read into one answer (interface.md §8): `offset` ≥ 0 (default 0), `count`
 * from 1 to `max` (default `API_Default_Count`, at most `max`); anything else — `count=0` ("all"), a count above
 * `max` — is an {@link InvalidParam} instead of Rocket.Chat's silent clamp, so a caller never takes a cut page for the
 * whole.
 */
export function strictPagination(query: Readonly<Record<string, unknown>>, settings: PaginationSettings, max: number): { offset: number; count: number } {
    const offset = paginationValue(query, 'offset') || 0;
    const count = paginationValue(query, 'count') ?? Math.min(settings.defaultCount, max);
    if (count < 1 || count > max) {
        throw new InvalidParam('count', `The parameter "count" must be an integer from 1 to ${max}`);
    }
    return { offset, count };
}
