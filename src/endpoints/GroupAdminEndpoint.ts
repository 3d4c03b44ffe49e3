import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError, isKnownFailure } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { toRestFailure } from '../errors/rest';
import { confirmIntent, dropIntent, recordChange, recordIntent } from '../history/store';
import type { ChangeOperation, Intent } from '../history/store';
import { resolveLanguage } from '../i18n/language';
import { createOperationContext } from '../operations/context';
import type { OperationContext } from '../operations/context';
import type { OperationInput, Outcome } from '../operations/types';
import { summarizePlan } from '../ui/plan';
import { CallerGateway, scrubRequestLog } from '../workspace/forward';
import type { ForwardedAnswer } from '../workspace/forward';
import { ServerSettings } from '../workspace/serverSettings';

export type RequestBody = Readonly<Record<string, unknown>>;

/** A change Rocket.Chat accepted, for the history (interface.md §7): the room as read before, and after. */
export interface AcceptedChange {
    readonly roomId: string;
    readonly roomName: string;
    readonly from: unknown;
    readonly to: unknown;
}

/**
 * Records a change Rocket.Chat accepted (interface.md §7), when `from` is known and differs from `to`; a no-op or a
 * change whose `from` is unknown is not recorded. Called by `forward` inside the room's serialization, right after
 * Rocket.Chat's answer, so records are in the order Rocket.Chat applied the changes.
 */
export type Recorder = (change: AcceptedChange) => Promise<void>;

function respond(status: number, content: unknown, headers: Readonly<Record<string, string>> = {}): IApiResponse {
    return { status, headers: { ...headers, 'Content-Type': 'application/json' }, content };
}

function isJsonObject(content: unknown): content is RequestBody {
    return !!content && typeof content === 'object' && !Array.isArray(content);
}

/** The body Rocket.Chat gets: the caller's, without the app's own `dryRun` key. */
export function withoutDryRun(body: RequestBody): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    Object.keys(body).forEach((key) => {
        if (key !== 'dryRun') {
            copy[key] = body[key];
        }
    });
    return copy;
}

/**
 * The door of every endpoint (interface.md §3): `POST` with a JSON-object body, the caller is `request.user` (never
 * a user id from the body).
 * - A real change is Rocket.Chat's to decide: it is forwarded to Rocket.Chat's own endpoint with the caller's
 *   credentials, and Rocket.Chat's status and body are the answer. No service account is involved. After Rocket.Chat
 *   accepted a change, it is recorded in the history.
 * - `dryRun: true` is the app's own prediction (the operation core, every check, no write): `{ success, dryRun, plan
 *   (decidedBy "app"), summary }`, the summary in the caller's language as the chat's `--dry-run` gives it.
 * - `dryRun` of any other type → 400 `error-invalid-param`, nothing changes.
 */
export abstract class GroupAdminEndpoint extends ApiEndpoint {
    public authRequired = true;

    /** The operation, as the history names it. */
    protected abstract readonly operation: ChangeOperation;

    /** The dry run: the operation core with `dryRun` set. */
    protected abstract predict(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<unknown>>;

    /**
     * The real change: forwarded to Rocket.Chat as the caller; Rocket.Chat's answer as it came. A change it accepted
     * is handed to `record` (inside the room's serialization, before any later change of the room is forwarded).
     */
    protected abstract forward(body: RequestBody, caller: CallerGateway, read: IRead, record: Recorder, user: IUser): Promise<ForwardedAnswer>;

    public async post(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, _modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        try {
            scrubRequestLog(this.app.getLogger(), request);
            const user: IUser | undefined = request.user;
            if (!user) {
                throw new AppError('not-logged-in');
            }
            const body = request.content as unknown;
            if (!isJsonObject(body)) {
                throw new AppError('invalid-body');
            }
            if (Object.prototype.hasOwnProperty.call(body, 'dryRun') && typeof body.dryRun !== 'boolean') {
                throw new AppError('invalid-dry-run');
            }
            if (body.dryRun === true) {
                return await this.dryRun(body, user, read, http);
            }
            return await this.change(request, body, user, read, http, persis);
        } catch (error) {
            return this.fail(error);
        }
    }

    private async dryRun(body: RequestBody, user: IUser, read: IRead, http: IHttp): Promise<IApiResponse> {
        const ctx = createOperationContext(read, http, this.app.getLogger());
        const input: OperationInput = { user, room: { kind: 'params', params: body }, dryRun: true };
        const outcome = await this.predict(body, input, ctx);
        if (!outcome.dryRun) {
            // A core asked for a dry run never writes; anything else is a bug, not an answer.
            throw new Error('the operation core answered a dry run with a change');
        }
        const language = await resolveLanguage(user, () => ctx.serverSettings.get('Language'));
        const summary = await summarizePlan(outcome.plan, ctx, language, outcome.label);
        return respond(200, {
            success: true,
            dryRun: true,
            plan: { ...outcome.plan, decidedBy: 'app' },
            summary: { language, title: summary.title, lines: summary.lines, warning: summary.warning, text: summary.text },
        });
    }

    private async change(request: IApiRequest, body: RequestBody, user: IUser, read: IRead, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        const environment = read.getEnvironmentReader();
        const caller = CallerGateway.of(request, http, environment.getSettings(), new ServerSettings(environment.getServerSettings()));
        if (!caller) {
            throw new AppError('not-logged-in');
        }
        // Each forwarded write first records its intent (interface.md §9), so its system message — which may reach any
        // instance before Rocket.Chat's answer reaches this one — is matched to the caller's change, never recorded
        // again. The intent of the write Rocket.Chat accepted is confirmed; the others are removed.
        const intents: Array<Intent> = [];
        caller.onBeforePost(async (_path, payload) => {
            const intent = await this.intend(read, persis, user, payload);
            if (intent) {
                intents.push(intent);
            }
        });
        try {
            const answer = await this.forward(
                body,
                caller,
                read,
                async (change) => {
                    if (change.from !== undefined && change.from !== null && change.from !== change.to && change.roomId) {
                        const index = intents.map((intent) => intent.roomId).lastIndexOf(change.roomId);
                        await this.record(read, persis, user, change, index >= 0 ? intents.splice(index, 1)[0] : undefined);
                    }
                },
                user,
            );
            return respond(answer.status, answer.body, answer.headers);
        } finally {
            for (const unused of intents) {
                await dropIntent(read, persis, unused).catch((error: unknown) => logFailure(this.app.getLogger(), 'warn', `${this.path}: an unused intent could not be removed`, error));
            }
        }
    }

    /**
     * The intent of a forwarded write (interface.md §9). Written for every forwarded change, whether or not the room
     * exists or the caller may see it — a room the accessor does not find gets its intent under the id or name given
     * — so that a hidden room and a missing one cost exactly the same calls (no oracle); Rocket.Chat's refusal then
     * removes it.
     */
    private async intend(read: IRead, persis: IPersistence, user: IUser, payload: Readonly<Record<string, unknown>>): Promise<Intent | undefined> {
        try {
            const rooms = read.getRoomReader();
            const byId = typeof payload.roomId === 'string' && payload.roomId ? payload.roomId : '';
            const byName = typeof payload.roomName === 'string' && payload.roomName ? payload.roomName : '';
            const room = byId ? await rooms.getById(byId) : byName ? await rooms.getByName(byName) : undefined;
            const roomId = room ? room.id : byId || `name:${byName}`;
            const to = this.operation === 'setEncrypted' ? payload.encrypted === true : this.operation === 'setType' ? payload.type : true;
            const from = this.operation === 'setType' ? (to === 'c' ? 'p' : 'c') : !to;
            const actor = { _id: user.id, username: user.username };
            return await recordIntent(read, persis, { roomId, roomName: room ? room.slugifiedName : byName, operation: this.operation, from, to, actor, door: 'endpoint' });
        } catch (error) {
            logFailure(this.app.getLogger(), 'warn', `${this.path}: the intent could not be recorded before the write`, error);
            return undefined;
        }
    }

    /** Rocket.Chat made the change: a failing history write must not turn that into a failure. */
    private async record(read: IRead, persis: IPersistence, user: IUser, change: AcceptedChange, intent: Intent | undefined): Promise<void> {
        try {
            if (intent) {
                await confirmIntent(read, persis, intent, { roomName: change.roomName, from: change.from, to: change.to });
                return;
            }
            await recordChange(read, persis, {
                roomId: change.roomId,
                roomName: change.roomName,
                operation: this.operation,
                from: change.from,
                to: change.to,
                actor: { _id: user.id, username: user.username },
                door: 'endpoint',
            });
        } catch (error) {
            logFailure(this.app.getLogger(), 'warn', `${this.path}: the change was made, but recording it in the history failed`, error);
        }
    }

    private fail(error: unknown): IApiResponse {
        const logger = this.app.getLogger();
        const failure = isKnownFailure(error) ? error : new AppError('internal');
        const { status, content } = toRestFailure(failure);
        if (failure !== error) {
            logFailure(logger, 'error', `${this.path} failed`, error);
        } else if (status >= 500) {
            logFailure(logger, 'warn', `${this.path} answered ${status}`, error);
        }
        return respond(status, content);
    }
}
