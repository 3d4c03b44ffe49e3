/**
 * Rocket.Chat's `getPaginationItems` (upstream `apps/meteor/app/api/server/helpers/getPaginationItems.ts`) with the
 * settings of `createGeneralSettings` (`apps/meteor/server/settings/general.ts`, section REST API): `offset` parsed
 * with `parseInt` (default 0); `count` default `API_Default_Count` (50; a setting ≤ 0 means 50), capped silently at
 * `API_Upper_Count_Limit` (100; ≤ 0 means 100); `count=0` means "all" only while `API_Allow_Infinite_Count` is on,
 * otherwise the default count.
 */
export interface PaginationItems {
    readonly offset: number;
    /** 0 = no limit. */
    readonly count: number;
}

export function getPaginationItems(query: Readonly<Record<string, string | undefined>>, setting: (id: string) => unknown): PaginationItems {
    const upper = Number(setting('API_Upper_Count_Limit'));
    const byDefault = Number(setting('API_Default_Count'));
    const hardUpperLimit = upper > 0 ? upper : 100;
    const defaultCount = byDefault > 0 ? byDefault : 50;
    const offset = query.offset ? parseInt(String(query.offset), 10) || 0 : 0;
    let count = defaultCount;
    if (query.count !== undefined) {
        count = parseInt(String(query.count || 0), 10) || 0;
    }
    if (count > hardUpperLimit) {
        count = hardUpperLimit;
    }
    if (count === 0 && setting('API_Allow_Infinite_Count') !== true) {
        count = defaultCount;
    }
    return { offset, count };
}

/** Mongo's `skip` / `limit` on an already sorted list (`limit` 0 = all). */
export function pageOf<T>(sorted: ReadonlyArray<T>, { offset, count }: PaginationItems): T[] {
    return count === 0 ? sorted.slice(offset) : sorted.slice(offset, offset + count);
}
