/**
 * Small fakes of the accessors the app uses (IRead, IHttp, IModify) over an in-memory workspace.
 * Every accessor call and every HTTP call is recorded in `calls`: one entry = one host round trip.
 */
import type { IHttp, IHttpRequest, IHttpResponse, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { forgetAccessMemory } from '../../src/access/forget';
import { forgetAppUser } from '../../src/workspace/appUser';
import { createOperationContext } from '../../src/operations/context';
import type { OperationContext } from '../../src/operations/context';
import { forgetAppSettings } from '../../src/workspace/appSettings';

export const TOKEN = 'sEcReT-T0ken-for-tests-9f8e7d';
export const SERVICE_ID = 'svc-user';
export const BASE_URL = 'http://rc.test';

export interface WsUser {
    id: string;
    username: string;
    roles: string[];
    language?: string;
}

export interface WsRoom {
    _id: string;
    name: string;
    fname?: string;
    t: 'c' | 'p' | 'd' | 'l';
    encrypted?: boolean;
    archived?: boolean;
    ro?: boolean;
    teamId?: string;
    teamMain?: boolean;
    prid?: string;
    abacAttributes?: Array<{ key: string; values: string[] }>;
    /** abacAttributes delivered as a mapped field (newer servers) instead of in `_unmappedProperties_`. */
    abacMapped?: boolean;
    /** A federated room: `federated: true` in `_unmappedProperties_` (8.4), or mapped `isFederated` (newer servers). */
    federated?: boolean;
    federatedMapped?: boolean;
    u: { _id: string; username: string };
    ts: Date;
    _updatedAt: Date;
}

export interface WsSubscription {
    rid: string;
    uid: string;
    roles: string[];
}

export interface WsTeam {
    _id: string;
    name: string;
    type: 0 | 1;
    roomId: string;
}

export type HttpFault = (method: string, path: string) => IHttpResponse | 'reject' | undefined;

const DEFAULT_TABLE: Record<string, string[]> = {
    'edit-room': ['admin', 'owner', 'moderator'],
    'toggle-room-e2e-encryption': ['owner', 'admin'],
    'create-c': ['admin', 'user', 'bot', 'app'],
    'create-p': ['admin', 'user', 'bot', 'app'],
    'create-team': ['admin', 'user'],
    'create-team-channel': ['admin', 'owner', 'moderator'],
    'create-team-group': ['admin', 'owner', 'moderator'],
    'view-p-room': ['admin', 'user', 'guest'],
    'view-joined-room': ['guest', 'bot', 'app'],
    'view-c-room': ['admin', 'user', 'bot', 'app'],
};

let ids = 0;
const T0 = new Date('2024-01-02T03:04:05.000Z');

function response(method: string, url: string, statusCode: number, body: unknown): IHttpResponse {
    return { url, method: method as IHttpResponse['method'], statusCode, data: body, content: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

export class FakeWorkspace {
    public users = new Map<string, WsUser>();

    public rooms = new Map<string, WsRoom>();

    public subscriptions: WsSubscription[] = [];

    public teams: WsTeam[] = [];

    public serverSettings: Record<string, unknown> = { E2E_Enable: true, Site_Url: 'http://site.test', Language: 'en' };

    public appSettings: Record<string, unknown> = { service_user_id: SERVICE_ID, service_user_token: TOKEN, server_url: `${BASE_URL}/` };

    /** The workspace's permission table as `permissions.listAll` shows it (change it freely: changes get stamped). */
    public permissions: Record<string, string[]> = { ...DEFAULT_TABLE };

    /**
     * Rocket.Chat's clock for permission documents (ms): every change to `permissions` seen by the next `listAll`
     * gets the next millisecond as its `_updatedAt` (or `_deletedAt`). Tests may set it (a lagging server instance).
     */
    public permissionClock = Date.parse('2024-01-02T03:04:05.000Z');

    /**
     * Rocket.Chat's clock when it answers (ms), sent as the `Date` header of every answer, as Node's http server does
     * (whole seconds, RFC 7231). No `Date` header while undefined.
     */
    public answerClock?: () => number;

    private readonly permissionStamps = new Map<string, { json: string; at: number }>();

    private readonly removedPermissions = new Map<string, number>();

    /** Round trips, in order: `room.getById`, `http.post /api/v1/rooms.saveRoomSettings`, … */
    public calls: string[] = [];

    public requests: Array<{ method: string; url: string; options: IHttpRequest }> = [];

    public writes: Array<{ path: string; body: Record<string, unknown> }> = [];

    public notifications: Array<{ user: IUser; message: IMessage }> = [];

    /** Messages the app posted in rooms (`modify.getCreator().finish`). */
    public posted: IMessage[] = [];

    /** The app's persistence: each record with its associations as `model:id`. */
    public persisted: Array<{ data: object; associations: string[] }> = [];

    public logs: string[] = [];

    public fault?: HttpFault;

    constructor() {
        forgetAppSettings();
        forgetAccessMemory();
        forgetAppUser();
    }

    public addUser(id: string, roles: string[] = ['user'], language?: string): IUser {
        this.users.set(id, { id, username: id, roles, language });
        return this.user(id);
    }

    public addRoom(room: Partial<WsRoom> & { _id: string }, members: Array<[string, string[]?]> = []): WsRoom {
        const full: WsRoom = {
            name: room._id,
            t: 'p',
            u: { _id: 'creator', username: 'creator' },
            ts: T0,
            _updatedAt: T0,
            ...room,
        };
        this.rooms.set(full._id, full);
        members.forEach(([uid, roles]) => this.subscriptions.push({ rid: full._id, uid, roles: roles || [] }));
        return full;
    }

    /** The user as the engine's user converter gives it (`roles` = global roles only). */
    public user(id: string): IUser {
        const u = this.users.get(id);
        if (!u) {
            throw new Error(`no user ${id}`);
        }
        return {
            id: u.id,
            username: u.username,
            name: u.username,
            roles: [...u.roles],
            settings: u.language ? { preferences: { language: u.language } } : undefined,
        } as unknown as IUser;
    }

    /** The room as the engine's room converter gives it. */
    public toIRoom(room: WsRoom): IRoom {
        const unmapped: Record<string, unknown> = { usersCount: this.subscriptions.filter((s) => s.rid === room._id).length };
        if (room.encrypted !== undefined) {
            unmapped.encrypted = room.encrypted;
        }
        if (room.archived !== undefined) {
            unmapped.archived = room.archived;
        }
        if (room.abacAttributes && !room.abacMapped) {
            unmapped.abacAttributes = room.abacAttributes;
        }
        if (room.federated !== undefined && !room.federatedMapped) {
            unmapped.federated = room.federated;
        }
        const parent = room.prid ? this.rooms.get(room.prid) : undefined;
        const converted: Record<string, unknown> = {
            id: room._id,
            slugifiedName: room.name,
            displayName: room.fname || room.name,
            type: room.t,
            creator: { id: room.u._id, username: room.u.username },
            isReadOnly: room.ro === true,
            createdAt: room.ts,
            updatedAt: room._updatedAt,
            teamId: room.teamId,
            isTeamMain: room.teamMain,
            parentRoom: parent ? this.toIRoom(parent) : undefined,
            usernames: [],
            _unmappedProperties_: unmapped,
        };
        if (room.abacAttributes && room.abacMapped) {
            converted.abacAttributes = room.abacAttributes;
        }
        if (room.federated !== undefined && room.federatedMapped) {
            converted.isFederated = room.federated;
        }
        return converted as unknown as IRoom;
    }

    public room(id: string): IRoom {
        const room = this.rooms.get(id);
        if (!room) {
            throw new Error(`no room ${id}`);
        }
        return this.toIRoom(room);
    }

    private record<T>(name: string, value: T): Promise<T> {
        this.calls.push(name);
        return Promise.resolve(value);
    }

    private holders(rid: string, role: string): IUser[] {
        return this.subscriptions.filter((s) => s.rid === rid && s.roles.includes(role)).map((s) => this.user(s.uid));
    }

    public read(): IRead {
        const roomReader = {
            getById: (id: string) => this.record('room.getById', this.rooms.has(id) ? this.room(id) : undefined),
            getByName: (name: string) => {
                const found = [...this.rooms.values()].find((r) => r.name === name);
                return this.record('room.getByName', found ? this.toIRoom(found) : undefined);
            },
            getOwners: (rid: string) => this.record('room.getOwners', this.holders(rid, 'owner')),
            getModerators: (rid: string) => this.record('room.getModerators', this.holders(rid, 'moderator')),
            getLeaders: (rid: string) => this.record('room.getLeaders', this.holders(rid, 'leader')),
            getMembers: (rid: string) =>
                this.record(
                    'room.getMembers',
                    // A subscription whose user no longer exists converts to nothing (upstream audit F6).
                    this.subscriptions.filter((s) => s.rid === rid).map((s) => (this.users.has(s.uid) ? this.user(s.uid) : undefined)),
                ),
        };
        const userReader = {
            getUserRoomIds: (uid: string) => this.record('user.getUserRoomIds', this.subscriptions.filter((s) => s.uid === uid).map((s) => s.rid)),
            getAppUser: () => this.record('user.getAppUser', { id: 'app-bot', username: 'group-admin.bot', roles: ['app'] } as unknown as IUser),
        };
        const settingsReader = {
            getValueById: (id: string) => {
                this.calls.push(`setting.${id}`);
                if (!(id in this.appSettings)) {
                    return Promise.reject(new Error(`Setting "${id}" does not exist.`));
                }
                return Promise.resolve(this.appSettings[id]);
            },
        };
        const serverSettingsReader = {
            getValueById: (id: string) => {
                this.calls.push(`server.${id}`);
                if (!(id in this.serverSettings)) {
                    return Promise.reject(new Error(`No Server Setting found, or it is unaccessible, by the id of "${id}".`));
                }
                return Promise.resolve(this.serverSettings[id]);
            },
        };
        const persistenceReader = {
            readByAssociations: (wanted: RocketChatAssociationRecord[]) =>
                this.record('persistence.readByAssociations', this.matchingRecords(wanted).map((r) => r.data)),
            readByAssociation: (wanted: RocketChatAssociationRecord) =>
                this.record('persistence.readByAssociation', this.matchingRecords([wanted]).map((r) => r.data)),
        };
        return {
            getRoomReader: () => roomReader,
            getUserReader: () => userReader,
            getPersistenceReader: () => persistenceReader,
            getEnvironmentReader: () => ({ getSettings: () => settingsReader, getServerSettings: () => serverSettingsReader }),
        } as unknown as IRead;
    }

    public http(): IHttp {
        const call = (method: string) => async (url: string, options: IHttpRequest = {}) => this.dated(await this.handle(method, url, options));
        return { get: call('get'), post: call('post'), put: call('put'), del: call('delete'), patch: call('patch') } as unknown as IHttp;
    }

    /** The answer with Rocket.Chat's `Date` header, when `answerClock` is set. */
    private dated(answer: IHttpResponse): IHttpResponse {
        return this.answerClock ? { ...answer, headers: { ...answer.headers, date: new Date(this.answerClock()).toUTCString() } } : answer;
    }

    public context(): OperationContext {
        return createOperationContext(this.read(), this.http(), this.logger());
    }

    public modify(): IModify {
        const builder = () => {
            const msg: Partial<IMessage> = {};
            const b = {
                setRoom: (room: IRoom) => ((msg.room = room), b),
                setText: (text: string) => ((msg.text = text), b),
                setSender: (sender: IUser) => ((msg.sender = sender), b),
                getMessage: () => {
                    if (!msg.room) {
                        throw new Error('The "room" property is required.');
                    }
                    return msg as IMessage;
                },
            };
            return b;
        };
        return {
            getCreator: () => ({
                startMessage: builder,
                finish: (b: { getMessage(): IMessage }) => {
                    this.posted.push(b.getMessage());
                    return this.record('creator.finish', 'message-id');
                },
            }),
            getNotifier: () => ({
                notifyUser: (user: IUser, message: IMessage) => {
                    this.notifications.push({ user, message });
                    return this.record('notifier.notifyUser', undefined);
                },
            }),
        } as unknown as IModify;
    }

    private matchingRecords(wanted: RocketChatAssociationRecord[]): Array<{ data: object; associations: string[] }> {
        const keys = wanted.map((a) => `${a.getModel()}:${a.getID()}`);
        return this.persisted.filter((r) => keys.every((k) => r.associations.includes(k)));
    }

    public persistence(): IPersistence {
        return {
            createWithAssociations: (data: object, associations: RocketChatAssociationRecord[]) => {
                this.persisted.push({ data, associations: associations.map((a) => `${a.getModel()}:${a.getID()}`) });
                return this.record('persistence.createWithAssociations', `record-${this.persisted.length}`);
            },
            removeByAssociations: (wanted: RocketChatAssociationRecord[]) => {
                const found = this.matchingRecords(wanted);
                this.persisted = this.persisted.filter((r) => !found.includes(r));
                return this.record('persistence.removeByAssociations', found.map((r) => r.data));
            },
            updateByAssociations: (wanted: RocketChatAssociationRecord[], data: object, upsert = false) => {
                const found = this.matchingRecords(wanted);
                if (!found.length) {
                    if (!upsert) {
                        return Promise.reject(new Error('No persisted record for those associations'));
                    }
                    this.persisted.push({ data, associations: wanted.map((a) => `${a.getModel()}:${a.getID()}`) });
                }
                found.forEach((r) => (r.data = data));
                return this.record('persistence.updateByAssociations', 'updated');
            },
        } as unknown as IPersistence;
    }

    public logger(): ILogger {
        const log = (level: string) => (...items: unknown[]) => this.logs.push(`${level} ${items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join(' ')}`);
        return { debug: log('debug'), info: log('info'), log: log('log'), warn: log('warn'), error: log('error'), success: log('success') } as unknown as ILogger;
    }

    /**
     * Sets a permission document as it is, stamped `at` whatever `permissionClock` says: a document restored or
     * imported with a bad clock, or written by a server instance whose clock is ahead.
     */
    public stampPermission(id: string, roles: string[], at: number): void {
        this.permissions[id] = roles;
        this.permissionStamps.set(id, { json: JSON.stringify(roles), at });
        this.removedPermissions.delete(id);
    }

    /** Stamps what changed in `permissions` since the last read, as Rocket.Chat's `_updatedAt` / trash would. */
    private stampPermissions(): void {
        for (const id of Object.keys(this.permissions)) {
            const json = JSON.stringify(this.permissions[id]);
            const known = this.permissionStamps.get(id);
            if (!known || known.json !== json) {
                this.permissionStamps.set(id, { json, at: ++this.permissionClock });
                this.removedPermissions.delete(id);
            }
        }
        for (const id of [...this.permissionStamps.keys()]) {
            if (!(id in this.permissions)) {
                this.permissionStamps.delete(id);
                this.removedPermissions.set(id, ++this.permissionClock);
            }
        }
    }

    /** `permissions.listAll[?updatedSince=]`: everything, or what changed strictly after `updatedSince`. */
    private listAll(updatedSince: string | null): Record<string, unknown> {
        this.stampPermissions();
        const after = updatedSince ? Date.parse(updatedSince) : undefined;
        const update = [...this.permissionStamps.entries()]
            .filter(([, stamp]) => after === undefined || stamp.at > after)
            .map(([_id, stamp]) => ({ _id, roles: this.permissions[_id], _updatedAt: new Date(stamp.at).toISOString() }));
        const remove =
            after === undefined
                ? []
                : [...this.removedPermissions.entries()].filter(([, at]) => at > after).map(([_id, at]) => ({ _id, _deletedAt: new Date(at).toISOString() }));
        return { update, remove, success: true };
    }

    /** The workspace's REST API as the service account sees it. */
    private async handle(method: string, url: string, options: IHttpRequest): Promise<IHttpResponse> {
        const parsed = new URL(url);
        const path = parsed.pathname;
        this.calls.push(`http.${method} ${path}`);
        this.requests.push({ method, url, options });
        const injected = this.fault ? this.fault(method, path) : undefined;
        if (injected === 'reject') {
            throw new Error(`connect ECONNREFUSED ${url}`);
        }
        if (injected) {
            return injected;
        }
        const headers = options.headers || {};
        if (headers['X-User-Id'] !== SERVICE_ID || headers['X-Auth-Token'] !== TOKEN) {
            return response(method, url, 401, { success: false, error: 'You must be logged in to do this.' });
        }
        const body = options.content ? (JSON.parse(options.content) as Record<string, unknown>) : {};
        if (method === 'get' && path === '/api/v1/permissions.listAll') {
            return response(method, url, 200, this.listAll(parsed.searchParams.get('updatedSince')));
        }
        if (method === 'get' && path === '/api/v1/teams.info') {
            const team = this.teams.find((t) => t._id === parsed.searchParams.get('teamId'));
            return team
                ? response(method, url, 200, { teamInfo: { ...team, roomId: team.roomId }, success: true })
                : response(method, url, 400, { success: false, error: 'Team not found' });
        }
        if (method === 'post' && path === '/api/v1/rooms.saveRoomSettings') {
            this.writes.push({ path, body });
            const room = this.rooms.get(String(body.rid));
            if (!room) {
                return response(method, url, 400, { success: false, error: 'Invalid room [error-invalid-room]', errorType: 'error-invalid-room' });
            }
            if ('encrypted' in body) {
                room.encrypted = body.encrypted === true;
            }
            if ('roomType' in body) {
                room.t = body.roomType as WsRoom['t'];
            }
            room._updatedAt = new Date(room._updatedAt.getTime() + 1000);
            return response(method, url, 200, { rid: room._id, success: true });
        }
        if (method === 'post' && path === '/api/v1/teams.create') {
            this.writes.push({ path, body });
            const name = String(body.name);
            const taken = [...this.users.values()].some((u) => u.username.toLowerCase() === name.toLowerCase()) || this.teams.some((t) => t.name.toLowerCase() === name.toLowerCase());
            if (taken) {
                return response(method, url, 400, { success: false, error: 'team-name-already-exists' });
            }
            const roomId = String((body.room as { id: string }).id);
            const team: WsTeam = { _id: `team-${++ids}`, name, type: 1, roomId };
            this.teams.push(team);
            const room = this.rooms.get(roomId);
            if (room) {
                room.teamId = team._id;
                room.teamMain = true;
            }
            return response(method, url, 200, {
                team: { ...team, createdAt: T0.toISOString(), createdBy: { _id: SERVICE_ID, username: 'service' }, _updatedAt: T0.toISOString(), extra: 'x' },
                success: true,
            });
        }
        return response(method, url, 404, { success: false, error: 'Not found' });
    }
}
