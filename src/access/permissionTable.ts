import { AppError } from '../errors/AppError';
import type { WorkspaceGateway } from '../workspace/gateway';
import { DEFAULT_PERMISSION_ROLES } from './defaults';

/** Permission id → roles that hold it. */
export type PermissionTable = ReadonlyMap<string, ReadonlyArray<string>>;

export const PERMISSIONS_PATH = '/api/v1/permissions.listAll';

/** How long the workspace's table is trusted: a change in Rocket.Chat takes effect within this time. */
export const PERMISSION_CACHE_TTL_MS = 60000;

interface CacheEntry {
    readonly table: PermissionTable;
    readonly expiresAt: number;
}

/** Module memory, keyed by workspace base URL + service user id. */
const cache = new Map<string, CacheEntry>();

export const DEFAULT_PERMISSION_TABLE: PermissionTable = new Map(
    Object.keys(DEFAULT_PERMISSION_ROLES).map((id): [string, ReadonlyArray<string>] => [id, DEFAULT_PERMISSION_ROLES[id]]),
);

function parseTable(data: unknown): PermissionTable | undefined {
    const update = data && typeof data === 'object' ? (data as { update?: unknown }).update : undefined;
    if (!Array.isArray(update)) {
        return undefined;
    }
    const table = new Map<string, ReadonlyArray<string>>();
    update.forEach((doc: unknown) => {
        const { _id, roles } = (doc || {}) as { _id?: unknown; roles?: unknown };
        if (typeof _id === 'string') {
            table.set(_id, Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : []);
        }
    });
    return table;
}

/** Told why the table could not be read (a text without secrets), when Rocket.Chat's defaults are used instead. */
export type UnreadableTable = (why: string) => void;

/**
 * The workspace's permission table (`GET /api/v1/permissions.listAll` as the service account), cached for
 * at most 60 s. When it cannot be read (no answer, 5xx, a 4xx, an unexpected body), Rocket.Chat's defaults apply,
 * nothing is cached and `unreadable` is told why. A missing configuration or rejected credentials are reported,
 * not hidden.
 */
export async function loadPermissionTable(
    gateway: WorkspaceGateway,
    now: () => number = Date.now,
    unreadable: UnreadableTable = () => undefined,
): Promise<PermissionTable> {
    const { baseUrl, userId } = await gateway.getConfig();
    const key = `${baseUrl}\n${userId}`;
    const hit = cache.get(key);
    if (hit && hit.expiresAt > now()) {
        return hit.table;
    }
    let table: PermissionTable | undefined;
    let why: string;
    try {
        const answer = await gateway.read(PERMISSIONS_PATH);
        table = answer.status === 200 ? parseTable(answer.data) : undefined;
        why = answer.status === 200 ? 'an unexpected answer' : `HTTP ${answer.status}`;
    } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'workspace-request-failed') {
            throw error;
        }
        why = 'no answer, or a server error';
    }
    if (!table) {
        unreadable(`${PERMISSIONS_PATH} could not be read (${why}): Rocket.Chat's default roles apply`);
        return DEFAULT_PERMISSION_TABLE;
    }
    cache.set(key, { table, expiresAt: now() + PERMISSION_CACHE_TTL_MS });
    return table;
}

/** Empties the cache (tests). */
export function clearPermissionCache(): void {
    cache.clear();
}
