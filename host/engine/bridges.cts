/**
 * The Apps-Engine bridges of the in-memory Rocket.Chat server: what Rocket.Chat's `apps/meteor/app/apps/server/bridges/*`
 * do, backed by a {@link Workspace}. Only the bridges an app like ours reaches are implemented; the others are
 * instances of the engine's abstract classes whose unimplemented methods fail loudly when called.
 *
 * Every bridge extends the engine's own class (same engine copy), so the inherited `do*` wrappers run the engine's
 * app-permission checks exactly as on a server.
 */
import { generateKeyPairSync, randomUUID } from 'crypto';

import type { IHttpResponse } from '@rocket.chat/apps-engine/definition/accessors';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import type { RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { IRoom, IRoomRaw, RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { ISlashCommand } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUIKitInteraction } from '@rocket.chat/apps-engine/definition/uikit';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { AppApi } from '@rocket.chat/apps-engine/server/managers/AppApi';
import type { ProxiedApp } from '@rocket.chat/apps-engine/server/ProxiedApp';
import type { IHttpBridgeRequestInfo } from '@rocket.chat/apps-engine/server/bridges/HttpBridge';
import { ApiBridge } from '@rocket.chat/apps-engine/server/bridges/ApiBridge';
import { AppActivationBridge } from '@rocket.chat/apps-engine/server/bridges/AppActivationBridge';
import { AppBridges } from '@rocket.chat/apps-engine/server/bridges/AppBridges';
import { AppDetailChangesBridge } from '@rocket.chat/apps-engine/server/bridges/AppDetailChangesBridge';
import { CloudWorkspaceBridge } from '@rocket.chat/apps-engine/server/bridges/CloudWorkspaceBridge';
import { CommandBridge } from '@rocket.chat/apps-engine/server/bridges/CommandBridge';
import { ContactBridge } from '@rocket.chat/apps-engine/server/bridges/ContactBridge';
import { EmailBridge } from '@rocket.chat/apps-engine/server/bridges/EmailBridge';
import { EnvironmentalVariableBridge } from '@rocket.chat/apps-engine/server/bridges/EnvironmentalVariableBridge';
import { ExperimentalBridge } from '@rocket.chat/apps-engine/server/bridges/ExperimentalBridge';
import { HttpBridge } from '@rocket.chat/apps-engine/server/bridges/HttpBridge';
import type { IInternalFederationBridge } from '@rocket.chat/apps-engine/server/bridges/IInternalFederationBridge';
import type { IListenerBridge } from '@rocket.chat/apps-engine/server/bridges/IListenerBridge';
import { InternalBridge } from '@rocket.chat/apps-engine/server/bridges/InternalBridge';
import { LivechatBridge } from '@rocket.chat/apps-engine/server/bridges/LivechatBridge';
import { MessageBridge } from '@rocket.chat/apps-engine/server/bridges/MessageBridge';
import { ModerationBridge } from '@rocket.chat/apps-engine/server/bridges/ModerationBridge';
import { OAuthAppsBridge } from '@rocket.chat/apps-engine/server/bridges/OAuthAppsBridge';
import { OutboundMessageBridge } from '@rocket.chat/apps-engine/server/bridges/OutboundMessagesBridge';
import { PersistenceBridge } from '@rocket.chat/apps-engine/server/bridges/PersistenceBridge';
import { RoleBridge } from '@rocket.chat/apps-engine/server/bridges/RoleBridge';
import { RoomBridge } from '@rocket.chat/apps-engine/server/bridges/RoomBridge';
import type { GetRoomsFilters, GetRoomsOptions } from '@rocket.chat/apps-engine/server/bridges/RoomBridge';
import type { SchedulerBridge } from '@rocket.chat/apps-engine/server/bridges/SchedulerBridge';
import { ServerSettingBridge } from '@rocket.chat/apps-engine/server/bridges/ServerSettingBridge';
import { ThreadBridge } from '@rocket.chat/apps-engine/server/bridges/ThreadBridge';
import { UiInteractionBridge } from '@rocket.chat/apps-engine/server/bridges/UiInteractionBridge';
import { UploadBridge } from '@rocket.chat/apps-engine/server/bridges/UploadBridge';
import { UserBridge } from '@rocket.chat/apps-engine/server/bridges/UserBridge';
import { VideoConferenceBridge } from '@rocket.chat/apps-engine/server/bridges/VideoConferenceBridge';

import type { Workspace } from '../workspace/Workspace.cjs';
import type { WsUser } from '../workspace/model.cjs';
import { convertRoom, convertRoomRaw, convertUser } from './converters.cjs';
import { HostSchedulerBridge, JobRunner, MemoryJobCollection } from './scheduler.cjs';

/** An ephemeral message (`notifyUser`) or UI interaction (`UiInteractionBridge.notifyUser`) the app sent to one user. */
export interface Delivery {
    kind: 'ephemeral' | 'uiInteraction';
    toUserId: string;
    roomId?: string;
    text?: string;
    message?: IMessage;
    interaction?: IUIKitInteraction;
    at: Date;
}

/** What the engine registered on the "server" and what the app sent, for tests and the local workspace. */
export interface HostRecords {
    commands: Map<string, ISlashCommand>;
    apis: AppApi[];
    deliveries: Delivery[];
    /** Bridge method calls (`RoomBridge.getById`, …) since the last reset. */
    bridgeCalls: Map<string, number>;
    /** The app users the engine created on install (app id → user), carried over when the workspace is swapped. */
    appUsers: Map<string, WsUser>;
}

/** Shared, swappable state behind every bridge. */
export interface HostContext {
    workspace: Workspace;
    records: HostRecords;
    /** Origins (scheme://host:port) served by the workspace's REST API; anything else is unreachable (no network). */
    restOrigins: () => string[];
    onDelivery?: (delivery: Delivery) => void;
}

/** Instantiates an engine bridge class that this host does not implement: any call of its methods fails. */
function unimplemented<T>(Base: abstract new () => T): T {
    return new (Base as unknown as new () => T)();
}

function notFound(what: string): Error {
    return new Error(`${what} is not implemented by the in-memory workspace`);
}

class HostApiBridge extends ApiBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async registerApi(api: AppApi): Promise<void> {
        this.ctx.records.apis.push(api);
    }

    protected async unregisterApis(appId: string): Promise<void> {
        this.ctx.records.apis = this.ctx.records.apis.filter((api) => api.appId !== appId);
    }
}

class HostCommandBridge extends CommandBridge {
    private readonly disabled = new Set<string>();

    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async doesCommandExist(command: string): Promise<boolean> {
        return this.ctx.records.commands.has(command.toLowerCase());
    }

    protected async enableCommand(command: string): Promise<void> {
        this.disabled.delete(command.toLowerCase());
    }

    protected async disableCommand(command: string): Promise<void> {
        this.disabled.add(command.toLowerCase());
    }

    protected async modifyCommand(command: ISlashCommand): Promise<void> {
        this.ctx.records.commands.set(command.command.toLowerCase(), command);
    }

    protected async registerCommand(command: ISlashCommand): Promise<void> {
        this.ctx.records.commands.set(command.command.toLowerCase(), command);
    }

    protected async unregisterCommand(command: string): Promise<void> {
        this.ctx.records.commands.delete(command.toLowerCase());
    }
}

class HostActivationBridge extends AppActivationBridge {
    protected async appAdded(): Promise<void> {}

    protected async appUpdated(): Promise<void> {}

    protected async appRemoved(): Promise<void> {}

    protected async appStatusChanged(_app: ProxiedApp): Promise<void> {}

    protected async actionsChanged(): Promise<void> {}
}

class HostDetailChangesBridge extends AppDetailChangesBridge {
    protected onAppSettingsChange(): void {}
}

class HostEnvironmentalVariableBridge extends EnvironmentalVariableBridge {
    protected async getValueByName(): Promise<string | undefined> {
        return undefined;
    }

    protected async isReadable(): Promise<boolean> {
        return false;
    }

    protected async isSet(): Promise<boolean> {
        return false;
    }
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** An HTTP failure as the app sees it through the accessor: a rejected call carrying a message and a code. */
export class TransportError extends Error {
    constructor(
        message: string,
        readonly code: string,
    ) {
        super(message);
    }
}

/**
 * Rocket.Chat's `AppHttpBridge`, with the network replaced: requests to the workspace's own origins are answered by
 * its REST API in memory; every other address is unreachable, as on this machine.
 */
class HostHttpBridge extends HttpBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async call(info: IHttpBridgeRequestInfo): Promise<IHttpResponse> {
        const url = new URL(info.url);
        const { request } = info;
        const method = info.method.toUpperCase();
        const isGetOrHead = method === 'GET' || method === 'HEAD';
        for (const [key, value] of Object.entries(request.params ?? {})) {
            if (value) {
                url.searchParams.append(key, value);
            }
        }
        if (!this.ctx.restOrigins().includes(url.origin)) {
            throw new TransportError(`request to ${url.origin} failed, reason: connect ECONNREFUSED`, 'ECONNREFUSED');
        }
        let body: unknown;
        if (!isGetOrHead) {
            if (typeof request.content === 'string' && request.content !== '') {
                try {
                    body = JSON.parse(request.content);
                } catch {
                    body = request.content;
                }
            } else if (request.data !== undefined) {
                body = request.data;
            }
        }
        const query: Record<string, string> = {};
        url.searchParams.forEach((value, key) => {
            query[key] = value;
        });
        const timeout = request.timeout || 3 * 60 * 1000;
        // The app calls its own server: the peer address is the server's (`handleHttp`'s default, 127.0.0.1); the
        // headers the app sent (X-User-Id, X-Auth-Token, X-Real-IP, X-Forwarded-For, …) reach the router as they are.
        const answer = this.ctx.workspace.handleHttp({ method, path: url.pathname, query, headers: request.headers ?? {}, body });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => reject(new TransportError(`network timeout at: ${url.origin}${url.pathname}`, 'ETIMEDOUT')), timeout);
        });
        try {
            const response = await Promise.race([answer, timedOut]);
            const content = JSON.stringify(response.body ?? null);
            return {
                url: info.url,
                method: info.method,
                statusCode: response.status,
                // Rocket.Chat's REST API runs on Node's http server (Meteor's WebApp / Express), which adds `Date` (the
                // time of the answer, whole seconds, IMF-fixdate) to every response: Node `lib/_http_outgoing.js` /
                // `ServerResponse.sendDate`, on by default. Upstream `AppHttpBridge.call` passes the headers on as
                // `Object.fromEntries(response.headers)` (lower-case names).
                headers: { date: new Date().toUTCString(), ...lowerCased(response.headers), 'content-type': 'application/json' },
                content,
                data: JSON.parse(content),
            };
        } finally {
            clearTimeout(timer);
        }
    }
}

class HostMessageBridge extends MessageBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    /**
     * Upstream `AppMessageBridge.create` (`apps/meteor/app/apps/server/bridges/messages.ts`): the message converter, then
     * `MessageService.sendMessage(u._id, message)` — stored as a workspace message in the room, sent by the message's
     * sender (the app's bot user when the app set none), `ts` now. Returns the new message id.
     */
    protected async create(message: IMessage, appId: string): Promise<string> {
        const roomId = message.room?.id;
        if (!roomId || !this.ctx.workspace.getRoom(roomId)) {
            throw new Error('Invalid room provided to the message');
        }
        const senderId = message.sender?.id ?? this.ctx.records.appUsers.get(appId)?._id;
        if (!senderId || !this.ctx.workspace.getUser(senderId)) {
            throw new Error('Invalid sender assigned to the message');
        }
        const sent = this.ctx.workspace.sendMessageAs(roomId, senderId, message.text ?? '', {
            attachments: message.attachments as unknown[] | undefined,
            blocks: message.blocks as unknown[] | undefined,
            tmid: message.threadId,
            groupable: message.groupable,
        });
        return sent._id;
    }

    protected async update(): Promise<void> {
        throw notFound('MessageBridge.update');
    }

    protected async notifyUser(user: IUser, message: IMessage): Promise<void> {
        const delivery: Delivery = {
            kind: 'ephemeral',
            toUserId: user.id,
            roomId: message.room?.id,
            text: message.text,
            message,
            at: new Date(),
        };
        this.ctx.records.deliveries.push(delivery);
        this.ctx.onDelivery?.(delivery);
    }

    protected async notifyRoom(): Promise<void> {
        throw notFound('MessageBridge.notifyRoom');
    }

    protected async typing(): Promise<void> {}

    protected async getById(): Promise<IMessage> {
        throw notFound('MessageBridge.getById');
    }

    protected async delete(): Promise<void> {
        throw notFound('MessageBridge.delete');
    }

    protected async addReaction(): Promise<void> {
        throw notFound('MessageBridge.addReaction');
    }

    protected async removeReaction(): Promise<void> {
        throw notFound('MessageBridge.removeReaction');
    }
}

interface PersistedRecord {
    appId: string;
    data: object;
    associations: RocketChatAssociationRecord[];
}

/**
 * An association's `model:id`. From the Deno runtime associations arrive as plain `{ model, id }` objects (msgpack
 * carries no class); in-process ones are `RocketChatAssociationRecord` instances.
 */
function associationKey(association: RocketChatAssociationRecord): string {
    const a = association as unknown as { model?: unknown; id?: unknown; getModel?: () => unknown; getID?: () => unknown };
    const model = typeof a.getModel === 'function' ? a.getModel() : a.model;
    const id = typeof a.getID === 'function' ? a.getID() : a.id;
    return `${String(model)}:${String(id)}`;
}

/**
 * Rocket.Chat's app persistence (`rocketchat_apps_persistence`), in memory. Records live as long as the store: a
 * disable / enable keeps them (the engine purges them only on uninstall, `AppManager.removeLocal`). Every method is one
 * atomic operation on plain data, so a workspace process can serve one store to several instances (host/multi/).
 */
export class MemoryPersistenceStore {
    private readonly records = new Map<string, PersistedRecord>();
    /**
     * Record ids per app and association, as Rocket.Chat's index on `rocketchat_apps_persistence` (`{ appId: 1,
     * associations: 1 }`, `apps/meteor/server/models/raw/AppsPersistence.ts`) lets MongoDB find them without a scan.
     */
    private readonly index = new Map<string, Set<string>>();

    private indexKey(appId: string, association: RocketChatAssociationRecord): string {
        return `${appId}\u0000${associationKey(association)}`;
    }

    private add(id: string, record: PersistedRecord): void {
        this.records.set(id, record);
        for (const association of record.associations) {
            const key = this.indexKey(record.appId, association);
            const ids = this.index.get(key) ?? new Set<string>();
            ids.add(id);
            this.index.set(key, ids);
        }
    }

    private delete(id: string): void {
        const record = this.records.get(id);
        if (!record) {
            return;
        }
        this.records.delete(id);
        for (const association of record.associations) {
            this.index.get(this.indexKey(record.appId, association))?.delete(id);
        }
    }

    /** The app's records holding every one of `associations` (`$all`), in the order they were created. */
    private matching(associations: RocketChatAssociationRecord[], appId: string): Array<[string, PersistedRecord]> {
        if (!associations.length) {
            return [...this.records.entries()].filter(([, record]) => record.appId === appId);
        }
        const sets = associations.map((association) => this.index.get(this.indexKey(appId, association)) ?? new Set<string>());
        const smallest = sets.reduce((a, b) => (b.size < a.size ? b : a));
        const found: Array<[string, PersistedRecord]> = [];
        for (const id of smallest) {
            const record = this.records.get(id);
            if (record && sets.every((set) => set.has(id))) {
                found.push([id, record]);
            }
        }
        return found;
    }

    purge(appId: string): void {
        for (const [id, record] of [...this.records]) {
            if (record.appId === appId) {
                this.delete(id);
            }
        }
    }

    create(data: object, associations: RocketChatAssociationRecord[], appId: string): string {
        const id = randomUUID();
        this.add(id, { appId, data, associations });
        return id;
    }

    readById(id: string, appId: string): object | undefined {
        const record = this.records.get(id);
        return record && record.appId === appId ? record.data : undefined;
    }

    readByAssociations(associations: RocketChatAssociationRecord[], appId: string): object[] {
        return this.matching(associations, appId).map(([, record]) => record.data);
    }

    remove(id: string, appId: string): object | undefined {
        const record = this.records.get(id);
        if (!record || record.appId !== appId) {
            return undefined;
        }
        this.delete(id);
        return record.data;
    }

    removeByAssociations(associations: RocketChatAssociationRecord[], appId: string): object[] | undefined {
        const found = this.matching(associations, appId);
        found.forEach(([id]) => this.delete(id));
        return found.length ? found.map(([, record]) => record.data) : undefined;
    }

    update(id: string, data: object, upsert: boolean, appId: string): string {
        const record = this.records.get(id);
        if (!record && !upsert) {
            throw new Error(`No persisted record ${id}`);
        }
        this.records.set(id, { appId, data, associations: record?.associations ?? [] });
        return id;
    }

    updateByAssociations(associations: RocketChatAssociationRecord[], data: object, upsert: boolean, appId: string): string {
        const found = this.matching(associations, appId);
        if (found.length === 0) {
            if (!upsert) {
                throw new Error('No persisted record for those associations');
            }
            return this.create(data, associations, appId);
        }
        const [id, record] = found[0];
        this.records.set(id, { ...record, data });
        return id;
    }
}

/** What the persistence bridge needs of the store (a {@link MemoryPersistenceStore}, here or in a workspace process). */
export type PersistenceStore = Pick<MemoryPersistenceStore, keyof MemoryPersistenceStore>;

/** Rocket.Chat's `AppPersistenceBridge` over a {@link PersistenceStore}. */
class HostPersistenceBridge extends PersistenceBridge {
    constructor(private readonly store: PersistenceStore) {
        super();
    }

    protected async purge(appId: string): Promise<void> {
        this.store.purge(appId);
    }

    protected async create(data: object, appId: string): Promise<string> {
        return this.store.create(data, [], appId);
    }

    protected async createWithAssociations(data: object, associations: RocketChatAssociationRecord[], appId: string): Promise<string> {
        return this.store.create(data, associations, appId);
    }

    protected async readById(id: string, appId: string): Promise<object> {
        return this.store.readById(id, appId) as object;
    }

    protected async readByAssociations(associations: RocketChatAssociationRecord[], appId: string): Promise<object[]> {
        return this.store.readByAssociations(associations, appId);
    }

    protected async remove(id: string, appId: string): Promise<object | undefined> {
        return this.store.remove(id, appId);
    }

    protected async removeByAssociations(associations: RocketChatAssociationRecord[], appId: string): Promise<object[] | undefined> {
        return this.store.removeByAssociations(associations, appId);
    }

    protected async update(id: string, data: object, upsert: boolean, appId: string): Promise<string> {
        return this.store.update(id, data, upsert, appId);
    }

    protected async updateByAssociations(
        associations: RocketChatAssociationRecord[],
        data: object,
        upsert: boolean,
        appId: string,
    ): Promise<string> {
        return this.store.updateByAssociations(associations, data, upsert, appId);
    }
}

/** Rocket.Chat's `AppRoomBridge` reads, through the room converter. Writes are refused (the app must use REST). */
class HostRoomBridge extends RoomBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    private get ws(): Workspace {
        return this.ctx.workspace;
    }

    private users(ids: Array<{ _id: string }>): IUser[] {
        return ids.map((u) => convertUser(this.ws.getUser(u._id))).filter((u): u is IUser => !!u);
    }

    /**
     * Upstream `AppRoomBridge.create` (`apps/meteor/app/apps/server/bridges/rooms.ts`) for a direct message: the
     * `createDirectMessage` method as the room's creator with the members' usernames (the creator among them). Other
     * room types are not modelled here.
     */
    protected async create(room: IRoom, members: Array<string>): Promise<string> {
        if (String(room.type) !== 'd') {
            throw notFound('RoomBridge.create of a room that is not a direct message');
        }
        const creatorId = room.creator?.id;
        if (!creatorId || !this.ws.getUser(creatorId)) {
            throw new Error('Invalid creator of the direct message');
        }
        const ids = members.map((username) => this.ws.getUserByUsername(username)?._id).filter((id): id is string => !!id);
        return this.ws.createDirectRoom([creatorId, ...ids])._id;
    }

    protected async getById(roomId: string): Promise<IRoom> {
        return convertRoom(this.ws, this.ws.getRoom(roomId)) as IRoom;
    }

    protected async getByName(roomName: string): Promise<IRoom> {
        return convertRoom(this.ws, this.ws.getRoomByName(roomName)) as IRoom;
    }

    protected async getCreatorById(roomId: string): Promise<IUser | undefined> {
        const room = this.ws.getRoom(roomId);
        return room ? convertUser(this.ws.getUser(room.u._id)) : undefined;
    }

    protected async getCreatorByName(roomName: string): Promise<IUser | undefined> {
        const room = this.ws.getRoomByName(roomName);
        return room ? convertUser(this.ws.getUser(room.u._id)) : undefined;
    }

    /** Upstream `AppRoomBridge.getDirectByUsernames`: `Rooms.findDirectRoomContainingAllUsernames`, converted. */
    protected async getDirectByUsernames(usernames: Array<string>): Promise<IRoom | undefined> {
        const room = this.ws.findDirectRoom(usernames);
        return room ? (convertRoom(this.ws, room) as IRoom) : undefined;
    }

    /**
     * Upstream `AppRoomBridge.getMembers` (`apps/meteor/app/apps/server/bridges/rooms.ts`): every subscription of the
     * room (`Subscriptions.findByRoomId`, invitations included) through `users.convertById`, unfiltered, so a
     * subscription whose user was deleted yields `undefined` (`null` once the engine's msgpack codec carried it to the app).
     */
    protected async getMembers(roomId: string): Promise<IUser[]> {
        return this.ws.getMemberIds(roomId).map((id) => convertUser(this.ws.getUser(id))) as IUser[];
    }

    /**
     * `IRoomRead.getAllRooms(filters, { limit, skip })` (apps-engine 1.59+; the engine's `RoomBridge.doGetAllRooms` answers
     * `undefined` unless the app holds `room.system.view-all`, `AppPermissions.room['system-view-all']`, and the app side
     * checks `limit` 1–100). Upstream's `AppRoomBridge.getAllRooms` (`apps/meteor/app/apps/server/bridges/rooms.ts`) reads
     * the rooms collection with the filters as a query — `types` → `t: { $in }`, `discussions` → `prid` present / absent,
     * `teams` → `teamMain` true / not — in natural order with `skip` / `limit`, and converts each room raw
     * (`convertRoomRaw`: no relational lookups) with a fixed projection that leaves out `encrypted`, `archived` and
     * `e2eKeyId` (upstream-governance-notes.md §3): the encryption state needs one `getById` per room.
     */
    protected async getAllRooms(filters: GetRoomsFilters = {}, options: GetRoomsOptions = {}): Promise<IRoomRaw[]> {
        const { types, discussions, teams } = filters;
        const skip = options.skip ?? 0;
        const limit = options.limit ?? 100;
        return this.ws
            .findRooms(
                (room) =>
                    (!types || types.includes(room.t as RoomType)) &&
                    (discussions === undefined || discussions === (room.prid !== undefined)) &&
                    (teams === undefined || teams === (room.teamMain === true)),
                skip,
                limit,
            )
            .map(convertRoomRaw);
    }

    protected async update(): Promise<void> {
        // Group Admin must never write a room through the room updater (interface.md §5): fail loudly if it does.
        throw new Error('RoomBridge.update is not allowed in the Group Admin test workspace: write through REST');
    }

    protected async createDiscussion(): Promise<string> {
        throw notFound('RoomBridge.createDiscussion');
    }

    protected async delete(): Promise<void> {
        throw notFound('RoomBridge.delete');
    }

    protected async getModerators(roomId: string): Promise<IUser[]> {
        return this.users(this.ws.getUsersWithRoomRole(roomId, 'moderator'));
    }

    protected async getOwners(roomId: string): Promise<IUser[]> {
        return this.users(this.ws.getUsersWithRoomRole(roomId, 'owner'));
    }

    protected async getLeaders(roomId: string): Promise<IUser[]> {
        return this.users(this.ws.getUsersWithRoomRole(roomId, 'leader'));
    }

    protected async getMessages(): Promise<never[]> {
        throw notFound('RoomBridge.getMessages');
    }

    protected async removeUsers(): Promise<void> {
        throw notFound('RoomBridge.removeUsers');
    }

    protected async getUnreadByUser(): Promise<never[]> {
        throw notFound('RoomBridge.getUnreadByUser');
    }

    protected async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }
}

/** Server settings as `AppServerSettingBridge` exposes them (`ISetting` documents, read-only here). */
class HostServerSettingBridge extends ServerSettingBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    private toSetting(id: string): ISetting {
        const value = this.ctx.workspace.getSetting(id);
        const type = typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'int' : 'string';
        return {
            id,
            type,
            packageValue: value,
            value,
            required: false,
            public: true,
            i18nLabel: id,
        } as unknown as ISetting;
    }

    protected async getAll(): Promise<ISetting[]> {
        return Object.keys(this.ctx.workspace.toJSON().settings).map((id) => this.toSetting(id));
    }

    protected async getOneById(id: string): Promise<ISetting> {
        if (this.ctx.workspace.getSetting(id) === undefined) {
            throw new Error(`The setting "${id}" is not readable.`);
        }
        return this.toSetting(id);
    }

    protected async hideGroup(): Promise<void> {
        throw notFound('ServerSettingBridge.hideGroup');
    }

    protected async hideSetting(): Promise<void> {
        throw notFound('ServerSettingBridge.hideSetting');
    }

    protected async isReadableById(id: string): Promise<boolean> {
        return this.ctx.workspace.getSetting(id) !== undefined;
    }

    protected async updateOne(): Promise<void> {
        throw notFound('ServerSettingBridge.updateOne');
    }

    protected async incrementValue(): Promise<void> {
        throw notFound('ServerSettingBridge.incrementValue');
    }
}

class HostUiInteractionBridge extends UiInteractionBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async notifyUser(user: IUser, interaction: IUIKitInteraction): Promise<void> {
        const delivery: Delivery = { kind: 'uiInteraction', toUserId: user.id, interaction, at: new Date() };
        this.ctx.records.deliveries.push(delivery);
        this.ctx.onDelivery?.(delivery);
    }
}

/** Rocket.Chat's `AppUserBridge` reads; the app's bot user is created in the workspace on install. */
class HostUserBridge extends UserBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async getById(id: string): Promise<IUser> {
        return convertUser(this.ctx.workspace.getUser(id)) as IUser;
    }

    protected async getByUsername(username: string): Promise<IUser> {
        return convertUser(this.ctx.workspace.getUserByUsername(username)) as IUser;
    }

    protected async getAppUser(appId?: string): Promise<IUser | undefined> {
        const id = appId ? this.ctx.records.appUsers.get(appId)?._id : undefined;
        const user = id ? this.ctx.workspace.getUser(id) : undefined;
        return user ? ({ ...(convertUser(user) as IUser), appId } as IUser) : undefined;
    }

    protected async getActiveUserCount(): Promise<number> {
        return this.ctx.workspace.listUsers().filter((u) => u.active).length;
    }

    protected async getUserUnreadMessageCount(): Promise<number> {
        return 0;
    }

    protected async getUserRoomIds(userId: string): Promise<string[]> {
        return this.ctx.workspace.getUserRoomIds(userId);
    }

    protected async create(data: Partial<IUser>, appId: string): Promise<string> {
        const existing = data.username ? this.ctx.workspace.getUserByUsername(data.username) : undefined;
        const user =
            existing ??
            this.ctx.workspace.addUser({
                username: data.username ?? `${appId}.bot`,
                name: data.name,
                roles: data.roles ?? ['app'],
                type: 'app',
            });
        this.ctx.records.appUsers.set(appId, user);
        return user._id;
    }

    protected async remove(user: IUser, appId: string): Promise<boolean> {
        this.ctx.records.appUsers.delete(appId);
        return true;
    }

    protected async update(): Promise<boolean> {
        throw notFound('UserBridge.update');
    }

    protected async deleteUsersCreatedByApp(): Promise<boolean> {
        return true;
    }

    protected async deactivate(): Promise<boolean> {
        throw notFound('UserBridge.deactivate');
    }
}

class HostInternalBridge extends InternalBridge {
    constructor(private readonly ctx: HostContext) {
        super();
    }

    protected async getUsernamesOfRoomById(roomId: string): Promise<string[]> {
        return this.getUsernamesOfRoomByIdSync(roomId);
    }

    protected getUsernamesOfRoomByIdSync(roomId: string): string[] {
        return this.ctx.workspace.getMembers(roomId).map((u) => u.username);
    }

    protected async getWorkspacePublicKey(): Promise<ISetting> {
        throw notFound('InternalBridge.getWorkspacePublicKey');
    }
}

/** The key pair the engine signs an app with on install and verifies on enable (Rocket.Chat keeps it in settings). */
export interface SigningKeys {
    publicKey: string;
    privateKey: string;
}

/** A new workspace key pair (one per workspace: every instance of it signs and verifies with the same one). */
export function newSigningKeys(): SigningKeys {
    return generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
}

class HostFederationBridge implements IInternalFederationBridge {
    constructor(private readonly keys: SigningKeys) {}

    async getPrivateKey(): Promise<string> {
        return this.keys.privateKey;
    }

    async getPublicKey(): Promise<string> {
        return this.keys.publicKey;
    }
}

/** Listeners: this app implements none; the engine only asks when an event fires. */
const listenerBridge: IListenerBridge = {
    async messageEvent() {
        return undefined;
    },
    async roomEvent() {
        return undefined;
    },
    async uiKitInteractionEvent() {
        return undefined;
    },
    async livechatEvent() {
        return undefined;
    },
} as unknown as IListenerBridge;

export class HostBridges extends AppBridges {
    private readonly api: HostApiBridge;
    private readonly command: HostCommandBridge;
    private readonly activation = new HostActivationBridge();
    private readonly detailChanges = new HostDetailChangesBridge();
    private readonly envVars = new HostEnvironmentalVariableBridge();
    private readonly http: HostHttpBridge;
    private readonly message: HostMessageBridge;
    private readonly persistence: HostPersistenceBridge;
    private readonly room: HostRoomBridge;
    private readonly internal: HostInternalBridge;
    private readonly federation: HostFederationBridge;
    private readonly serverSetting: HostServerSettingBridge;
    private readonly uiInteraction: HostUiInteractionBridge;
    private readonly user: HostUserBridge;
    private readonly livechat = unimplemented(LivechatBridge);
    private readonly contact = unimplemented(ContactBridge);
    private readonly upload = unimplemented(UploadBridge);
    private readonly email = unimplemented(EmailBridge);
    private readonly scheduler: HostSchedulerBridge;
    private readonly cloud = unimplemented(CloudWorkspaceBridge);
    private readonly videoConf = unimplemented(VideoConferenceBridge);
    private readonly oauthApps = unimplemented(OAuthAppsBridge);
    private readonly moderation = unimplemented(ModerationBridge);
    private readonly thread = unimplemented(ThreadBridge);
    private readonly role = unimplemented(RoleBridge);
    private readonly outbound = unimplemented(OutboundMessageBridge);
    private readonly experimental = unimplemented(ExperimentalBridge);

    /**
     * `scheduler`: the host's Agenda bridge (default: one over a collection of its own, never started); `persistence`:
     * the app persistence store (default: a new in-memory one); `signingKeys`: the workspace's key pair (default: new).
     */
    constructor(ctx: HostContext, options: { scheduler?: HostSchedulerBridge; persistence?: PersistenceStore; signingKeys?: SigningKeys } = {}) {
        super();
        this.scheduler = options.scheduler ?? new HostSchedulerBridge(new JobRunner({ collection: new MemoryJobCollection() }));
        this.persistence = new HostPersistenceBridge(options.persistence ?? new MemoryPersistenceStore());
        this.federation = new HostFederationBridge(options.signingKeys ?? newSigningKeys());
        this.api = new HostApiBridge(ctx);
        this.command = new HostCommandBridge(ctx);
        this.http = new HostHttpBridge(ctx);
        this.message = new HostMessageBridge(ctx);
        this.room = new HostRoomBridge(ctx);
        this.internal = new HostInternalBridge(ctx);
        this.serverSetting = new HostServerSettingBridge(ctx);
        this.uiInteraction = new HostUiInteractionBridge(ctx);
        this.user = new HostUserBridge(ctx);
        countCalls(this, ctx.records.bridgeCalls);
    }

    getCommandBridge(): CommandBridge {
        return this.command;
    }

    getContactBridge(): ContactBridge {
        return this.contact;
    }

    getApiBridge(): ApiBridge {
        return this.api;
    }

    getAppDetailChangesBridge(): AppDetailChangesBridge {
        return this.detailChanges;
    }

    getEnvironmentalVariableBridge(): EnvironmentalVariableBridge {
        return this.envVars;
    }

    getHttpBridge(): HttpBridge {
        return this.http;
    }

    getListenerBridge(): IListenerBridge {
        return listenerBridge;
    }

    getLivechatBridge(): LivechatBridge {
        return this.livechat;
    }

    getMessageBridge(): MessageBridge {
        return this.message;
    }

    getPersistenceBridge(): PersistenceBridge {
        return this.persistence;
    }

    getAppActivationBridge(): AppActivationBridge {
        return this.activation;
    }

    getRoomBridge(): RoomBridge {
        return this.room;
    }

    getInternalBridge(): InternalBridge {
        return this.internal;
    }

    getInternalFederationBridge(): IInternalFederationBridge {
        return this.federation;
    }

    getServerSettingBridge(): ServerSettingBridge {
        return this.serverSetting;
    }

    getUploadBridge(): UploadBridge {
        return this.upload;
    }

    getEmailBridge(): EmailBridge {
        return this.email;
    }

    getUserBridge(): UserBridge {
        return this.user;
    }

    getUiInteractionBridge(): UiInteractionBridge {
        return this.uiInteraction;
    }

    getSchedulerBridge(): SchedulerBridge {
        return this.scheduler;
    }

    getCloudWorkspaceBridge(): CloudWorkspaceBridge {
        return this.cloud;
    }

    getVideoConferenceBridge(): VideoConferenceBridge {
        return this.videoConf;
    }

    getOAuthAppsBridge(): OAuthAppsBridge {
        return this.oauthApps;
    }

    getModerationBridge(): ModerationBridge {
        return this.moderation;
    }

    getThreadBridge(): ThreadBridge {
        return this.thread;
    }

    getRoleBridge(): RoleBridge {
        return this.role;
    }

    getOutboundMessageBridge(): OutboundMessageBridge {
        return this.outbound;
    }

    getExperimentalBridge(): ExperimentalBridge {
        return this.experimental;
    }
}

/**
 * Counts every public `do*` call on the implemented bridges (`RoomBridge.doGetById`, `HttpBridge.doCall`, …): these
 * are the server round trips an app's accessor calls turn into.
 */
function countCalls(bridges: HostBridges, counter: Map<string, number>): void {
    const implemented: Array<[string, object]> = [
        ['RoomBridge', bridges.getRoomBridge()],
        ['UserBridge', bridges.getUserBridge()],
        ['HttpBridge', bridges.getHttpBridge()],
        ['MessageBridge', bridges.getMessageBridge()],
        ['ServerSettingBridge', bridges.getServerSettingBridge()],
        ['PersistenceBridge', bridges.getPersistenceBridge()],
        ['UiInteractionBridge', bridges.getUiInteractionBridge()],
        ['SchedulerBridge', bridges.getSchedulerBridge()],
    ];
    for (const [name, bridge] of implemented) {
        let proto: object | null = Object.getPrototypeOf(bridge);
        const seen = new Set<string>();
        while (proto && proto !== Object.prototype) {
            for (const key of Object.getOwnPropertyNames(proto)) {
                if (!key.startsWith('do') || seen.has(key)) {
                    continue;
                }
                seen.add(key);
                const original = (bridge as Record<string, unknown>)[key];
                if (typeof original !== 'function') {
                    continue;
                }
                const label = `${name}.${key.slice(2, 3).toLowerCase()}${key.slice(3)}`;
                (bridge as Record<string, unknown>)[key] = function (this: unknown, ...args: unknown[]): unknown {
                    counter.set(label, (counter.get(label) ?? 0) + 1);
                    return (original as (...a: unknown[]) => unknown).apply(this, args);
                };
            }
            proto = Object.getPrototypeOf(proto);
        }
    }
}
