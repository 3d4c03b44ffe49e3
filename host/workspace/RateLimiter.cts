/**
 * Rocket.Chat's REST route rate limiter, as upstream `apps/meteor/server/api/ApiClass.ts` wires it
 * (`shouldAddRateLimitToRoute`, `addRateLimiterRuleForRoutes`, `shouldVerifyRateLimit`, `enforceRateLimit`; newer:
 * the middleware `apps/meteor/server/api/v1/middlewares/rateLimiter.ts`) on top of Meteor's `rate-limit` package
 * (`RateLimiter`: `addRule`, `increment`, `check`; one rule per route; a rule counts per the values of its matcher
 * fields):
 *
 * - one rule per full route name (`/api/v1/<route><method>`, `getFullRouteName`), with
 *   `API_Enable_Rate_Limiter_Limit_Calls_Default` calls per `API_Enable_Rate_Limiter_Limit_Time_Default` ms;
 * - the rule's key (upstream `apps/meteor/server/api/rateLimiterKey.ts` @ 98072175, `buildRateLimiterRule` /
 *   `buildRateLimiterInput`): `{ IPAddr, route }` — per client address — unless the route declares
 *   `rateLimiterOptions.per: 'user'`, then `{ userId, route }`; the input carries both subjects, an unauthenticated
 *   caller's `userId` being `ip:<address>` so that a per-user route never goes unlimited. Upstream's default stays
 *   `'ip'`: none of the routes the workspace serves declares `per: 'user'` (the change that added it, RocketChat/Rocket.Chat
 *   #41970, opted in `chat.sendMessage` only);
 * - a rule's window starts when the rule is made (Meteor's `Rule._lastResetTime`) and all its counters reset together
 *   when the window is over; a settings change rebuilds the rules (`reloadRoutesToRefreshRateLimiter`);
 * - `increment` then `check`: the call is refused when the counter exceeds the allowance (the 11th call of 10);
 * - checked only when `API_Enable_Rate_Limiter === true` and the caller does not hold `api-bypass-rate-limit`
 *   (`canBypassRateLimit`);
 * - every checked answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`; a refusal is
 *   `Meteor.Error('error-too-many-requests', 'Error, too many requests. Please slow down. You must wait <s> seconds
 *   before trying this endpoint again.')`, which the route wrapper answers as `API.v1.tooManyRequests(e.message)`: 429
 *   `{ success: false, error: '<reason> [error-too-many-requests]' }`.
 */
import { RestError } from './errors.cjs';

export interface RateLimitOptions {
    numRequestsAllowed: number;
    intervalTimeInMS: number;
    /** What the rule counts per (`RateLimiterSubject` of upstream `definition.ts`); default `'ip'`. */
    per?: 'ip' | 'user';
}

/** `RateLimiterOptionsToCheck` without the route: the caller's address and, when authenticated, user id. */
export interface RateLimitSubject {
    IPAddr: string;
    userId?: string;
}

/** `buildRateLimiterInput`: both subjects, an unauthenticated caller's user subject being `ip:<address>`. */
export function rateLimiterInput(subject: RateLimitSubject): { IPAddr: string; userId: string } {
    return { IPAddr: subject.IPAddr, userId: subject.userId || `ip:${subject.IPAddr}` };
}

interface Rule {
    options: RateLimitOptions;
    lastResetTime: number;
    counters: Map<string, number>;
}

export interface RateLimitReply {
    allowed: boolean;
    timeToReset: number;
    numInvocationsLeft: number;
}

export class RouteRateLimiter {
    private readonly rules = new Map<string, Rule>();

    constructor(private readonly clock: () => number = Date.now) {}

    /** The rule of `route` with `options`: a new one (new window, counters empty) when the options changed. */
    private rule(route: string, options: RateLimitOptions): Rule {
        let rule = this.rules.get(route);
        if (
            !rule ||
            rule.options.numRequestsAllowed !== options.numRequestsAllowed ||
            rule.options.intervalTimeInMS !== options.intervalTimeInMS ||
            (rule.options.per ?? 'ip') !== (options.per ?? 'ip')
        ) {
            rule = { options: { ...options }, lastResetTime: this.clock(), counters: new Map() };
            this.rules.set(route, rule);
        }
        return rule;
    }

    /**
     * Meteor's `RateLimiter.increment` followed by `RateLimiter.check` for one caller of `route`: counted under the
     * rule's subject (`buildRateLimiterRule(route, per)`: the address, or the user for `per: 'user'`).
     */
    hit(route: string, subject: RateLimitSubject, options: RateLimitOptions): RateLimitReply {
        const input = rateLimiterInput(subject);
        const key = (options.per ?? 'ip') === 'user' ? `userId${input.userId}` : `IPAddr${input.IPAddr}`;
        const rule = this.rule(route, options);
        const { numRequestsAllowed, intervalTimeInMS } = rule.options;
        // increment
        if (this.clock() - rule.lastResetTime > intervalTimeInMS) {
            rule.counters.clear();
            rule.lastResetTime = this.clock();
        }
        rule.counters.set(key, (rule.counters.get(key) ?? 0) + 1);
        // check
        let numInvocations = rule.counters.get(key) ?? 0;
        let timeToNextReset = intervalTimeInMS - (this.clock() - rule.lastResetTime);
        if (timeToNextReset < 0) {
            rule.counters.clear();
            rule.lastResetTime = this.clock();
            timeToNextReset = intervalTimeInMS;
            numInvocations = 0;
        }
        if (numInvocations > numRequestsAllowed) {
            return { allowed: false, timeToReset: timeToNextReset, numInvocationsLeft: 0 };
        }
        return { allowed: true, timeToReset: timeToNextReset, numInvocationsLeft: numRequestsAllowed - numInvocations };
    }
}

/** `enforceRateLimit`'s response headers for a checked request. */
export function rateLimitHeaders(reply: RateLimitReply, options: RateLimitOptions, now: number): Record<string, string> {
    return {
        'X-RateLimit-Limit': String(options.numRequestsAllowed),
        'X-RateLimit-Remaining': String(reply.numInvocationsLeft),
        'X-RateLimit-Reset': String(now + reply.timeToReset),
    };
}

/** The 429 `API.v1.tooManyRequests(e.message)` answer of a refused call. */
export function tooManyRequests(reply: RateLimitReply): RestError {
    const seconds = Math.ceil(reply.timeToReset / 1000);
    const reason = `Error, too many requests. Please slow down. You must wait ${seconds} seconds before trying this endpoint again.`;
    return new RestError(429, { success: false, error: `${reason} [error-too-many-requests]` });
}

/**
 * The client address Rocket.Chat's REST router keys the limiter on (upstream
 * `apps/meteor/app/api/server/middlewares/remoteAddressMiddleware.ts`): `X-Real-IP`, else the socket's peer address;
 * `X-Forwarded-For` counts only when `HTTP_FORWARDED_COUNT` > 0 (then the entry that many hops from the end), or
 * when there is no socket address at all.
 */
export function remoteAddress(headers: Record<string, string>, socket: string | undefined, httpForwardedCount: number): string | undefined {
    const forwardedFor = headers['x-forwarded-for'];
    const address = headers['x-real-ip'] || socket;
    if (!socket) return address || forwardedFor;
    if (httpForwardedCount <= 0) return address;
    if (!forwardedFor) return address;
    const ips = forwardedFor.trim().split(/\s*,\s*/);
    if (httpForwardedCount > ips.length) return address;
    return ips[ips.length - httpForwardedCount];
}
