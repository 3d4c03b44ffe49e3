import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { IUIKitActionButtonIncomingInteraction, IUIKitViewSubmitIncomingInteraction } from '@rocket.chat/apps-engine/definition/uikit/UIKitIncomingInteractionTypes';
import { answerOrExplain, respondPrivately } from '../conversation/respond';
import { AppError } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { createOperationContext } from '../operations/context';
import type { OperationInput, RoomRef } from '../operations/types';
import { toRoomView } from '../workspace/roomView';
import { resolveLanguage } from '../i18n/language';
import { bulkTargetOf, confirmBulkChange } from './bulkConfirm';
import type { BulkTarget } from './bulkConfirm';
import { buttonChange, isRoomButton } from './buttons';
import { confirmTargetOf } from './confirmModal';
import type { ConfirmTarget } from './confirmModal';
import { confirmChange, requestChange, requireAccessible } from './requestChange';
import type { ChangeEnv } from './requestChange';
import { isSignedView } from './viewSignature';

/** The accessors of a UI Kit interaction. */
export interface InteractionCall {
    readonly read: IRead;
    readonly modify: IModify;
    readonly http: IHttp;
    readonly logger: ILogger;
    readonly persistence: IPersistence;
    readonly appId: string;
}

/**
 * A click on one of the app's room buttons: the change its command would ask for in that room, by the user who
 * clicked — every check, then the confirmation modal (risky changes while `confirm_changes` is on) or the change
 * and one private answer in the room.
 *
 * A client can send a click naming any room. A room the clicker cannot access is answered "not found" by its id
 * before anything else: no change is chosen from the room's own state (the Encryption button picks on or off from
 * its `encrypted` field), nothing is counted by the rate limit, no modal opens (interface.md §5).
 */
export async function onRoomButton(data: IUIKitActionButtonIncomingInteraction, call: InteractionCall): Promise<void> {
    const { user, room, actionId, triggerId } = data;
    const what = `button ${actionId}`;
    if (!room || !isRoomButton(actionId)) {
        call.logger.warn(`${what}: not one of the app's room buttons, or clicked outside a room`);
        return;
    }
    const env: ChangeEnv = {
        read: call.read,
        modify: call.modify,
        appId: call.appId,
        triggerId,
        originRoomId: room.id,
        persistence: call.persistence,
        logger: call.logger,
        door: 'button',
    };
    const ref: RoomRef = { kind: 'room', room };
    const input: OperationInput = { user, room: ref, dryRun: false };
    await respondPrivately({ ...call, user, room, what }, (ctx, t) =>
        answerOrExplain(
            async () => {
                await requireAccessible(room, ref, user, ctx);
                const kind = buttonChange(actionId, room);
                if (!kind) {
                    throw new Error(`${what}: no change for this button`);
                }
                return requestChange(kind, input, ctx, t, env);
            },
            t,
            call.logger,
            what,
        ),
    );
}

/** The room the answer to a confirmation goes to: where it was asked for, else the room it changes. */
async function answerRoom(read: IRead, target: ConfirmTarget): Promise<IRoom | undefined> {
    const rooms = read.getRoomReader();
    const origin = await rooms.getById(target.originRoomId);
    return origin || (target.roomId !== target.originRoomId ? rooms.getById(target.roomId) : undefined);
}

/**
 * The room a forged confirmation is answered in: the room its id names as where it was asked for, only when the
 * person can access that room (else no answer at all), so the answer says nothing about any room but "not found".
 */
async function forgedAnswerRoom(target: ConfirmTarget, user: IUser, call: InteractionCall): Promise<IRoom | undefined> {
    const origin = await call.read.getRoomReader().getById(target.originRoomId);
    const ctx = createOperationContext(call.read, call.http, call.logger);
    return origin && (await ctx.access.canAccessRoom(user, toRoomView(origin))) ? origin : undefined;
}

/**
 * Confirm in a confirmation modal. The view carries the change and the room (Rocket.Chat passes the view back, not
 * the room), signed when the modal was opened; every check runs again for the user who submits, then the change, and
 * one private answer — the change, or why it was refused. A room the person cannot access is answered "not found" by
 * its id, before anything is counted. A view id whose signature does not hold (changed by the client: another room,
 * another door) is a forged submit: nothing changes, and the answer is that same "not found".
 */
export async function onConfirm(data: IUIKitViewSubmitIncomingInteraction, call: InteractionCall): Promise<void> {
    const bulk = bulkTargetOf(data.view ? data.view.id : undefined);
    if (bulk) {
        await onBulkConfirm(bulk, data.user, call);
        return;
    }
    const submitted = confirmTargetOf(data.view ? data.view.id : undefined);
    if (!submitted) {
        call.logger.warn('A view was submitted that is not a confirmation of this app: ignored');
        return;
    }
    const { target } = submitted;
    const { user } = data;
    const what = `confirmation of ${target.kind}`;
    let room: IRoom | undefined;
    let authentic: boolean;
    try {
        authentic = await isSignedView(submitted.signed, submitted.signature, call.read);
        room = authentic ? await answerRoom(call.read, target) : await forgedAnswerRoom(target, user, call);
    } catch (error) {
        logFailure(call.logger, 'error', `${what} failed`, error);
        return;
    }
    if (!authentic) {
        call.logger.warn(`${what}: the view id does not carry this app's signature (changed by the client); nothing was changed`);
    }
    if (!room) {
        call.logger.warn(`${what}: no room to answer in; nothing was changed`);
        return;
    }
    const forged = async (): Promise<string> => {
        throw new AppError('room-not-found', { room: target.roomId });
    };
    await respondPrivately({ ...call, user, room, what }, (ctx, t) =>
        answerOrExplain(() => (authentic ? confirmChange(target, user, ctx, t, call) : forged()), t, call.logger, what),
    );
}

/**
 * Confirm in a bulk change's modal: a view whose signature holds starts the job for whoever confirms (planned again
 * for them) and answers once, privately, in the room the command was typed in. A forged view changes nothing.
 */
async function onBulkConfirm(submitted: { target: BulkTarget; signed: string; signature: string }, user: IUser, call: InteractionCall): Promise<void> {
    const what = 'confirmation of a bulk change';
    let room: IRoom | undefined;
    try {
        if (!(await isSignedView(submitted.signed, submitted.signature, call.read))) {
            call.logger.warn(`${what}: the view id does not carry this app's signature (changed by the client); nothing was changed`);
            return;
        }
        room = await call.read.getRoomReader().getById(submitted.target.originRoomId);
    } catch (error) {
        logFailure(call.logger, 'error', `${what} failed`, error);
        return;
    }
    if (!room) {
        call.logger.warn(`${what}: no room to answer in; nothing was changed`);
        return;
    }
    await respondPrivately({ ...call, user, room, what }, async (ctx, t) => {
        const language = await resolveLanguage(user, () => ctx.serverSettings.get('Language'));
        return answerOrExplain(() => confirmBulkChange(user, submitted.target, language, { env: call, ctx, t }), t, call.logger, what);
    });
}
