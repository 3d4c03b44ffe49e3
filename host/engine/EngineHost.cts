/**
 * Runs a packaged Rocket.Chat app in the real Apps-Engine runtime (apps-engine 1.62.0's Deno runtime, what
 * Rocket.Chat 8.4 runs) against an in-memory {@link Workspace}: installs the zip, sets app settings, executes slash
 * commands the way Rocket.Chat splits them and app API calls behind Rocket.Chat's authentication, and exposes the
 * app log and the number of server round trips. Used by the engine tests, the benchmark and `npm start`.
 *
 * The engine's `AppManager` is a process-wide singleton: one EngineHost at a time, `stop()` before the next.
 */
import type { ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import AdmZip from 'adm-zip';

import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { IPermission } from '@rocket.chat/apps-engine/definition/permissions/IPermission';
import { AppInterface } from '@rocket.chat/apps-engine/definition/metadata';
import { AppStatusUtils } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';
import type { IUIActionButton } from '@rocket.chat/apps-engine/definition/ui';
import { RoomTypeFilter } from '@rocket.chat/apps-engine/definition/ui/IUIActionButtonDescriptor';
import { UIActionButtonContext } from '@rocket.chat/apps-engine/definition/ui/UIActionButtonContext';
import type { IUIKitResponse, IUIKitSurface, UIKitIncomingInteraction } from '@rocket.chat/apps-engine/definition/uikit';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { AppMetadataStorage } from '@rocket.chat/apps-engine/server/storage';
import type { AppSourceStorage } from '@rocket.chat/apps-engine/server/storage/AppSourceStorage';
import { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import { DenoRuntimeSubprocessController } from '@rocket.chat/apps-engine/server/runtime/deno/AppsEngineDenoRuntime';

import { Workspace } from '../workspace/Workspace.cjs';
import { APPS_NOT_FOUND_TEXT } from '../workspace/errors.cjs';
import type { RestResponse, WsMessage, WsRoom } from '../workspace/model.cjs';
import { HostBridges } from './bridges.cjs';
import type { Delivery, HostContext, PersistenceStore, SigningKeys } from './bridges.cjs';
import { convertMessage, convertRoom, convertUser } from './converters.cjs';
import { preferDenoBinary } from './denoPath.cjs';
import { describeError } from './describeError.cjs';
import { SecretAudit } from './secretAudit.cjs';
import { parseParameters } from './parseParameters.cjs';
import { HostSchedulerBridge, JobRunner, MemoryJobCollection } from './scheduler.cjs';
import type { JobCollection } from './scheduler.cjs';
import { MemoryLogStorage, MemoryMetadataStorage, MemorySourceStorage } from './storage.cjs';

export type { Delivery } from './bridges.cjs';

/**
 * What an app endpoint with `authRequired` answers without a valid user: the apps router's
 * `authenticationMiddleware({ rejectUnauthorized: true })` (upstream `apps/meteor/app/api/server/middlewares/authentication.ts`)
 * sends `res.status(401).send('Unauthorized')` — a plain-text body, not the REST v1 JSON (audit F10).
 */
export const UNAUTHORIZED_BODY = 'Unauthorized';


export interface CommandRun {
    /** What the command sent to users while it ran (ephemeral messages, UI interactions such as modals). */
    deliveries: Delivery[];
    /** Set when the engine reported the executor as failed. */
    error?: string;
}

/** A UI Kit interaction (a button click, a modal's submit or close) and what the app did with it. */
export interface InteractionRun {
    /** The app's answer, as Rocket.Chat returns it to the client (undefined when the app's handler failed). */
    response?: IUIKitResponse;
    /** What the app sent to users meanwhile (ephemeral messages, modals it opened or updated). */
    deliveries: Delivery[];
    /** Set when the engine reported the interaction as failed. */
    error?: string;
}

/** The views (modals, contextual bars) the deliveries opened or updated, in order. */
export function openedViews(deliveries: Delivery[]): IUIKitSurface[] {
    return deliveries.flatMap((d) => {
        const view = d.kind === 'uiInteraction' ? (d.interaction as { view?: IUIKitSurface } | undefined)?.view : undefined;
        return view ? [view] : [];
    });
}

/** Rocket.Chat's client-side room filters of action buttons (`useApplyButtonFilters`' `enumToFilter`). */
const ROOM_FILTERS: Record<RoomTypeFilter, (room: WsRoom) => boolean> = {
    [RoomTypeFilter.PUBLIC_CHANNEL]: (room) => room.t === 'c',
    [RoomTypeFilter.PRIVATE_CHANNEL]: (room) => room.t === 'p',
    [RoomTypeFilter.PUBLIC_TEAM]: (room) => room.t === 'c' && room.teamMain === true,
    [RoomTypeFilter.PRIVATE_TEAM]: (room) => room.t === 'p' && room.teamMain === true,
    [RoomTypeFilter.PUBLIC_DISCUSSION]: (room) => room.t === 'c' && !!room.prid,
    [RoomTypeFilter.PRIVATE_DISCUSSION]: (room) => room.t === 'p' && !!room.prid,
    [RoomTypeFilter.DIRECT]: (room) => room.t === 'd' && room.usersCount <= 2,
    [RoomTypeFilter.DIRECT_MULTIPLE]: (room) => room.t === 'd' && room.usersCount > 2,
    [RoomTypeFilter.LIVE_CHAT]: (room) => room.t === 'l',
};

/** An engine error as text: the runtime throws plain objects (`{ message }` or JSON-RPC errors) as well as Errors. */
function errorMessage(error: unknown): string {
    if (error instanceof Error) return error.message;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    return typeof error === 'string' ? error : JSON.stringify(error);
}

/** What upstream's `POST /api/apps[/<id>]` answers besides `success`. */
export interface UpdateResult {
    app: Record<string, unknown>;
    implemented: Record<string, boolean>;
    licenseValidation: unknown;
}

export interface ApiCall {
    method?: string;
    /** The endpoint path (`groups.setEncrypted`), or the full `/api/apps/public/<app id>/<path>`. */
    path: string;
    headers?: Record<string, string | undefined>;
    query?: Record<string, string>;
    body?: unknown;
    /** Also answer the response headers the app set (lower-cased), as an HTTP client would see them. */
    withHeaders?: boolean;
}

export interface StartOptions {
    workspace: Workspace;
    /** Extra origins the app may reach besides the workspace's `Site_Url` (e.g. a `server_url` alias). */
    extraOrigins?: string[];
    onDelivery?: (delivery: Delivery) => void;
    /** The Apps-Engine scheduler (host/engine/scheduler.cts): its job collection and Agenda's timings. */
    scheduler?: SchedulerOptions;
    /** The app persistence store (default: a new in-memory one); several instances share one (host/multi/). */
    persistence?: PersistenceStore;
    /**
     * Where the engine keeps installed apps and their packages (Rocket.Chat: MongoDB and GridFS; default: in memory).
     * Instances sharing them load the apps another instance installed (`manager.load()` at start, `onAppAdded`).
     */
    storages?: { metadata: AppMetadataStorage; source: AppSourceStorage };
    /** The workspace's key pair the engine signs installed apps with (default: a new one); instances share it. */
    signingKeys?: SigningKeys;
}

/**
 * The scheduler's options. Agenda's timings default to `$GROUP_ADMIN_SCHEDULER_POLL_MS` / `$GROUP_ADMIN_SCHEDULER_LOCK_MS`
 * when set (tests that cannot pass options), else to Rocket.Chat's 5 s / 10 minutes.
 */
export interface SchedulerOptions {
    /** The shared `rocketchat_apps_scheduler` (default: a new in-memory one for this host). */
    collection?: JobCollection;
    /** Agenda's poll interval in ms (default 5000); tests shorten it. */
    processEvery?: number;
    /** How long a claim holds in ms (default 10 minutes); tests shorten it. */
    lockLifetime?: number;
    /** This instance's name in the jobs it saves (`lastModifiedBy`). */
    name?: string;
    /** Where in the poll interval this instance polls, so that instances poll out of step (`JobRunnerOptions.phase`). */
    phase?: number;
}

/** Server round trips (accessor + bridge requests from the Deno process), counted per app across hosts. */
const roundTrips = new Map<string, number>();
let roundTripPatchApplied = false;

/**
 * The parts of an Apps-Engine 1.62 Deno runtime controller (`AppsEngineDenoRuntime.ts`) that outlive the app unless
 * the host ends them: `AppManager.unload` calls `stopApp()` without awaiting it, and the liveness watchdog
 * (`LivenessManager.ts`) keeps ticking after the process is gone — its next tick arms a 1 s ping timeout that is not
 * unref'd, and that holds the process open (a jest worker then "failed to exit gracefully").
 */
type RuntimeInternals = {
    livenessManager?: { stop(): void };
    deno?: ChildProcess;
    listenerCount(event: string): number;
};

/** Every runtime controller of this process's engine that talked to its Deno process (one engine per process). */
const runtimesSeen = new Set<RuntimeInternals>();

/** Stops a runtime's watchdog, waits for its Deno process to exit and for a ping in flight to time out (1 s at most). */
async function endRuntime(runtime: RuntimeInternals): Promise<void> {
    runtime.livenessManager?.stop();
    const deno = runtime.deno;
    if (deno && deno.exitCode === null && deno.signalCode === null) {
        const exited = new Promise<void>((resolve) => deno.once('exit', () => resolve()));
        deno.kill('SIGKILL');
        await settleWithin(exited, STOP_WAIT_MS);
    }
    const deadline = Date.now() + 1500;
    while (runtime.listenerCount('pong') > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

function countRoundTrips(): void {
    if (roundTripPatchApplied) {
        return;
    }
    roundTripPatchApplied = true;
    const proto = DenoRuntimeSubprocessController.prototype as unknown as {
        handleIncomingMessage(this: DenoRuntimeSubprocessController, message: { payload: { method: string } }): Promise<void>;
    };
    const original = proto.handleIncomingMessage;
    proto.handleIncomingMessage = function (message) {
        runtimesSeen.add(this as unknown as RuntimeInternals);
        const method = message?.payload?.method ?? '';
        if (method.startsWith('accessor:') || method.startsWith('bridges:')) {
            const appId = this.getAppId();
            roundTrips.set(appId, (roundTrips.get(appId) ?? 0) + 1);
        }
        return original.call(this, message);
    };
}

function originOf(url: unknown): string | undefined {
    if (typeof url !== 'string' || !url) {
        return undefined;
    }
    try {
        return new URL(url).origin;
    } catch {
        return undefined;
    }
}

/** The permissions a packaged app declares in its app.json (undefined when it declares none: the engine's defaults). */
function declaredPermissions(zip: Buffer): IPermission[] | undefined {
    const appJson = new AdmZip(zip).readAsText('app.json');
    const declared = appJson ? (JSON.parse(appJson) as { permissions?: unknown }).permissions : undefined;
    return Array.isArray(declared) ? (declared as IPermission[]) : undefined;
}

/** Headers Node keeps only the first of when a request repeats them (`IncomingMessage` `matchKnownFields`). */
const SINGLE_VALUE_HEADERS = new Set([
    'age',
    'authorization',
    'content-length',
    'content-type',
    'etag',
    'expires',
    'from',
    'host',
    'if-modified-since',
    'if-unmodified-since',
    'last-modified',
    'location',
    'max-forwards',
    'proxy-authorization',
    'referer',
    'retry-after',
    'server',
    'user-agent',
]);

/**
 * A request's headers as Node's `IncomingMessage.headers` holds them (what express hands Rocket.Chat's apps router):
 * names lower-cased; a header sent twice under different cases is combined — the first kept for single-value headers,
 * `cookie` joined with `; `, any other joined with `, ` (so a doubled `X-User-Id` authenticates no one).
 */
/** An app endpoint's response headers, names lower-cased, `Content-Type` only with `withContentType` (undefined: none). */
function answerHeaders(raw: unknown, withContentType: boolean): Record<string, string> | undefined {
    if (!raw || typeof raw !== 'object') {
        return undefined;
    }
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        const lower = name.toLowerCase();
        if ((withContentType || lower !== 'content-type') && value !== undefined && value !== null) {
            out[lower] = String(value);
        }
    }
    return Object.keys(out).length > 0 ? out : undefined;
}

export function incomingHeaders(raw: Record<string, string | undefined>): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (value === undefined) {
            continue;
        }
        const name = key.toLowerCase();
        const text = String(value);
        if (!(name in headers)) {
            headers[name] = text;
        } else if (name === 'cookie') {
            headers[name] = `${headers[name]}; ${text}`;
        } else if (!SINGLE_VALUE_HEADERS.has(name)) {
            headers[name] = `${headers[name]}, ${text}`;
        }
    }
    return headers;
}

export class EngineHost {
    readonly ctx: HostContext;
    private readonly logStorage = new MemoryLogStorage();
    /** The run-wide token check (`npm test`), when the environment asks for it. */
    private readonly audit = SecretAudit.fromEnvironment();
    private readonly tempDir: string;
    private appId = '';
    private sourceStorage?: AppSourceStorage;
    /** Ends the system-message subscription of the current workspace. */
    private unsubscribeMessages: () => void = () => undefined;
    /** System-message events dispatched and not yet finished (`settled()` waits for them). */
    private readonly pendingEvents = new Set<Promise<void>>();
    /** The package the app runs now and the permissions granted to it: what a failed update goes back to. */
    private running?: { zip: Buffer; permissions?: IPermission[] };

    private constructor(
        private readonly manager: AppManager,
        ctx: HostContext,
        tempDir: string,
        logStorage: MemoryLogStorage,
        /** This instance's Agenda: the jobs it claims and runs (`scheduler.jobs()` lists the shared collection). */
        readonly scheduler: JobRunner,
    ) {
        this.ctx = ctx;
        this.tempDir = tempDir;
        this.logStorage = logStorage;
        this.listenToSystemMessages(ctx.workspace);
    }

    /**
     * Rocket.Chat's `Message.saveSystemMessage` (`apps/meteor/server/services/messages/service.ts`) hands every system
     * message it saves to the apps, without waiting: `Apps.self?.getBridges()?.getListenerBridge().messageEvent(
     * 'IPostSystemMessageSent', message)`; the listener bridge (`apps/meteor/app/apps/server/bridges/listeners.ts`)
     * converts it (`converters/messages.ts`) and calls the engine's `AppListenerManager.executeListener`. Every path of
     * the workspace that posts one (REST endpoints, `rooms.saveRoomSettings`, team creation and conversion back) goes
     * through the workspace's `sendSystemMessage`, whose messages arrive here once the write is complete. Messages
     * without a type (chat, the app's own) are not system messages.
     */
    private listenToSystemMessages(workspace: Workspace): void {
        this.unsubscribeMessages();
        try {
            this.unsubscribeMessages = workspace.onMessage((message) => {
                if (message.t) {
                    this.dispatchSystemMessage(workspace, message);
                }
            });
        } catch (error) {
            // An instance of host/multi/ reaches the workspace over the wire, which carries no listener function: it
            // gets no system-message events (not modelled across instances yet; merge note of the bulk branch).
            this.unsubscribeMessages = () => undefined;
            if (!(error instanceof Error) || !/could not be cloned/.test(error.message)) {
                throw error;
            }
        }
    }

    private dispatchSystemMessage(workspace: Workspace, message: WsMessage): void {
        const event = (async () => {
            const converted = convertMessage(workspace, message);
            // `executeListener(IPostSystemMessageSent, …)` starts the listeners and returns at once (fire-and-forget);
            // the host calls the same method it starts, `executePostSystemMessageSent`, to keep the promise, so that a
            // test can wait for the app (`settled()`). The write that posted the message never waits.
            const listeners = this.manager.getListenerManager() as unknown as {
                isEventBlocked(event: string): boolean;
                executePostSystemMessageSent(data: unknown): Promise<void>;
            };
            if (!listeners.isEventBlocked(AppInterface.IPostSystemMessageSent)) {
                await listeners.executePostSystemMessageSent(converted);
            }
        })().catch((error: unknown) => {
            // Fire-and-forget, as upstream: a failing listener never fails the write that posted the message.
            console.error(`IPostSystemMessageSent failed: ${error instanceof Error ? error.message : String(error)}`);
        });
        this.pendingEvents.add(event);
        void event.finally(() => this.pendingEvents.delete(event));
    }

    /** Waits until every system-message event dispatched so far was handled by the app (tests, the terminal chat). */
    async settled(): Promise<void> {
        while (this.pendingEvents.size) {
            await Promise.all([...this.pendingEvents]);
        }
    }

    static async start(options: StartOptions): Promise<EngineHost> {
        countRoundTrips();
        if (AppManager.Instance) {
            throw new Error('An EngineHost is already running in this process: stop() it first');
        }
        // Deno is spawned as the literal `deno` from PATH: use the pinned binary itself from node_modules.
        preferDenoBinary();
        const tempDir = mkdtempSync(path.join(tmpdir(), 'group-admin-engine-'));
        const ctx: HostContext = {
            workspace: options.workspace,
            records: { commands: new Map(), apis: [], deliveries: [], bridgeCalls: new Map(), appUsers: new Map() },
            restOrigins: () => {
                const origins = [originOf(ctx.workspace.getSetting('Site_Url')), ...(options.extraOrigins ?? []).map(originOf)];
                return origins.filter((o): o is string => !!o);
            },
            onDelivery: options.onDelivery,
        };
        const logStorage = new MemoryLogStorage();
        const scheduler = new JobRunner({
            name: options.scheduler?.name,
            phase: options.scheduler?.phase,
            processEvery: options.scheduler?.processEvery ?? (Number(process.env.GROUP_ADMIN_SCHEDULER_POLL_MS) || undefined),
            lockLifetime: options.scheduler?.lockLifetime ?? (Number(process.env.GROUP_ADMIN_SCHEDULER_LOCK_MS) || undefined),
            collection: options.scheduler?.collection ?? new MemoryJobCollection(),
        });
        const sourceStorage = options.storages?.source ?? new MemorySourceStorage();
        const manager = new AppManager({
            metadataStorage: options.storages?.metadata ?? new MemoryMetadataStorage(),
            logStorage,
            bridges: new HostBridges(ctx, { scheduler: new HostSchedulerBridge(scheduler), persistence: options.persistence, signingKeys: options.signingKeys }),
            sourceStorage,
            tempFilePath: tempDir,
        });
        await manager.load();
        // Rocket.Chat's orchestrator (apps/meteor/ee/server/apps/orchestrator.js `load`): every app in the storage is
        // started (`loadOne(id, true)`), then the scheduler. With shared storages, these are apps another instance installed.
        for (const app of await manager.get()) {
            await manager.loadOne(app.getID(), true);
        }
        scheduler.start();
        const host = new EngineHost(manager, ctx, tempDir, logStorage, scheduler);
        host.sourceStorage = sourceStorage;
        // An app installed earlier in shared storage (another instance installed it) is loaded already.
        host.appId = (await manager.get())[0]?.getID() ?? '';
        return host;
    }

    get workspace(): Workspace {
        return this.ctx.workspace;
    }

    /**
     * Points every bridge at another workspace (a fresh one per test) without restarting the engine. The app's bot
     * user, created in the first workspace on install, is added to the new one as a server would still have it.
     */
    useWorkspace(workspace: Workspace): void {
        for (const appUser of this.ctx.records.appUsers.values()) {
            if (!workspace.getUser(appUser._id)) {
                workspace.addUser({ _id: appUser._id, username: appUser.username, name: appUser.name, roles: appUser.roles, type: 'app' });
            }
        }
        this.ctx.workspace = workspace;
        this.listenToSystemMessages(workspace);
    }

    get id(): string {
        return this.appId;
    }

    /**
     * Installs and enables a packaged app, as an admin uploading it would. `permissionsGranted` undefined = the
     * permissions the app declares in its app.json (what an admin accepts on install; Rocket.Chat's client sends them —
     * the engine itself would fall back to its defaults, which lack `ui.registerButtons`).
     */
    async install(zip: string | Buffer, permissionsGranted?: IPermission[]): Promise<string> {
        const buffer = typeof zip === 'string' ? readFileSync(zip) : zip;
        const installer = this.workspace.listUsers().find((u) => u.roles.includes('admin'));
        const aff = await this.manager.add(buffer, {
            enable: true,
            permissionsGranted: permissionsGranted ?? declaredPermissions(buffer),
            user: (installer ? convertUser(installer) : undefined) as IUser,
        });
        const userError = aff.getAppUserError() as { message?: string } | undefined;
        const licenseErrors = Object.values(aff.getLicenseValidationResult()?.getErrors() ?? {});
        const problems = [aff.getStorageError(), userError?.message, ...licenseErrors].filter(Boolean).map(String);
        const app = aff.getApp();
        if (!app || problems.length) {
            throw new Error(`Installing the app failed: ${problems.join('; ') || 'no app'}`);
        }
        this.appId = app.getID();
        this.running = { zip: buffer, permissions: permissionsGranted ?? declaredPermissions(buffer) };
        return this.appId;
    }

    /**
     * Replaces the running app with another package of it, live (`AppManager.update`, what upstream's
     * `POST /api/apps/<id>` calls). The zip's own app id decides which app (upstream ignores the URL's): another id
     * throws the engine's "Can not update an App that does not currently exist.", a file that is not an app package
     * throws the package parser's error — both before anything changes. A package whose class file does not come up
     * enabled is replaced again by the one that ran before, and this throws: the running app stays as it was. The
     * app's scheduled jobs and persisted records stay across an update.
     */
    async update(source: string | Buffer, permissionsGranted?: IPermission[]): Promise<UpdateResult> {
        const zip = typeof source === 'string' ? readFileSync(source) : source;
        const installer = this.workspace.listUsers().find((u) => u.roles.includes('admin'));
        const user = (installer ? convertUser(installer) : undefined) as IUser;
        const permissions = permissionsGranted ?? declaredPermissions(zip);
        // The package parser's error, and the engine's own for an app that is not installed, before anything changes.
        const parsed = await this.manager.getParser().unpackageApp(zip);
        if (!this.manager.getOneById(parsed.info.id)) {
            throw new Error('Can not update an App that does not currently exist.');
        }
        const previous = this.running;
        let failure: string | undefined;
        try {
            const aff = await this.manager.update(zip, permissions as IPermission[], { loadApp: true, user });
            const app = aff.getApp();
            const problems = [aff.getStorageError(), (aff.getAppUserError() as { message?: string } | undefined)?.message].filter(Boolean);
            const status = app ? String(await app.getStatus()) : 'no app';
            if (!problems.length && app && AppStatusUtils.isEnabled(status as AppStatus)) {
                this.running = { zip, permissions };
                return { app: { ...aff.getAppInfo(), status }, implemented: aff.getImplementedInferfaces(), licenseValidation: aff.getLicenseValidationResult() };
            }
            failure = problems.length ? problems.map(String).join('; ') : `the app did not start (status ${status})`;
        } catch (error) {
            failure = errorMessage(error);
        }
        if (previous) {
            await this.manager.update(previous.zip, previous.permissions as IPermission[], { loadApp: true, user });
        }
        throw new Error(`${failure}; the previous version runs again`);
    }

    /** The installed app as `GET /api/apps/<id>` shows it (its app.json info and status), if `appId` is it. */
    async describe(appId: string = this.appId): Promise<Record<string, unknown> | undefined> {
        const app = this.manager.getOneById(appId);
        return app ? { ...app.getInfo(), status: String(await app.getStatus()) } : undefined;
    }

    async status(): Promise<string> {
        const app = this.manager.getOneById(this.appId);
        return app ? String(await app.getStatus()) : 'not installed';
    }

    /** The app's settings as the engine holds them. */
    settings(): Record<string, ISetting> {
        return this.manager.getSettingsManager().getAppSettings(this.appId) as Record<string, ISetting>;
    }

    /** Changes app settings as an admin saving the app's settings page (the app's `onSettingUpdated` runs). */
    async setSettings(values: Record<string, unknown>): Promise<void> {
        const settingsManager = this.manager.getSettingsManager();
        for (const [id, value] of Object.entries(values)) {
            if (id === 'service_user_token') {
                this.audit?.secret(value);
            }
            const setting = settingsManager.getAppSetting(this.appId, id);
            await settingsManager.updateAppSetting(this.appId, { ...setting, value, updatedAt: new Date() });
        }
    }

    /**
     * Saves one setting as posted, as upstream's `POST /api/apps/<id>/settings` does (`updateAppSetting`: the app's
     * `onPreSettingUpdate` and `onSettingUpdated` run).
     */
    async updateSetting(setting: ISetting): Promise<void> {
        if (setting.id === 'service_user_token') {
            this.audit?.secret(setting.value);
        }
        await this.manager.getSettingsManager().updateAppSetting(this.appId, setting);
    }

    /** Slash commands the app registered (lower-case command → definition). */
    commands(): string[] {
        return [...this.ctx.records.commands.keys()].sort();
    }

    /** App API endpoint paths the app registered. */
    endpoints(): Array<{ path: string; authRequired: boolean; methods: string[] }> {
        return this.ctx.records.apis.map((api) => ({
            path: api.endpoint.path,
            authRequired: !!api.endpoint.authRequired,
            methods: [...api.implementedMethods],
        }));
    }

    /**
     * Runs `/command args…` typed by `userId` in `roomId`, as Rocket.Chat does: the text after the command is split
     * into arguments (`parseParameters`), the user and room go through the converters, and the app's executor runs.
     * Like Rocket.Chat's clients, it sends a fresh trigger id (the app needs one to open a modal).
     */
    async runCommand(line: string, userId: string, roomId: string, triggerId: string = randomUUID()): Promise<CommandRun> {
        const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line.trim());
        if (!match) {
            throw new Error(`Not a slash command: ${line}`);
        }
        const [, command, rest] = match;
        const user = convertUser(this.workspace.getUser(userId));
        const room = convertRoom(this.workspace, this.workspace.getRoom(roomId));
        if (!user || !room) {
            throw new Error(`Unknown user ${userId} or room ${roomId}`);
        }
        const before = this.ctx.records.deliveries.length;
        const context = new SlashCommandContext(
            Object.freeze(user) as IUser,
            Object.freeze(room) as IRoom,
            Object.freeze(parseParameters(rest)) as string[],
            undefined,
            triggerId,
        );
        let error: string | undefined;
        try {
            await this.manager.getCommandManager().executeCommand(command.toLowerCase(), context);
        } catch (e) {
            error = describeError(e);
        }
        return this.shown('command', { deliveries: this.ctx.records.deliveries.slice(before), ...(error ? { error } : {}) });
    }

    /** Passes what the outside world gets to see through the token audit (when one runs), unchanged. */
    private shown<T>(kind: string, output: T): T {
        this.audit?.scan(kind, JSON.stringify(output));
        return output;
    }

    /** The action buttons the app registered (the engine's `UIActionButtonManager`), as Rocket.Chat lists them to clients. */
    async actionButtons(): Promise<IUIActionButton[]> {
        const all = await this.manager.getUIActionButtonManager().getAllActionButtons();
        return all.filter((button) => button.appId === this.appId);
    }

    /**
     * The room action buttons Rocket.Chat's web client shows `userId` in `roomId` (`useApplyButtonFilters`): the room
     * type filter, `hasOneRole`/`hasAllRoles` with the user's global roles and their room roles there, and
     * `hasOnePermission`/`hasAllPermissions` with the user's global permissions.
     */
    async buttonsShown(userId: string, roomId: string): Promise<IUIActionButton[]> {
        const room = this.workspace.getRoom(roomId);
        const user = this.workspace.getUser(userId);
        if (!room || !user) {
            throw new Error(`Unknown user ${userId} or room ${roomId}`);
        }
        const roles = new Set([...user.roles, ...(this.workspace.getSubscription(roomId, userId)?.roles ?? [])]);
        const permitted = (permission: string): boolean => this.workspace.hasPermission(userId, permission);
        return (await this.actionButtons()).filter((button) => {
            if (button.context !== UIActionButtonContext.ROOM_ACTION) {
                return false;
            }
            const when = button.when ?? {};
            return (
                (!when.roomTypes || when.roomTypes.some((filter) => ROOM_FILTERS[filter]?.(room))) &&
                (!when.hasOneRole || when.hasOneRole.some((role) => roles.has(role))) &&
                (!when.hasAllRoles || when.hasAllRoles.every((role) => roles.has(role))) &&
                (!when.hasOnePermission || when.hasOnePermission.some(permitted)) &&
                (!when.hasAllPermissions || when.hasAllPermissions.every(permitted))
            );
        });
    }

    /**
     * A click by `userId` on the app's room action button `actionId` in `roomId`, as Rocket.Chat's
     * `POST /api/apps/ui.interaction/<app id>` passes it on (`type: actionButton`, the converted user and room, a
     * fresh trigger id). Like that endpoint it does not apply the button's filters (see `buttonsShown`).
     */
    async clickButton(actionId: string, userId: string, roomId: string, triggerId: string = randomUUID()): Promise<InteractionRun> {
        const user = convertUser(this.workspace.getUser(userId));
        const room = convertRoom(this.workspace, this.workspace.getRoom(roomId));
        if (!user || !room) {
            throw new Error(`Unknown user ${userId} or room ${roomId}`);
        }
        return this.interact({
            type: 'actionButton',
            appId: this.appId,
            actionId,
            triggerId,
            user,
            room,
            payload: { context: UIActionButtonContext.ROOM_ACTION },
        } as UIKitIncomingInteraction);
    }

    /**
     * `userId` submits a view the app opened (a modal's submit button). Rocket.Chat passes the view back with its
     * state — and no room: whatever the app needs must be in the view.
     */
    async submitView(view: IUIKitSurface, userId: string, triggerId: string = randomUUID()): Promise<InteractionRun> {
        return this.viewInteraction('viewSubmit', view, userId, view.submit, { triggerId, payload: { view: { ...view, state: view.state ?? {} } } });
    }

    /** `userId` closes a view the app opened (its close button, or dismissing it). */
    async closeView(view: IUIKitSurface, userId: string, isCleared = false): Promise<InteractionRun> {
        return this.viewInteraction('viewClosed', view, userId, view.close, { payload: { view, isCleared } });
    }

    private viewInteraction(type: 'viewSubmit' | 'viewClosed', view: IUIKitSurface, userId: string, button: unknown, fields: object): Promise<InteractionRun> {
        const actionId = (button as { actionId?: string } | undefined)?.actionId;
        return this.interact({ type, appId: view.appId || this.appId, actionId, user: this.requireUser(userId), ...fields } as UIKitIncomingInteraction);
    }

    private requireUser(userId: string): IUser {
        const user = convertUser(this.workspace.getUser(userId));
        if (!user) {
            throw new Error(`Unknown user ${userId}`);
        }
        return user;
    }

    /** Hands a UI Kit interaction to the app, as Rocket.Chat's `triggerEvent('IUIKitInteractionHandler', …)` does. */
    private async interact(interaction: UIKitIncomingInteraction): Promise<InteractionRun> {
        const before = this.ctx.records.deliveries.length;
        let response: IUIKitResponse | undefined;
        let error: string | undefined;
        try {
            response = await this.manager.getListenerManager().executeListener(AppInterface.IUIKitInteractionHandler, interaction);
        } catch (e) {
            error = describeError(e);
        }
        return this.shown('interaction', { ...(response ? { response } : {}), deliveries: this.ctx.records.deliveries.slice(before), ...(error ? { error } : {}) });
    }

    /**
     * Calls an app API endpoint as Rocket.Chat's apps router would (upstream `apps/meteor/app/apps/server/bridges/api.ts`
     * @ 363944a1, `router.ts`; the middleware `apps/meteor/server/api/v1/middlewares/authentication.ts` @ 4f9ed7e3):
     *
     * - a path the app registered no endpoint for: `res.sendStatus(404)`, the plain-text `Not Found`;
     * - `router.all(path, authenticationMiddleware({ rejectUnauthorized: authRequired }), executor)`: any method reaches
     *   the middleware — `X-User-Id` + `X-Auth-Token`, else OAuth (`Authorization: Bearer`, `?access_token=`, which it
     *   deletes from `req.query`, so the app never sees it) — and an endpoint with `authRequired` answers the plain-text
     *   `401 Unauthorized` without a user;
     * - then the engine's `executeApi`; when it rejects (e.g. a method the endpoint does not implement: the runtime's
     *   "<path>'s <method> not exists"), `res.status(500).send(reason.message)`.
     *
     * The endpoint gets `request.headers` as `AppApisBridge` passes them (express's `req.headers`, i.e. Node's
     * `IncomingMessage.headers`): every header the caller sent, credentials included, names lower-cased, duplicates
     * combined as Node does (see `incomingHeaders`).
     */
    async callApi(call: ApiCall): Promise<RestResponse> {
        const prefix = `/api/apps/public/${this.appId}/`;
        const endpointPath = call.path.startsWith(prefix) ? call.path.slice(prefix.length) : call.path.replace(/^\//, '');
        const method = (call.method ?? 'POST').toLowerCase();
        const endpoint = this.endpoints().find((e) => e.path === endpointPath);
        if (!endpoint) {
            return { status: 404, body: APPS_NOT_FOUND_TEXT };
        }
        const headers = incomingHeaders(call.headers ?? {});
        const query = call.query ?? {};
        const wsUser = this.workspace.authenticate(headers, query);
        if (endpoint.authRequired && !wsUser) {
            return { status: 401, body: UNAUTHORIZED_BODY };
        }
        let response: { status: number; content?: unknown; headers?: Record<string, unknown> };
        try {
            response = await this.manager.getApiManager().executeApi(this.appId, endpointPath, {
                method: method as never,
                headers,
                query: Workspace.queryAfterAuthentication(headers, query),
                params: {},
                content: call.body,
                user: wsUser ? convertUser(wsUser) : undefined,
            });
        } catch (reason) {
            // `res.status(500).send(reason.message)`: the runtime rejects with its JSON-RPC error object.
            const message = reason !== null && typeof reason === 'object' ? (reason as { message?: unknown }).message : undefined;
            return this.shown('response', { status: 500, body: typeof message === 'string' ? message : '' });
        }
        // Upstream `AppApisBridge._appApiExecutor` (apps/meteor/app/apps/server/bridges/api.ts): `res.set(headers)`,
        // then the status and the content — the app's headers reach the client (e.g. the `X-RateLimit-*` of a 429 the
        // app passes on), lower-cased as an HTTP client sees them. `Content-Type` only when asked for (`withHeaders`):
        // otherwise the server decides it as it writes the body (host/server/http.cts `send`).
        const answered = answerHeaders(response.headers, call.withHeaders === true);
        return this.shown('response', { status: response.status, body: response.content, ...(answered ? { headers: answered } : {}) });
    }

    /** Disables the app as an admin would (`AppManager.disable`: `onDisable`, then its registrations are purged). */
    async disable(): Promise<void> {
        await this.manager.disable(this.appId);
    }

    /** Enables the app again (`AppManager.enable`). The app's persisted records survive a disable (only uninstall purges them). */
    async enable(): Promise<boolean> {
        return this.manager.enable(this.appId);
    }

    /** Uninstalls the app (`AppManager.remove`): its scheduled jobs are cancelled and its persisted records purged. */
    async uninstall(): Promise<void> {
        const admin = this.workspace.listUsers().find((u) => u.roles.includes('admin'));
        await this.manager.remove(this.appId, { user: (admin ? convertUser(admin) : undefined) as IUser });
    }

    // What another instance hears when an admin acts on one (Rocket.Chat's AppServerListener,
    // apps/meteor/ee/server/apps/communication/websockets.ts): the change is already in the shared storage.

    /** `apps.added`: loads the app another instance installed (`AppManager.addLocal`). */
    async onAppAdded(appId: string): Promise<void> {
        await this.manager.addLocal(appId);
        this.appId = appId;
    }

    /** `apps.statusUpdate`: enables or disables the app here too (silently, as upstream). */
    async onAppStatusUpdated(status: string): Promise<void> {
        const app = this.manager.getOneById(this.appId);
        if (!app || (await app.getStatus()) === status) {
            return;
        }
        if (AppStatusUtils.isEnabled(status as AppStatus)) {
            await this.manager.enable(this.appId);
        } else if (AppStatusUtils.isDisabled(status as AppStatus)) {
            await this.manager.disable(this.appId, status as AppStatus, true);
        }
    }

    /** `apps.settingUpdated`: the setting another instance saved (the app's `onSettingUpdated` runs here too). */
    async onAppSettingUpdated(setting: ISetting): Promise<void> {
        if (setting.id === 'service_user_token') {
            this.audit?.secret(setting.value);
        }
        await this.manager.getSettingsManager().updateAppSetting(this.appId, setting);
    }

    /** `apps.updated`: starts the updated package from the shared storage. */
    async onAppUpdated(): Promise<void> {
        const stored = await this.manager.getStorage().retrieveOne(this.appId);
        if (!stored || !this.sourceStorage) {
            throw new Error(`App ${this.appId} is not in the shared storage`);
        }
        const zip = await this.sourceStorage.fetch(stored);
        if (AppStatusUtils.isEnabled(stored.status)) {
            await this.manager.updateAndStartupLocal(stored, zip);
        } else {
            await this.manager.updateAndInitializeLocal(stored, zip);
        }
    }

    /** `apps.removed`: drops the app here too (`AppManager.removeLocal`). */
    async onAppRemoved(): Promise<void> {
        if (this.manager.getOneById(this.appId)) {
            await this.manager.removeLocal(this.appId);
        }
    }

    /** The process ids of the app's Deno runtime (to end it with its instance when a test kills one). */
    runtimePids(): number[] {
        const controller = this.manager.getOneById(this.appId)?.getRuntimeController() as unknown as { deno?: { pid?: number } } | undefined;
        return controller?.deno?.pid ? [controller.deno.pid] : [];
    }

    /** Everything the app logged (one entry per executed method, each with its log lines). */
    logs(): ILoggerStorageEntry[] {
        return this.logStorage.entries.filter((entry) => entry.appId === this.appId);
    }

    /** Log lines with severity `error` — an app that works leaves none. */
    errorLines(): Array<{ method: string; args: unknown[] }> {
        return this.logs().flatMap((entry) =>
            entry.entries.filter((line) => String(line.severity) === 'error').map((line) => ({ method: entry.method, args: line.args })),
        );
    }

    /** Every log line as text, for secret scans. */
    logText(): string {
        return JSON.stringify(this.logs());
    }

    /** Server round trips (accessor and bridge requests) the app made so far. */
    roundTrips(): number {
        return roundTrips.get(this.appId) ?? 0;
    }

    /** Calls per bridge method (`RoomBridge.getById`, `HttpBridge.call`, …). */
    bridgeCalls(): Record<string, number> {
        return Object.fromEntries(this.ctx.records.bridgeCalls);
    }

    resetCounters(): void {
        roundTrips.set(this.appId, 0);
        this.ctx.records.bridgeCalls.clear();
    }

    /** Unloads the app (ends its Deno process) and frees the engine singleton. */
    async stop(): Promise<void> {
        this.unsubscribeMessages();
        try {
            this.scheduler.stop();
            // A run in progress would otherwise call a runtime that is gone, and its request would hold the process open
            // until the engine's request timeout (30 s): wait for it, up to STOP_WAIT_MS.
            await settleWithin(this.scheduler.idle(), STOP_WAIT_MS);
            await this.manager.unload(true);
            for (const runtime of runtimesSeen) {
                await endRuntime(runtime);
            }
            runtimesSeen.clear();
            if (this.audit) {
                this.audit.scan('log', this.logText());
                this.audit.write();
            }
        } finally {
            (AppManager as unknown as { Instance: AppManager | undefined }).Instance = undefined;
            rmSync(this.tempDir, { recursive: true, force: true });
        }
    }
}

/** How long `stop()` waits for job runs in progress before it unloads the app anyway. */
const STOP_WAIT_MS = 10000;

/** Resolves when `promise` settles or after `ms`, whichever is first (the timer never holds the process open). */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        timer.unref();
    });
    try {
        await Promise.race([promise.then(() => undefined, () => undefined), timeout]);
    } finally {
        clearTimeout(timer);
    }
}
