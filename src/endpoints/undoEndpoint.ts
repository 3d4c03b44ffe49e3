import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError, isKnownFailure } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { toRestFailure } from '../errors/rest';
import { requireUndoReader } from '../history/access';
import { CHANGE_OPERATIONS, confirmIntent, dropIntent, recordIntent } from '../history/store';
import type { Intent } from '../history/store';
import type { ChangeKind } from '../operations/changeKind';
import { createOperationContext } from '../operations/context';
import { TEAMS_CONVERT_TO_CHANNEL_PATH } from '../operations/convertToChannel';
import { assertRoomParamsGiven, findRoom, refLabel } from '../operations/resolveRoom';
import { SAVE_ROOM_SETTINGS_PATH } from '../operations/roomSettingsWrite';
import { decideUndo } from '../operations/undo';
import { CallerGateway, isSuccess, scrubRequestLog } from '../workspace/forward';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';
import { ServerSettings } from '../workspace/serverSettings';


function respond(status: number, content: unknown, headers: Readonly<Record<string, string>> = {}): IApiResponse {
    return { status, headers: { ...headers, 'Content-Type': 'application/json' }, content };
}

/** Rocket.Chat's own request that makes the reverting change `kind` in `view`, with the state before and after. */
function reverting(kind: ChangeKind, view: RoomView): { path: string; body: Record<string, unknown>; from: unknown; to: unknown } {
    switch (kind) {
        case 'encrypt-on':
        case 'encrypt-off':
            return { path: SAVE_ROOM_SETTINGS_PATH, body: { rid: view.id, encrypted: kind === 'encrypt-on' }, from: kind !== 'encrypt-on', to: kind === 'encrypt-on' };
        case 'public':
        case 'private':
            return { path: SAVE_ROOM_SETTINGS_PATH, body: { rid: view.id, roomType: kind === 'public' ? 'c' : 'p' }, from: view.type, to: kind === 'public' ? 'c' : 'p' };
        case 'unteam':
            // Never `roomsToRemove`: no room of the team is erased.
            return { path: TEAMS_CONVERT_TO_CHANNEL_PATH, body: { teamId: view.teamId || '' }, from: true, to: false };
        default:
            return { path: '/api/v1/groups.convertToTeam', body: { roomId: view.id }, from: false, to: true };
    }
}

/**
 * `POST groups.undo { roomId | roomName, operation }` (interface.md §8 "Undo"): the room's newest recorded change of
 * `operation` is reverted by a request of the caller to Rocket.Chat's own endpoint, with the caller's credentials
 * (`rooms.saveRoomSettings` for encryption and type, `teams.convertToChannel { teamId }` for a team — never
 * `roomsToRemove`), so Rocket.Chat decides; its answer is returned as it came. Before anything is sent:
 * 1. the body: a JSON object, `operation` one of `setEncrypted`, `setType`, `convertToTeam` (400 `error-invalid-params`),
 *    the room keys as Rocket.Chat's (`error-room-param-not-provided`, a key that is no string 400);
 * 2. the room's history must be readable to the caller (`requireUndoReader`: `edit-room` in the room, or
 *    `view-room-administration`), since the decision names the change since: anyone else gets what `groups.history`
 *    answers them — the room's "not found", exactly as for a room that does not exist, when they cannot access it,
 *    `error-action-not-allowed` when they can (decided the chat doors' way, live and fail closed);
 * 3. the undo decision (`decideUndo`): nothing on record, or the room changed since (naming the change) → 400.
 * A change Rocket.Chat accepted is recorded with `door: "endpoint"` and `undoes` (its intent written before the write).
 */
export class UndoEndpoint extends ApiEndpoint {
    public path = 'groups.undo';

    public authRequired = true;

    public async post(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, _modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        const logger = this.app.getLogger();
        try {
            scrubRequestLog(logger, request);
            const user: IUser | undefined = request.user;
            if (!user) {
                throw new AppError('not-logged-in');
            }
            const body = request.content as unknown;
            if (!body || typeof body !== 'object' || Array.isArray(body)) {
                throw new AppError('invalid-body');
            }
            const params = body as Readonly<Record<string, unknown>>;
            const operation = CHANGE_OPERATIONS.find((candidate) => candidate === params.operation);
            if (!operation) {
                return respond(400, { success: false, error: 'The parameter "operation" must be setEncrypted, setType or convertToTeam [error-invalid-params]', errorType: 'error-invalid-params' });
            }
            const notText = ['roomId', 'roomName'].find((key) => Object.prototype.hasOwnProperty.call(params, key) && typeof params[key] !== 'string');
            if (notText) {
                throw new AppError('room-param-invalid', { param: notText });
            }
            const ref = { kind: 'params' as const, params };
            assertRoomParamsGiven(ref);
            const ctx = createOperationContext(read, http, logger);
            const room = await findRoom(ref, ctx, user);
            const view = await requireUndoReader(room ? toRoomView(room) : undefined, refLabel(ref), user, ctx);
            const decision = await decideUndo(read, view, operation);
            const environment = read.getEnvironmentReader();
            const caller = CallerGateway.of(request, http, environment.getSettings(), new ServerSettings(environment.getServerSettings()));
            if (!caller) {
                throw new AppError('not-logged-in');
            }
            const write = reverting(decision.kind, view);
            const change = { roomId: view.id, roomName: view.name, operation, from: write.from, to: write.to, actor: { _id: user.id, username: user.username }, door: 'endpoint' as const, undoes: decision.record._id };
            let intent: Intent | undefined;
            try {
                intent = await recordIntent(read, persis, change);
            } catch (error) {
                logFailure(logger, 'warn', `${this.path}: the intent could not be recorded before the write`, error);
            }
            const answer = await caller.post(write.path, write.body);
            if (intent) {
                await (isSuccess(answer) ? confirmIntent(read, persis, intent) : dropIntent(read, persis, intent)).catch((error: unknown) =>
                    logFailure(logger, 'warn', `${this.path}: the record of the undo could not be completed`, error),
                );
            }
            return respond(answer.status, answer.body, answer.headers);
        } catch (error) {
            const failure = isKnownFailure(error) ? error : new AppError('internal');
            if (failure !== error) {
                logFailure(logger, 'error', `${this.path} failed`, error);
            }
            const { status, content } = toRestFailure(failure);
            return respond(status, content);
        }
    }
}
