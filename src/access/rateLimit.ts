import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import type { AccessService } from './AccessService';
import type { ServerSettings } from '../workspace/serverSettings';

/** The changes the chat doors make, each limited on its own as Rocket.Chat limits each REST route. */
export type LimitedOperation = 'setEncrypted' | 'setType' | 'convertToTeam' | 'convertToChannel';

/** Rocket.Chat's defaults for its REST rate limiter (`API_Enable_Rate_Limiter_Limit_*_Default`). */
export const DEFAULT_CALLS = 10;
export const DEFAULT_INTERVAL_MS = 60000;

interface Window {
    count: number;
    /** When (app clock, ms) this window ends and counting starts again. */
    readonly resetAt: number;
}

/** Module memory: one counting window per user and operation. */
const windows = new Map<string, Window>();

/** Expired windows are swept once this many are held (memory stays bounded by the active users). */
const SWEEP_ABOVE = 1000;

function sweep(now: number): void {
    if (windows.size <= SWEEP_ABOVE) {
        return;
    }
    windows.forEach((window, key) => {
        if (window.resetAt <= now) {
            windows.delete(key);
        }
    });
}

function positive(value: unknown, fallback: number): number {
    return typeof value === 'number' && isFinite(value) && value > 0 ? value : fallback;
}

/** The read-only dependencies of the limiter (an operation context provides them). */
export interface RateLimitEnv {
    readonly serverSettings: ServerSettings;
    readonly access: AccessService;
}

/** A REST route's limit: `calls` per `intervalMs`. */
export interface RestLimit {
    readonly calls: number;
    readonly intervalMs: number;
}

/**
 * The limit Rocket.Chat's REST rate limiter applies to `user` per route — `API_Enable_Rate_Limiter` (on unless turned
 * off), `API_Enable_Rate_Limiter_Limit_Calls_Default` (10) per `API_Enable_Rate_Limiter_Limit_Time_Default` (60 000
 * ms) — or undefined when it is off or `user` holds `api-bypass-rate-limit`.
 */
export async function limitOf(env: RateLimitEnv, user: IUser): Promise<RestLimit | undefined> {
    if ((await env.serverSettings.get('API_Enable_Rate_Limiter')) === false) {
        return undefined;
    }
    if (await env.access.hasPermission(user, 'api-bypass-rate-limit')) {
        return undefined;
    }
    return {
        calls: positive(await env.serverSettings.get('API_Enable_Rate_Limiter_Limit_Calls_Default'), DEFAULT_CALLS),
        intervalMs: positive(await env.serverSettings.get('API_Enable_Rate_Limiter_Limit_Time_Default'), DEFAULT_INTERVAL_MS),
    };
}

/**
 * Counts one change attempt by `user` through a chat door and refuses it (`too-many-requests`, 429) beyond the
 * workspace's own REST limit — `API_Enable_Rate_Limiter` (on unless turned off), at most
 * `API_Enable_Rate_Limiter_Limit_Calls_Default` (10) attempts per `API_Enable_Rate_Limiter_Limit_Time_Default`
 * (60 000 ms) per user and operation, in fixed windows as Meteor's rate limiter counts. A user holding
 * `api-bypass-rate-limit` is not counted, as Rocket.Chat does not count them. Called before any other check of a
 * real change, so every attempt counts, refused or not; dry runs, status, history and help never call it.
 */
export async function countChangeAttempt(env: RateLimitEnv, user: IUser, operation: LimitedOperation, now: () => number = Date.now): Promise<void> {
    const rule = await limitOf(env, user);
    if (!rule) {
        return;
    }
    const { calls: limit, intervalMs: interval } = rule;
    const at = now();
    sweep(at);
    const key = `${user.id}\n${operation}`;
    let window = windows.get(key);
    if (!window || window.resetAt <= at) {
        window = { count: 0, resetAt: at + interval };
        windows.set(key, window);
    }
    window.count += 1;
    if (window.count > limit) {
        const timeToReset = window.resetAt - at;
        throw new AppError('too-many-requests', { timeToReset: String(timeToReset), seconds: String(Math.ceil(timeToReset / 1000)) });
    }
}

/** Forgets every count (tests). */
export function resetRateLimits(): void {
    windows.clear();
}
