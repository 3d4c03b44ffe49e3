import type { IRead, IRoomRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { AppError } from '../errors/AppError';
import type { ChangeOperation } from '../history/store';
import { convertToTeam } from '../operations/convertToTeam';
import type { OperationContext } from '../operations/context';
import { setEncrypted } from '../operations/setEncrypted';
import { setType } from '../operations/setType';
import type { OperationInput, Outcome } from '../operations/types';
import { isSuccess } from '../workspace/forward';
import { toRoomView } from '../workspace/roomView';
import type { CallerGateway, ForwardedAnswer } from '../workspace/forward';
import { GroupAdminEndpoint, withoutDryRun } from './GroupAdminEndpoint';
import type { Forwarded, RequestBody } from './GroupAdminEndpoint';

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

/**
 * The query that reads the body's room with `groups.info`, under Rocket.Chat's key rules (rocketchat-semantics.md
 * §3.1: `roomId` wins whenever the key is present). Undefined when the key in use holds no non-empty string: the
 * change is then forwarded without a read, and Rocket.Chat answers it.
 */
function roomQuery(body: RequestBody): Record<string, string> | undefined {
    if (Object.prototype.hasOwnProperty.call(body, 'roomId')) {
        return typeof body.roomId === 'string' && body.roomId ? { roomId: body.roomId } : undefined;
    }
    return typeof body.roomName === 'string' && body.roomName ? { roomName: body.roomName } : undefined;
}

/** The room the body's keys name, under Rocket.Chat's key rules, through the room accessor (undefined: none). */
async function roomByKeys(rooms: IRoomRead, body: RequestBody): Promise<IRoom | undefined> {
    const params = roomQuery(body);
    if (!params) {
        return undefined;
    }
    return (params.roomId !== undefined ? await rooms.getById(params.roomId) : await rooms.getByName(params.roomName)) || undefined;
}

/**
 * The one read of a forwarded change: the group as the caller sees it (`GET /api/v1/groups.info`), so nothing is
 * learnt about a room the caller cannot access. The answer as it came (undefined when there was nothing to read).
 */
async function readAsCaller(body: RequestBody, caller: CallerGateway): Promise<ForwardedAnswer | undefined> {
    const params = roomQuery(body);
    return params ? caller.get('/api/v1/groups.info', params) : undefined;
}

function errorTypeOf(answer: ForwardedAnswer): string {
    return isDoc(answer.body) ? text(answer.body.errorType) : '';
}

/** Rocket.Chat's "no such room (that you can access)" answer. */
function isNotFound(answer: ForwardedAnswer): boolean {
    return answer.status === 400 && errorTypeOf(answer) === 'error-room-not-found';
}

/** Endpoints answering `{ group, success }`. */
abstract class GroupEndpoint extends GroupAdminEndpoint {
    /** The group's setting the endpoint changes, as the history records it. */
    protected abstract settingOf(group: Doc): unknown;

    /** What changed: the setting of the group read before (`before`) against the group Rocket.Chat answered. */
    protected accepted(answer: ForwardedAnswer, before: Doc | undefined, after: Doc | undefined): Forwarded {
        if (!isSuccess(answer) || !after) {
            return { answer };
        }
        return {
            answer,
            change: {
                roomId: text(after._id) || text(before && before._id),
                roomName: text(after.name) || text(before && before.name),
                from: before ? this.settingOf(before) : null,
                to: this.settingOf(after),
            },
        };
    }
}

/** `POST groups.setEncrypted { roomId | roomName, encrypted, dryRun? }` → `POST /api/v1/groups.setEncrypted`. */
export class SetEncryptedEndpoint extends GroupEndpoint {
    public path = 'groups.setEncrypted';

    protected readonly operation: ChangeOperation = 'setEncrypted';

    protected predict(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<unknown>> {
        return setEncrypted({ ...input, encrypted: body.encrypted }, ctx);
    }

    protected settingOf(group: Doc): unknown {
        return group.encrypted === true;
    }

    protected async forward(body: RequestBody, caller: CallerGateway): Promise<Forwarded> {
        const read = await readAsCaller(body, caller);
        const answer = await caller.post('/api/v1/groups.setEncrypted', withoutDryRun(body));
        return this.accepted(answer, docOf(read, 'group'), docOf(answer, 'group'));
    }
}

/**
 * `POST groups.setType { roomId | roomName, type, dryRun? }` → `POST /api/v1/groups.setType`; the extension (`type:
 * "p"` on a public channel) → `POST /api/v1/channels.setType`, whose `channel` is answered as `group`.
 */
export class SetTypeEndpoint extends GroupEndpoint {
    public path = 'groups.setType';

    protected readonly operation: ChangeOperation = 'setType';

    protected predict(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<unknown>> {
        return setType({ ...input, type: body.type }, ctx);
    }

    protected settingOf(group: Doc): unknown {
        return group.t;
    }

    /**
     * The route is chosen by the room the keys name, read through the room accessor (the one read): a public channel
     * asked to become private → `channels.setType`; anything else → `groups.setType`, which answers a room the
     * caller cannot access (or that is no private group) as "not found". The accessor's room only picks the route
     * and its `from` for the history; nothing of it is shown before Rocket.Chat answered.
     */
    protected async forward(body: RequestBody, caller: CallerGateway, read: IRead): Promise<Forwarded> {
        const room = await roomByKeys(read.getRoomReader(), body);
        const before = room ? toRoomView(room) : undefined;
        const payload = withoutDryRun(body);
        const toPrivate = body.type === 'p';
        const triedChannel = toPrivate && !!before && before.type === 'c';
        if (triedChannel) {
            const answer = await caller.post('/api/v1/channels.setType', payload);
            if (isSuccess(answer) || !isNotFound(answer)) {
                return this.asChannelChange(answer);
            }
            // No longer a public channel: Rocket.Chat's groups.setType answers.
        }
        const answer = await caller.post('/api/v1/groups.setType', payload);
        if (toPrivate && !triedChannel && isNotFound(answer) && before && before.type === 'p') {
            // The group may have become a public channel since it was read: the extension applies then.
            const channel = await caller.post('/api/v1/channels.setType', payload);
            if (isSuccess(channel)) {
                return this.asChannelChange(channel);
            }
        }
        return this.accepted(answer, before ? { _id: before.id, name: before.name, t: before.type } : undefined, docOf(answer, 'group'));
    }

    /** `channels.setType`'s answer as the extension's: its `channel` answered as `group`, the change from `c`. */
    private asChannelChange(answer: ForwardedAnswer): Forwarded {
        if (!isSuccess(answer)) {
            return { answer };
        }
        const channel = docOf(answer, 'channel');
        const shown = isDoc(answer.body) ? { ...answer, body: asGroupAnswer(answer.body) } : answer;
        return this.accepted(shown, channel ? { ...channel, t: 'c' } : undefined, channel);
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
 * checked on the group as the caller reads it, so a room the caller cannot access is never revealed.
 */
export class ConvertToTeamEndpoint extends GroupAdminEndpoint {
    public path = 'groups.convertToTeam';

    protected readonly operation: ChangeOperation = 'convertToTeam';

    protected predict(_body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<unknown>> {
        return convertToTeam(input, ctx);
    }

    protected async forward(body: RequestBody, caller: CallerGateway): Promise<Forwarded> {
        const read = await readAsCaller(body, caller);
        const group = read && isSuccess(read) ? docOf(read, 'group') : undefined;
        if (group && text(group.teamId) && group.teamMain !== true) {
            throw new AppError('room-already-in-team');
        }
        const answer = await caller.post('/api/v1/groups.convertToTeam', withoutDryRun(body));
        const team = docOf(answer, 'team');
        if (!isSuccess(answer) || !team) {
            return { answer };
        }
        return {
            answer,
            change: {
                roomId: text(team.roomId) || text(group && group._id),
                roomName: text(group && group.name) || text(team.name),
                from: false,
                to: true,
            },
        };
    }
}
