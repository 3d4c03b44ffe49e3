import type { IRead, IRoomRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import type { ChangeOperation } from '../history/store';
import { convertToTeam } from '../operations/convertToTeam';
import type { OperationContext } from '../operations/context';
import { setEncrypted } from '../operations/setEncrypted';
import { setType } from '../operations/setType';
import type { OperationInput, Outcome } from '../operations/types';
import { serialized } from '../history/roomLock';
import { isSuccess } from '../workspace/forward';
import { toRoomView } from '../workspace/roomView';
import type { CallerGateway, ForwardedAnswer } from '../workspace/forward';
import { GroupAdminEndpoint, withoutDryRun } from './GroupAdminEndpoint';
import type { Recorder, RequestBody } from './GroupAdminEndpoint';

type Doc = Readonly<Record<string, unknown>>;

function isDoc(value: unknown): value is Doc {
    return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** A field of an answer's body (`group`, `channel`, `team`), when it is an object. */
function docOf(answer: ForwardedAnswer | undefined, field: string): Doc | undefined {
    const body = answer ? answer.body : undefined;
    const doc = isDoc(body) ? body[field] : undefined;
    return isDoc(doc) ? doc : undefined;
}

function text(value: unknown): string {
    return typeof value === 'string' ? value : '';
}

/** Rocket.Chat's own endpoints the HTTP door forwards to (interface.md §3). */
const GROUPS_INFO = '/api/v1/groups.info';
const GROUPS_SET_ENCRYPTED = '/api/v1/groups.setEncrypted';
const GROUPS_SET_TYPE = '/api/v1/groups.setType';
const CHANNELS_SET_TYPE = '/api/v1/channels.setType';
const GROUPS_CONVERT_TO_TEAM = '/api/v1/groups.convertToTeam';

/**
 * How long a forwarded change waits for the earlier changes of its room (chat or HTTP) before it gives up. A change
 * waiting longer is waiting on a Rocket.Chat that does not answer (each request gives up after
 * `REQUEST_TIMEOUT_MS`): the wait plus its own requests stay within the Apps-Engine's 30 s limit of an endpoint call.
 */
export const ROOM_WAIT_MS = 8000;

/**
 * `work` in the room's serialization (`src/history/roomLock.ts`, the one the chat doors use), so that the changes of
 * one room are forwarded, answered and recorded one after the other. When the room is still busy after
 * {@link ROOM_WAIT_MS}, the change is given up before it is sent (it never runs later): 502
 * `error-workspace-request-failed`, as for a Rocket.Chat that times out.
 */
async function inRoomOrder(roomId: string, work: () => Promise<ForwardedAnswer>): Promise<ForwardedAnswer> {
    let started = false;
    let abandoned = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = serialized(roomId, async (): Promise<ForwardedAnswer | undefined> => {
        if (abandoned) {
            return undefined;
        }
        started = true;
        return work();
    });
    const waited = new Promise<'waited'>((resolve) => {
        timer = setTimeout(() => resolve('waited'), ROOM_WAIT_MS);
    });
    try {
        const first = await Promise.race([run, waited]);
        if (first === 'waited' && !started) {
            abandoned = true;
            throw new AppError('workspace-request-failed');
        }
        const answer = first === 'waited' ? await run : first;
        if (!answer) {
            throw new AppError('workspace-request-failed');
        }
        return answer;
    } finally {
        if (timer !== undefined) {
            clearTimeout(timer);
        }
    }
}

function has(body: RequestBody, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(body, key);
}

/**
 * The body's room reference under Rocket.Chat's key rules (rocketchat-semantics.md §3.1: `roomId` wins whenever the
 * key is present). Undefined when the key in use holds no non-empty string.
 */
function roomQuery(body: RequestBody): Record<string, string> | undefined {
    if (has(body, 'roomId')) {
        return typeof body.roomId === 'string' && body.roomId ? { roomId: body.roomId } : undefined;
    }
    return typeof body.roomName === 'string' && body.roomName ? { roomName: body.roomName } : undefined;
}

/**
 * The room the body's keys name, under Rocket.Chat's key rules, through the room accessor (undefined: none). The
 * accessor is the app's view of the workspace, not a request to Rocket.Chat's REST API as the caller: it costs the
 * caller no rate-limit bucket, and nothing of it is shown before Rocket.Chat answered.
 */
async function roomByKeys(rooms: IRoomRead, body: RequestBody): Promise<IRoom | undefined> {
    const params = roomQuery(body);
    if (!params) {
        return undefined;
    }
    return (params.roomId !== undefined ? await rooms.getById(params.roomId) : await rooms.getByName(params.roomName)) || undefined;
}

/**
 * Whether a change may wait in the room's serialization: only when the caller holds a subscription to the room (read
 * through the accessor, as the chat doors read membership; read for every change, so that every path makes the same
 * calls). A change on a room the caller is not in — hidden from them, or missing — is forwarded at once: it costs
 * exactly what a change on a missing room costs, so the queue tells nobody whether a hidden room exists, and nobody
 * can hold busy a room they are not in.
 */
async function callerIsIn(read: IRead, user: IUser, room: IRoom | undefined): Promise<boolean> {
    const ids = await read.getUserReader().getUserRoomIds(user.id);
    return !!room && Array.isArray(ids) && ids.indexOf(room.id) >= 0;
}

function errorTypeOf(answer: ForwardedAnswer): string {
    return isDoc(answer.body) ? text(answer.body.errorType) : '';
}

/** Rocket.Chat's "no such room (that you can access)" answer. */
function isNotFound(answer: ForwardedAnswer): boolean {
    return answer.status === 400 && errorTypeOf(answer) === 'error-room-not-found';
}

/** `POST groups.setEncrypted { roomId | roomName, encrypted, dryRun? }` → `POST /api/v1/groups.setEncrypted`. */
export class SetEncryptedEndpoint extends GroupAdminEndpoint {
    public path = 'groups.setEncrypted';

    protected readonly operation: ChangeOperation = 'setEncrypted';

    protected predict(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<unknown>> {
        return setEncrypted({ ...input, encrypted: body.encrypted }, ctx);
    }

    /**
     * The write as it came (without `dryRun`). When the caller is in the room the keys name, the write runs in that
     * room's serialization (the one the chat doors use): `from` is the room's setting right before the write, the
     * record is made right after Rocket.Chat's answer, so records follow the order Rocket.Chat applied the changes.
     * Otherwise it is forwarded at once (see `callerIsIn`); should Rocket.Chat accept it (a discussion reached through
     * its parent), `from` is the room as read before. No such room for the accessor either: Rocket.Chat answers, and
     * nothing is recorded.
     */
    protected async forward(body: RequestBody, caller: CallerGateway, read: IRead, record: Recorder, user: IUser): Promise<ForwardedAnswer> {
        const rooms = read.getRoomReader();
        const payload = withoutDryRun(body);
        const room = await roomByKeys(rooms, body);
        const send = async (now: IRoom | undefined): Promise<ForwardedAnswer> => {
            const view = now ? toRoomView(now) : undefined;
            const answer = await caller.post(GROUPS_SET_ENCRYPTED, payload);
            const group = isSuccess(answer) ? docOf(answer, 'group') : undefined;
            if (room && group && text(group._id) === room.id) {
                const from = view ? view.encrypted === true : undefined;
                await record({ roomId: room.id, roomName: text(group.name) || (view ? view.name : ''), from, to: group.encrypted === true });
            }
            return answer;
        };
        const isIn = await callerIsIn(read, user, room);
        if (!room || !isIn) {
            return send(room);
        }
        return inRoomOrder(room.id, async () => send(await rooms.getById(room.id)));
    }
}

/**
 * `POST groups.setType { roomId | roomName, type, dryRun? }` → `POST /api/v1/groups.setType`; the extension (`type:
 * "p"` on a public channel) → `POST /api/v1/channels.setType`, whose `channel` is answered as `group`.
 */
export class SetTypeEndpoint extends GroupAdminEndpoint {
    public path = 'groups.setType';

    protected readonly operation: ChangeOperation = 'setType';

    protected predict(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<unknown>> {
        return setType({ ...input, type: body.type }, ctx);
    }

    /**
     * The route is chosen by the room the keys name, read through the room accessor: a public channel asked to become
     * private → `channels.setType`; anything else → `groups.setType`, which answers a room the caller cannot access
     * (or that is no private group) as "not found". `channels.setType` is tried after such an answer only when a fresh
     * accessor read shows the room became a public channel between the read and the write: a group the caller cannot
     * access gets exactly the calls a missing room gets. The write runs in the room's serialization (the chat doors'),
     * and the record is made right after Rocket.Chat's answer.
     */
    protected async forward(body: RequestBody, caller: CallerGateway, read: IRead, record: Recorder, user: IUser): Promise<ForwardedAnswer> {
        const rooms = read.getRoomReader();
        const payload = withoutDryRun(body);
        const room = await roomByKeys(rooms, body);
        const isIn = await callerIsIn(read, user, room);
        if (!room) {
            return caller.post(GROUPS_SET_TYPE, payload);
        }
        if (!isIn) {
            // Forwarded at once (see `callerIsIn`), routed by the room as read, with no second read.
            return this.forwardFor(room.id, body.type === 'p', payload, caller, rooms, record, toRoomView(room).type);
        }
        return inRoomOrder(room.id, () => this.forwardFor(room.id, body.type === 'p', payload, caller, rooms, record));
    }

    /** `typeRead`: the room's type as already read (a change forwarded at once); otherwise read now, in the room's order. */
    private async forwardFor(
        id: string,
        toPrivate: boolean,
        payload: Record<string, unknown>,
        caller: CallerGateway,
        rooms: IRoomRead,
        record: Recorder,
        typeRead?: string,
    ): Promise<ForwardedAnswer> {
        const typeNow = async (): Promise<string | undefined> => {
            const now = await rooms.getById(id);
            return now ? toRoomView(now).type : undefined;
        };
        const before = typeRead !== undefined ? typeRead : await typeNow();
        if (toPrivate && before === 'c') {
            const answer = await caller.post(CHANNELS_SET_TYPE, payload);
            if (isSuccess(answer) || !isNotFound(answer)) {
                return this.channelAnswer(answer, id, record);
            }
            // No longer a public channel: Rocket.Chat's groups.setType answers.
        }
        const answer = await caller.post(GROUPS_SET_TYPE, payload);
        if (typeRead === undefined && toPrivate && before !== 'c' && isNotFound(answer) && (await typeNow()) === 'c') {
            // The group became a public channel between the read and the write: the extension applies.
            const channel = await caller.post(CHANNELS_SET_TYPE, payload);
            if (isSuccess(channel)) {
                return this.channelAnswer(channel, id, record);
            }
        }
        const group = isSuccess(answer) ? docOf(answer, 'group') : undefined;
        if (group && text(group._id) === id) {
            // groups.setType acts on private groups only (rocketchat-semantics.md §3.1 step 3): it was `p`.
            await record({ roomId: id, roomName: text(group.name), from: 'p', to: group.t });
        }
        return answer;
    }

    /** `channels.setType`'s answer as the extension's: its `channel` answered as `group`; the change is from `c`. */
    private async channelAnswer(answer: ForwardedAnswer, id: string, record: Recorder): Promise<ForwardedAnswer> {
        if (!isSuccess(answer)) {
            return answer;
        }
        const channel = docOf(answer, 'channel');
        if (channel && text(channel._id) === id) {
            // channels.setType acts on public channels only (§3.2): it was `c`.
            await record({ roomId: id, roomName: text(channel.name), from: 'c', to: channel.t });
        }
        return isDoc(answer.body) ? { ...answer, body: asGroupAnswer(answer.body) } : answer;
    }
}

/** `channels.setType`'s success body with its `channel` named `group`, every other field as it came, in order. */
function asGroupAnswer(body: Doc): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    Object.keys(body).forEach((key) => {
        out[key === 'channel' ? 'group' : key] = body[key];
    });
    return out;
}

/**
 * `POST groups.convertToTeam { roomId | roomName, dryRun? }` → `POST /api/v1/groups.convertToTeam`, after the app's
 * own rule: a group that already belongs to a team (and is not its main room) is refused with
 * `error-room-already-in-team` (Rocket.Chat would silently make it the main room of a second team). The rule is
 * checked on the group as the caller reads it (`GET /api/v1/groups.info`), so a room the caller cannot access is never
 * revealed, and it never fails open:
 * 1. a `roomId` or `roomName` key with an empty value → Rocket.Chat's own plain failure (semantics §6 step 1);
 * 2. a `roomId` or `roomName` that is no string (an object would reach Rocket.Chat's database query, which has no
 *    body validator) → 400 `error-invalid-params`;
 * 3. neither key → `error-room-param-not-provided` (§3.1 step 1);
 * 4. the read not answered 2xx (not found, rate limited, …) → that answer, status and body, as it came;
 * 5. only then the write, `{ roomId: <the group read> }`: it acts on exactly the room that was checked.
 */
export class ConvertToTeamEndpoint extends GroupAdminEndpoint {
    public path = 'groups.convertToTeam';

    protected readonly operation: ChangeOperation = 'convertToTeam';

    protected predict(_body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<unknown>> {
        return convertToTeam(input, ctx);
    }

    protected async forward(body: RequestBody, caller: CallerGateway, _read: IRead, record: Recorder): Promise<ForwardedAnswer> {
        const keys = ['roomId', 'roomName'].filter((key) => has(body, key));
        if (keys.some((key) => !body[key])) {
            throw new AppError('room-param-empty');
        }
        const notText = keys.find((key) => typeof body[key] !== 'string');
        if (notText) {
            throw new AppError('room-param-invalid', { param: notText });
        }
        const params = roomQuery(body);
        if (!params) {
            throw new AppError('room-param-not-provided');
        }
        const read = await caller.get(GROUPS_INFO, params);
        if (!isSuccess(read)) {
            return read;
        }
        const group = docOf(read, 'group');
        const roomId = group ? text(group._id) : '';
        if (!group || !roomId) {
            // A 2xx without the group is no answer the guard can rely on.
            throw new AppError('workspace-request-failed');
        }
        if (text(group.teamId) && group.teamMain !== true) {
            throw new AppError('room-already-in-team');
        }
        return inRoomOrder(roomId, async () => {
            const answer = await caller.post(GROUPS_CONVERT_TO_TEAM, { roomId });
            const team = docOf(answer, 'team');
            if (isSuccess(answer) && team) {
                await record({ roomId, roomName: text(group.name) || text(team.name), from: false, to: true });
            }
            return answer;
        });
    }
}
