/**
 * The workspace's REST API (`/api/v1/...`): routing, authentication, body/query handling and the endpoints, each a
 * thin layer over `Rules` as Rocket.Chat's routes are over its methods and services.
 */
import { createHash } from 'crypto';

import { forbidden, failure, invalidBody, invalidQuery, meteorError, notLoggedIn, permissionsRequiredMissing } from './errors.cjs';
import type { JsonObject } from './errors.cjs';
import { randomSecret } from './ids.cjs';
import { clone } from './json.cjs';
import type { WsPermission, WsRoom, WsTeam, WsUser } from './model.cjs';
import { rateLimitHeaders, remoteAddress, RouteRateLimiter, tooManyRequests } from './RateLimiter.cjs';
import type { RateLimitOptions } from './RateLimiter.cjs';
import { getPaginationItems, pageOf } from './pagination.cjs';
import { Rules } from './Rules.cjs';
import type { Params, TeamCreateInput } from './Rules.cjs';
import {
    isPermissionsListAll,
    isRoomsSaveRoomSettingsProps,
    isTeamsConvertToChannelProps,
    isTeamsCreateProps,
    isTeamsInfoProps,
    isUsersCheckUsernameAvailabilityParamsGET,
    validate,
} from './restTypings.cjs';
import type { ValidateFunction } from 'ajv';
import type { Store } from './Store.cjs';

/** A request after the workspace parsed it: upper-case method, path without query, merged query, lower-case headers. */
export interface ParsedRequest {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    body: unknown;
    /** The socket's peer address (the TCP client), if any. */
    remoteAddress?: string;
}

interface RouteContext {
    req: ParsedRequest;
    /** The authenticated caller (absent only on routes without auth). */
    user: WsUser;
    /** `this.bodyParams` as Rocket.Chat's router builds it from a JSON body. */
    bodyParams: unknown;
    /** The body as an object to read parameters from (`{}` for arrays and other values). */
    params: Params;
    /** What the route's `pre` step returned (the validated, coerced body or query of a typed route). */
    checked?: unknown;
}

type Handler = (ctx: RouteContext) => { status?: number; body: JsonObject };

interface Route {
    auth: boolean;
    /**
     * What runs before the rate limiter (upstream: the `permissionsMiddleware` of `permissionsRequired`, then the
     * typed router's query / body validation in `packages/http-router/src/Router.ts`); throws a `RestError`.
     */
    pre?: (ctx: RouteContext) => unknown;
    handler: Handler;
}

/** One answer of the router: status, body and the response headers it set. */
export interface RoutedResponse {
    status: number;
    body: unknown;
    headers: Record<string, string>;
}

/** `API.v1.defaultFieldsToExclude` (upstream `apps/meteor/server/api/ApiClass.ts`). */
export const DEFAULT_FIELDS_TO_EXCLUDE: readonly string[] = ['joinCode', 'members', 'importIds', 'e2e'];

/** A refused login on Rocket.Chat 8.x (upstream `apps/meteor/app/api/server/ApiClass.ts`, the `login` route's catch). */
const LOGIN_FAILED = { success: false, error: 'unauthorized' };

/** `POST|GET /api/v1/logout`'s answer (upstream `ApiClass.ts`, the `logout` route). */
const LOGGED_OUT = { status: 'success', data: { message: "You've been logged out!" } };

/**
 * `isValidSidepanel` of upstream core-typings `IRoom.ts`: `null`, or items that are all `channels` / `discussions`,
 * at least one, none twice.
 */
function isValidSidepanel(sidepanel: { items?: unknown } | null): boolean {
    if (sidepanel === null) return true;
    const { items } = sidepanel;
    if (!Array.isArray(items) || !items.length) return false;
    return items.every((item) => item === 'channels' || item === 'discussions') && items.length === new Set(items).size;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What `parseBodyParams` of Rocket.Chat's router makes of a parsed JSON body. */
export function toBodyParams(body: unknown): unknown {
    if (body === undefined || body === null || body === '') return {};
    if (Array.isArray(body)) return body;
    if (typeof body === 'object' || typeof body === 'string') return { ...(body as object) };
    return {};
}

/** The typed router's body validation (`packages/http-router/src/Router.ts`): 400 `invalid-params`. */
function checkBody(validator: ValidateFunction, ctx: RouteContext): unknown {
    const checked = validate(validator, ctx.bodyParams);
    if (!checked.ok) throw invalidBody(checked.errors);
    return checked.value;
}

/** The typed router's query validation (`packages/http-router/src/Router.ts`): 400 `error-invalid-params`. */
function checkQuery(validator: ValidateFunction, ctx: RouteContext): unknown {
    const checked = validate(validator, ctx.req.query);
    if (!checked.ok) throw invalidQuery(checked.errors);
    return checked.value;
}

export class Api {
    private readonly routes = new Map<string, Route>();
    /** Rocket.Chat's per-route limiter (module state upstream: one per server process). */
    readonly limiter = new RouteRateLimiter();
    /** `process.env.HTTP_FORWARDED_COUNT` of the server (how many proxies stand in front of it). */
    httpForwardedCount = 0;

    constructor(
        private readonly s: Store,
        private readonly rules: Rules,
    ) {
        this.add('POST', 'login', false, (ctx) => this.login(ctx));
        // Upstream adds `logout` for both verbs (`@rocket.chat/sdk`'s logout() sends GET, the api-client POST).
        this.add('POST', 'logout', true, (ctx) => this.logout(ctx));
        this.add('GET', 'logout', true, (ctx) => this.logout(ctx));
        this.add('GET', 'me', true, (ctx) => ({ body: { ...this.userInfo(ctx.user), success: true } }));
        this.add('GET', 'permissions.listAll', true, (ctx) => this.permissionsListAll(ctx), (ctx) => checkQuery(isPermissionsListAll, ctx));
        this.add('POST', 'rooms.saveRoomSettings', true, (ctx) => this.roomsSaveRoomSettings(ctx), (ctx) => checkBody(isRoomsSaveRoomSettingsProps, ctx));
        this.add('POST', 'teams.create', true, (ctx) => this.teamsCreate(ctx), (ctx) => {
            if (!this.rules.hasPermission(ctx.user, 'create-team')) throw permissionsRequiredMissing();
            return checkBody(isTeamsCreateProps, ctx);
        });
        this.add('GET', 'teams.info', true, (ctx) => this.teamsInfo(ctx), (ctx) => checkQuery(isTeamsInfoProps, ctx));
        this.add('POST', 'teams.convertToChannel', true, (ctx) => this.teamsConvertToChannel(ctx), (ctx) => checkBody(isTeamsConvertToChannelProps, ctx));
        this.add('GET', 'users.checkUsernameAvailability', true, (ctx) => this.usersCheckUsernameAvailability(ctx));
        this.add('GET', 'users.info', true, (ctx) => this.usersInfo(ctx));
        this.add('GET', 'groups.info', true, (ctx) => this.groupsInfo(ctx));
        this.add('GET', 'channels.info', true, (ctx) => this.channelsInfo(ctx));
        this.add('GET', 'groups.list', true, (ctx) => this.groupsList(ctx));
        this.add('GET', 'groups.listAll', true, (ctx) => this.groupsListAll(ctx));
        this.add('POST', 'groups.setEncrypted', true, (ctx) => this.groupsSetEncrypted(ctx));
        this.add('POST', 'groups.setType', true, (ctx) => this.groupsSetType(ctx));
        this.add('POST', 'groups.convertToTeam', true, (ctx) => this.groupsConvertToTeam(ctx));
        this.add('POST', 'channels.setType', true, (ctx) => this.channelsSetType(ctx));
    }

    private add(method: string, name: string, auth: boolean, handler: Handler, pre?: Route['pre']): void {
        this.routes.set(`${method} /api/v1/${name}`, { auth, handler, pre });
    }

    /**
     * The user a request authenticates as (header names already lower-cased), as upstream
     * `APIClass.authenticatedRoute` (`apps/meteor/server/api/ApiClass.ts`) and the apps router's
     * `authenticationMiddleware` (`apps/meteor/server/api/v1/middlewares/authentication.ts` @ 4f9ed7e3) both do it:
     * `X-User-Id` + `X-Auth-Token` when both are sent (and then nothing else counts), else OAuth (`oAuth2ServerAuth`).
     */
    authenticate(headers: Record<string, string>, query: Record<string, string> = {}): WsUser | undefined {
        const userId = headers['x-user-id'];
        const token = headers['x-auth-token'];
        if (userId && token) {
            const user = this.s.user(userId);
            if (!user || !user.active || !user.authTokens.includes(token)) return undefined;
            return user;
        }
        return this.oauthUser(headers.authorization, typeof query.access_token === 'string' ? query.access_token : undefined);
    }

    /**
     * `oAuth2ServerAuth({ authorization, accessToken })` of upstream
     * `apps/meteor/app/oauth2-server-config/server/oauth/oauth2-server.ts` (@ 039d5bba): the header without its first
     * `'Bearer '`, else the `access_token` query parameter; an unknown or expired token is no one; the token's user as
     * stored (`Users.findOneById`).
     */
    private oauthUser(authorization: string | undefined, accessToken: string | undefined): WsUser | undefined {
        const incoming = authorization?.replace('Bearer ', '') || accessToken;
        if (!incoming) return undefined;
        const doc = this.s.state.oauthAccessTokens?.find((t) => t.accessToken === incoming);
        if (!doc || (doc.expires != null && doc.expires.getTime() < Date.now())) return undefined;
        return this.s.user(doc.userId);
    }

    /**
     * The query a route (or an app endpoint) sees after authentication: both OAuth paths upstream delete
     * `access_token` when they ran (`delete routeContext.queryParams.access_token`, `delete req.query.access_token`),
     * that is whenever `X-User-Id` + `X-Auth-Token` were not both sent.
     */
    static queryAfterAuthentication(headers: Record<string, string>, query: Record<string, string>): Record<string, string> {
        if ((headers['x-user-id'] && headers['x-auth-token']) || !('access_token' in query)) return query;
        const { access_token: _removed, ...rest } = query;
        return rest;
    }

    /**
     * Answers one request. Never throws: every failure becomes Rocket.Chat's answer for it. The order is upstream's:
     * route match (404), authentication (401), `pre` (permissionsRequired 403, typed validation 400), the rate limiter
     * (429, upstream `ApiClass` `_internalRouteActionHandler` → `enforceRateLimit`), then the route's action.
     */
    route(request: ParsedRequest): RoutedResponse {
        let req = request;
        const route = this.routes.get(`${req.method} ${req.path}`);
        if (!route) {
            return { status: 404, body: { success: false, error: 'Not found' }, headers: {} };
        }
        const user = this.authenticate(req.headers, req.query);
        if (route.auth && !user) {
            const e = notLoggedIn();
            return { status: e.status, body: e.body, headers: {} };
        }
        req = { ...req, query: Api.queryAfterAuthentication(req.headers, req.query) };
        const bodyParams = toBodyParams(req.body);
        const params = isPlainObject(bodyParams) ? bodyParams : {};
        const ctx: RouteContext = { req, user: user as WsUser, bodyParams, params };
        const headers: Record<string, string> = {};
        try {
            if (route.pre) ctx.checked = route.pre(ctx);
            this.enforceRateLimit(req, user, headers);
            const out = route.handler(ctx);
            return { status: out.status ?? 200, body: out.body, headers };
        } catch (e) {
            const err = Rules.asRestError(e);
            return { status: err.status, body: err.body, headers };
        }
    }

    /** The limiter's settings (`defaultRateLimiterOptions`). */
    rateLimitOptions(): RateLimitOptions {
        return {
            numRequestsAllowed: Number(this.rules.setting('API_Enable_Rate_Limiter_Limit_Calls_Default')),
            intervalTimeInMS: Number(this.rules.setting('API_Enable_Rate_Limiter_Limit_Time_Default')),
        };
    }

    /**
     * `shouldAddRateLimitToRoute` (both limits set) + `shouldVerifyRateLimit` (`API_Enable_Rate_Limiter === true`, the
     * caller without `api-bypass-rate-limit`) + `enforceRateLimit`, keyed as `RouteRateLimiter.hit` says (every route here
     * per client address, as upstream declares them). Meteor's rule matches only a truthy `IPAddr`: a request without
     * any client address is not counted.
     */
    private enforceRateLimit(req: ParsedRequest, user: WsUser | undefined, headers: Record<string, string>): void {
        const options = this.rateLimitOptions();
        if (!(options.numRequestsAllowed > 0 && options.intervalTimeInMS > 0)) return;
        if (this.rules.setting('API_Enable_Rate_Limiter') !== true) return;
        if (user && this.rules.hasPermission(user, 'api-bypass-rate-limit')) return;
        const ip = remoteAddress(req.headers, req.remoteAddress, this.httpForwardedCount);
        if (!ip) return;
        const route = `${req.path}${req.method.toLowerCase()}`;
        const reply = this.limiter.hit(route, { IPAddr: ip, userId: user?._id }, options);
        Object.assign(headers, rateLimitHeaders(reply, options, Date.now()));
        if (!reply.allowed) throw tooManyRequests(reply);
    }

    // ------------------------------------------------------------------ views

    /** `getUserInfo(user)` of `/me` and login: the user document's public fields, never password or tokens. */
    userInfo(user: WsUser): JsonObject {
        const siteUrl = String(this.rules.setting('Site_Url') ?? '').replace(/\/+$/, '');
        const verified = user.emails?.find((e) => e.verified);
        return {
            _id: user._id,
            username: user.username,
            name: user.name,
            ...(user.emails ? { emails: user.emails.map((e) => ({ ...e })) } : {}),
            status: user.status ?? 'offline',
            active: user.active,
            roles: [...user.roles],
            ...(user.language !== undefined ? { language: user.language } : {}),
            _updatedAt: user._updatedAt,
            ...(verified ? { email: verified.address } : {}),
            avatarUrl: `${siteUrl}/avatar/${user.username}`,
            settings: { preferences: {} },
        };
    }

    /**
     * A room as Rocket.Chat's REST API shows it: read with `{ projection: API.v1.defaultFieldsToExclude }` (upstream
     * `apps/meteor/server/api/ApiClass.ts`: `joinCode`, `members`, `importIds`, `e2e` left out). Dates become ISO strings
     * when the body is serialised.
     */
    static roomView(room: WsRoom): JsonObject {
        const view = clone(room) as unknown as JsonObject;
        for (const field of DEFAULT_FIELDS_TO_EXCLUDE) delete view[field];
        return view;
    }

    static teamView(team: WsTeam): JsonObject {
        return {
            _id: team._id,
            name: team.name,
            type: team.type,
            createdAt: team.createdAt,
            createdBy: { _id: team.createdBy._id, username: team.createdBy.username },
            _updatedAt: team._updatedAt,
            roomId: team.roomId,
        };
    }

    static permissionView(p: WsPermission): JsonObject {
        return { _id: p._id, roles: [...p.roles], _updatedAt: p._updatedAt };
    }

    // ------------------------------------------------------------------ endpoints

    /**
     * `POST /api/v1/login` as upstream's `ApiClass.ts` `login` route: `{ user | username | email, password }` where
     * `password` is the plain text or `{ digest, algorithm: "sha-256" }` (the hex SHA-256 of it, what Meteor's and the
     * SDK's clients send), or any other body — `{ resume: token }` — handed to the login handlers as it is (the
     * `resume` handler accepts a token the user holds). Success: a new login token; anything else: 401.
     */
    private login(ctx: RouteContext): { status: number; body: JsonObject } {
        const user = 'password' in ctx.params ? this.passwordLogin(ctx.params) : this.resumeLogin(ctx.params);
        if (!user) {
            return { status: 401, body: { ...LOGIN_FAILED } };
        }
        const token = randomSecret();
        user.authTokens.push(token);
        user._updatedAt = this.s.now();
        return { status: 200, body: { status: 'success', data: { userId: user._id, authToken: token, me: this.userInfo(user) } } };
    }

    /** Meteor's `password` login handler (plain or SHA-256 digest) over the local demo's plain passwords. */
    private passwordLogin(params: Params): WsUser | undefined {
        const login = params.user ?? params.username ?? params.email;
        const user =
            typeof login === 'string'
                ? (this.s.userByUsername(login) ?? this.s.state.users.find((u) => u.emails?.some((e) => e.address === login)))
                : undefined;
        if (!user || !user.active || user.password === undefined) return undefined;
        const given = params.password;
        if (typeof given === 'string') return given === user.password ? user : undefined;
        if (isPlainObject(given) && given.algorithm === 'sha-256' && typeof given.digest === 'string') {
            const expected = createHash('sha256').update(user.password).digest('hex');
            return given.digest.toLowerCase() === expected ? user : undefined;
        }
        return undefined;
    }

    /** Meteor's `resume` login handler: the user who holds the token. */
    private resumeLogin(params: Params): WsUser | undefined {
        const token = params.resume;
        if (typeof token !== 'string' || token === '') return undefined;
        return this.s.state.users.find((u) => u.active && u.authTokens.includes(token));
    }

    /** `POST|GET /api/v1/logout`: the login token of the request stops working. */
    private logout(ctx: RouteContext): { body: JsonObject } {
        const token = ctx.req.headers['x-auth-token'];
        ctx.user.authTokens = ctx.user.authTokens.filter((t) => t !== token);
        ctx.user._updatedAt = this.s.now();
        return { body: { ...LOGGED_OUT } };
    }

    /** `GET /api/v1/permissions.listAll[?updatedSince=]`. */
    private permissionsListAll(ctx: RouteContext): { body: JsonObject } {
        const { updatedSince } = ctx.req.query;
        let since: Date | undefined;
        if (updatedSince) {
            if (isNaN(Date.parse(updatedSince))) {
                throw meteorError('error-roomId-param-invalid', 'The "updatedSince" query parameter must be a valid date.');
            }
            since = new Date(updatedSince);
        }
        if (!since) {
            return { body: { update: this.s.state.permissions.map(Api.permissionView), remove: [], success: true } };
        }
        const after = since.getTime();
        return {
            body: {
                update: this.s.state.permissions.filter((p) => p._updatedAt.getTime() > after).map(Api.permissionView),
                remove: this.s.state.removedPermissions
                    .filter((r) => r._deletedAt.getTime() > after)
                    .map((r) => ({ _id: r._id, _deletedAt: r._deletedAt })),
                success: true,
            },
        };
    }

    /** `POST /api/v1/rooms.saveRoomSettings { rid, ...settings }` (§7). */
    private roomsSaveRoomSettings(ctx: RouteContext): { body: JsonObject } {
        const { rid, ...settings } = ctx.checked as Record<string, unknown>;
        const saved = this.rules.saveRoomSettings(ctx.user, rid, settings);
        return { body: { rid: saved, success: true } };
    }

    /** `POST /api/v1/teams.create { name, type, members?, room?, owner? }` (§7). */
    private teamsCreate(ctx: RouteContext): { body: JsonObject } {
        const body = ctx.checked as {
            name: string;
            type: 0 | 1;
            members?: string[];
            room?: TeamCreateInput['room'];
            owner?: string;
            sidepanel?: { items?: unknown };
        };
        if (body.room?.id && !this.rules.hasAllPermissions(ctx.user, ['create-team', 'edit-room'], body.room.id)) {
            throw forbidden();
        }
        // `if (sidepanel?.items && !isValidSidepanel(sidepanel)) throw new Error('error-invalid-sidepanel')`
        if (body.sidepanel?.items && !isValidSidepanel(body.sidepanel)) throw failure('error-invalid-sidepanel');
        const team = this.rules.createTeam(ctx.user._id, {
            team: { name: body.name, type: body.type },
            room: body.room,
            members: body.members,
            owner: body.owner,
            ...(body.sidepanel ? { sidepanel: body.sidepanel as WsRoom['sidepanel'] } : {}),
        });
        return { body: { team: Api.teamView(team), success: true } };
    }

    /**
     * `POST /api/v1/teams.convertToChannel { teamId | teamName, roomsToRemove? }` as upstream
     * `apps/meteor/app/api/server/v1/teams.ts` answers it: the team by id or name (`team-does-not-exist`), `convert-team`
     * in the team's main room (403 `unauthorized`), then the rooms in `roomsToRemove` erased (`eraseRoom`; not modelled
     * here: a request that names any is refused 400, so a test can never rely on it) and `Rules.convertTeamToChannel`.
     */
    private teamsConvertToChannel(ctx: RouteContext): { body: JsonObject } {
        const body = ctx.checked as { teamId?: string; teamName?: string; roomsToRemove?: string[] };
        const team = body.teamId ? this.s.team(body.teamId) : body.teamName ? this.s.teamByName(body.teamName) : undefined;
        if (!team) throw failure('team-does-not-exist');
        if (!this.rules.hasPermission(ctx.user, 'convert-team', team.roomId)) throw forbidden();
        if ((body.roomsToRemove ?? []).length > 0) throw failure('roomsToRemove is not modelled by the local workspace');
        this.rules.convertTeamToChannel(team, ctx.user);
        return { body: { success: true } };
    }

    /** `GET /api/v1/teams.info?teamId=|teamName=` (§7). */
    private teamsInfo(ctx: RouteContext): { body: JsonObject } {
        const { teamId, teamName } = ctx.req.query;
        let team: WsTeam | undefined;
        if (teamId) {
            team = this.s.team(teamId);
        } else if (teamName) {
            team = this.s.teamByName(teamName);
        }
        if (!team) throw failure('Team not found');
        const room = this.s.room(team.roomId);
        if (!room) throw failure('Room not found');
        if (!this.rules.canAccessRoom(room, ctx.user) && !this.rules.hasPermission(ctx.user, 'view-all-teams')) {
            throw forbidden();
        }
        return { body: { teamInfo: Api.teamView(team), success: true } };
    }

    /**
     * `GET /api/v1/users.checkUsernameAvailability?username=` (`checkUsernameAvailabilityWithValidation` for the
     * caller): a legacy route whose `validateParams` failure is a `Meteor.Error('invalid-params', …)`; an empty name is
     * `error-invalid-username`; a caller with a username needs `Accounts_AllowUsernameChange` (Rocket.Chat's default
     * `true` when the workspace does not set it); the caller's own username is available; then `Rules.checkUsernameAvailability`.
     */
    private usersCheckUsernameAvailability(ctx: RouteContext): { body: JsonObject } {
        const checked = validate(isUsersCheckUsernameAvailabilityParamsGET, ctx.req.query);
        if (!checked.ok) throw meteorError('invalid-params', checked.errors.join('\n '));
        const { username } = ctx.req.query;
        if (!username) throw meteorError('error-invalid-username', 'Invalid username', { method: 'setUsername' });
        if (ctx.user.username && !(this.rules.setting('Accounts_AllowUsernameChange') ?? true)) {
            throw meteorError('error-not-allowed', 'Not allowed', { method: 'setUsername' });
        }
        const result = ctx.user.username === username || this.rules.checkUsernameAvailability(username);
        return { body: { result, success: true } };
    }

    /**
     * `GET /api/v1/users.info?userId=|username=[&includeUserRooms=true]` as upstream `apps/meteor/app/api/server/v1/users.ts`:
     * no search term → `Invalid search query.`, unknown user → `User not found.` (plain failures); with
     * `includeUserRooms=true` and the caller being that user or holding `view-other-user-channels`, the user's
     * subscriptions as `rooms` (projection `rid`, `name`, `t`, `roles`, `unread`, `federated`; sorted by `t`, `name`).
     * The user document is `getUserInfo`'s public view (the stand-in does not model `getFullUserData`'s field rules).
     */
    private usersInfo(ctx: RouteContext): { body: JsonObject } {
        const { userId, username, includeUserRooms } = ctx.req.query;
        if (!userId && !username) throw failure('Invalid search query.');
        const user = userId ? this.s.user(userId) : this.s.userByUsername(username);
        if (!user) throw failure('User not found.');
        const view = this.userInfo(user);
        if (includeUserRooms === 'true' && (user._id === ctx.user._id || this.rules.hasPermission(ctx.user, 'view-other-user-channels'))) {
            const rooms = this.s
                .subscriptionsOfUser(user._id)
                .map((sub) => {
                    const room = this.s.room(sub.rid);
                    return {
                        _id: sub._id,
                        rid: sub.rid,
                        name: sub.name,
                        t: sub.t,
                        ...(sub.roles ? { roles: [...sub.roles] } : {}),
                        unread: sub.unread,
                        ...(room?.federated ? { federated: true } : {}),
                    };
                })
                .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            return { body: { user: { ...view, rooms }, success: true } };
        }
        return { body: { user: view, success: true } };
    }

    /** `GET /api/v1/groups.info?roomId=|roomName=` (§3.1 lookup, archived rooms included). */
    private groupsInfo(ctx: RouteContext): { body: JsonObject } {
        const { room } = this.rules.findPrivateGroup(ctx.req.query, ctx.user, false);
        return { body: { group: Api.roomView(room), success: true } };
    }

    /** Every private group sorted by `name` (Mongo's binary order), kept until the next write. */
    private sortedGroups(): WsRoom[] {
        const key = `${this.s.version}:${this.s.state.rooms.length}`;
        if (this.groupsByName?.key !== key) {
            const groups = this.s.state.rooms.filter((room) => room.t === 'p');
            groups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            this.groupsByName = { key, groups };
        }
        return this.groupsByName.groups;
    }

    private groupsByName?: { key: string; groups: WsRoom[] };

    /**
     * `GET /api/v1/groups.listAll?offset=&count=` as upstream `apps/meteor/app/api/server/v1/groups.ts`: a legacy route
     * (no query validation); `view-room-administration` first (403 `unauthorized`), then `getPaginationItems`; every room
     * of type `p` (discussions and team main rooms included), sorted by `name`, each as the REST view of the room
     * (`composeRoomWithLastMessage`: the stand-in keeps no `lastMessage`), with `offset`, `count` (this page's size) and
     * `total`. The `query` / `fields` / `sort` parameters are not modelled (Rocket.Chat ignores them unless
     * `ALLOW_UNSAFE_QUERY_AND_FIELDS_API_PARAMS` is set).
     */
    private groupsListAll(ctx: RouteContext): { body: JsonObject } {
        if (!this.rules.hasPermission(ctx.user, 'view-room-administration')) throw forbidden();
        const paging = getPaginationItems(ctx.req.query, (id) => this.rules.setting(id));
        const all = this.sortedGroups();
        const groups = pageOf(all, paging).map(Api.roomView);
        return { body: { groups, offset: paging.offset, count: groups.length, total: all.length, success: true } };
    }

    /**
     * `GET /api/v1/groups.list?offset=&count=` as upstream (same file): the caller's subscriptions of type `p`
     * (`Subscriptions.findByUserIdAndTypes`); none → 404 `API.v1.notFound()`; else their rooms of type `p`
     * (`Rooms.findPaginatedByTypeAndIds`), sorted by `name`, paged as `groups.listAll`.
     */
    private groupsList(ctx: RouteContext): { status?: number; body: JsonObject } {
        const paging = getPaginationItems(ctx.req.query, (id) => this.rules.setting(id));
        const rids = new Set(this.s.subscriptionsOfUser(ctx.user._id).filter((sub) => sub.t === 'p').map((sub) => sub.rid));
        if (!rids.size) {
            return { status: 404, body: { success: false, error: 'Resource not found' } };
        }
        const mine = this.sortedGroups().filter((room) => rids.has(room._id));
        const groups = pageOf(mine, paging).map(Api.roomView);
        return { body: { groups, offset: paging.offset, count: groups.length, total: mine.length, success: true } };
    }

    /**
     * `GET /api/v1/channels.info?roomId=|roomName=` as upstream `apps/meteor/server/api/v1/channels.ts`:
     * `findChannelByIdOrName` (archived rooms included), then `canAccessRoomAsync` — a channel the caller cannot access
     * is `API.v1.forbidden()`.
     */
    private channelsInfo(ctx: RouteContext): { body: JsonObject } {
        const room = this.rules.findChannel(ctx.req.query, false);
        if (!this.rules.canAccessRoom(room, ctx.user)) throw forbidden();
        return { body: { channel: Api.roomView(room), success: true } };
    }

    /** `POST /api/v1/groups.setEncrypted { roomId | roomName, encrypted }` as upstream `apps/meteor/server/api/v1/groups.ts` (§4). */
    private groupsSetEncrypted(ctx: RouteContext): { body: JsonObject } {
        if (!isPlainObject(ctx.bodyParams) || typeof ctx.bodyParams.encrypted !== 'boolean') {
            throw failure('The bodyParam "encrypted" is required');
        }
        const { encrypted, ...params } = ctx.bodyParams;
        const { room } = this.rules.findPrivateGroup(params, ctx.user);
        this.rules.saveRoomSettings(ctx.user, room._id, { encrypted });
        return { body: { group: Api.roomView(room), success: true } };
    }

    /**
     * `POST /api/v1/groups.setType { roomId | roomName, type }` as upstream `apps/meteor/server/api/v1/groups.ts`: the type
     * check, `findPrivateGroupByIdOrName` (a public channel is `error-room-not-found`), the same-type check, then
     * `saveRoomSettings(roomType)` as the caller.
     */
    private groupsSetType(ctx: RouteContext): { body: JsonObject } {
        const type = ctx.params.type;
        // upstream `if (!this.bodyParams.type?.trim())`: null/undefined are "required"; any other non-string has no
        // `trim`, and the TypeError reaches the route wrapper, which answers `API.v1.failure(e.message)` (400).
        if (type !== undefined && type !== null && typeof type !== 'string') {
            throw failure('this.bodyParams.type?.trim is not a function');
        }
        if (typeof type !== 'string' || !type.trim()) {
            throw failure('The bodyParam "type" is required');
        }
        const { room } = this.rules.findPrivateGroup(ctx.params, ctx.user);
        if (room.t === type) {
            throw failure('The private group type is the same as what it would be changed to.');
        }
        this.rules.saveRoomSettings(ctx.user, room._id, { roomType: type });
        return { body: { group: Api.roomView(room), success: true } };
    }

    /**
     * `POST /api/v1/channels.setType { roomId | roomName, type }` as upstream `apps/meteor/app/api/server/v1/channels.ts`
     * (now `apps/meteor/server/api/v1/channels.ts`): the type check, `findChannelByIdOrName` (no key check, no access
     * check; `c` and `l` rooms; archived refused), the same-type check, then `saveRoomSettings(roomType)` as the caller;
     * answers `{ channel }`.
     */
    private channelsSetType(ctx: RouteContext): { body: JsonObject } {
        const type = ctx.params.type;
        if (typeof type !== 'string' || !type.trim()) {
            throw failure('The bodyParam "type" is required');
        }
        const room = this.rules.findChannel(ctx.params);
        if (room.t === type) {
            throw failure('The channel type is the same as what it would be changed to.');
        }
        this.rules.saveRoomSettings(ctx.user, room._id, { roomType: type });
        // `room` is the stored document saveRoomSettings changed: the channel as it is now.
        return { body: { channel: Api.roomView(room), success: true } };
    }

    /**
     * `POST /api/v1/groups.convertToTeam { roomId | roomName }` as upstream `apps/meteor/server/api/v1/groups.ts`: the empty
     * key check, `findPrivateGroupByIdOrName`, `create-team` + `edit-room` in the room's scope (403), then `Team.create`
     * with every subscriber as member (upstream `apps/meteor/server/services/team/service.ts`). No guard for a room that
     * already is a team's main room (`Team.create`'s name check answers `team-name-already-exists` when the team has the
     * room's name) or belongs to a team (it is silently re-parented to the new team).
     */
    private groupsConvertToTeam(ctx: RouteContext): { body: JsonObject } {
        const p = ctx.params;
        if (('roomId' in p && !p.roomId) || ('roomName' in p && !p.roomName)) {
            throw failure('The parameter "roomId" or "roomName" is required');
        }
        const { room, name } = this.rules.findPrivateGroup(p, ctx.user);
        if (!this.rules.hasAllPermissions(ctx.user, ['create-team', 'edit-room'], room._id)) {
            throw forbidden();
        }
        const members = this.s.subscriptionsOfRoom(room._id).map((sub) => sub.u._id);
        const team = this.rules.createTeam(ctx.user._id, { team: { name, type: 1 }, members, room: { name, id: room._id } });
        return { body: { team: Api.teamView(team), success: true } };
    }
}
