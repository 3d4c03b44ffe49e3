import type { ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { announceChange, announcementWanted } from '../history/announce';
import { requireUndoReader } from '../history/access';
import { operationOf } from '../history/describe';
import { serialized } from '../history/roomLock';
import { confirmIntent, dropIntent, recordChange, recordIntent } from '../history/store';
import type { ChangeDoor, Intent } from '../history/store';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { findRoom, refLabel } from '../operations/resolveRoom';
import { changedSince, decideUndo } from '../operations/undo';
import type { OperationInput, RoomRef } from '../operations/types';
import { toRoomView } from '../workspace/roomView';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import { changeOf, changesSomething } from './changes';
import type { ChangeKind } from '../operations/changeKind';
import type { ChangeOutcome } from './changes';
import { confirmModal, newNonce, signedPartOf } from './confirmModal';
import type { ConfirmTarget } from './confirmModal';
import { describePlan, memberCount, planAsChat } from './plan';
import { spendConfirmation } from './spentViews';
import { signView } from './viewSignature';

/** What a command or a button needs besides the operation: how to open a modal, and where its answer goes. */
export interface ChangeEnv {
    readonly read: IRead;
    readonly modify: IModify;
    readonly appId: string;
    /** The client's trigger id, without which no modal can be opened. */
    readonly triggerId?: string;
    /** The room the command was typed in or the button clicked in. */
    readonly originRoomId: string;
    /** Where the change's record goes (interface.md §7). */
    readonly persistence: IPersistence;
    readonly logger: ILogger;
    /** How the change is asked for: a command, or a room button (a modal counts as the door that opened it). */
    readonly door: 'command' | 'button';
    /** The record this change undoes (`/<command> undo`): it goes on record with `undoes`. */
    readonly undoes?: string;
}

/** What a change needs besides the operation: the accessors to record and announce it. */
export type RecordEnv = Pick<ChangeEnv, 'read' | 'modify' | 'persistence' | 'logger' | 'undoes'> & { readonly door: Exclude<ChangeDoor, 'endpoint' | 'rocket.chat'> };

/** The `confirm_changes` setting: on unless an administrator turned it off (on when it cannot be read, its default). */
async function confirmationWanted(read: IRead): Promise<boolean> {
    try {
        return (await getAppSetting(read.getEnvironmentReader().getSettings(), SETTING_IDS.confirmChanges)) !== false;
    } catch {
        return true;
    }
}

/** The answer once the change was made. */
export function doneText(kind: ChangeKind, outcome: ChangeOutcome, t: Translator): string {
    const { keys } = changeOf(kind);
    return t(keys.unchanged && !changesSomething(outcome) ? keys.unchanged.done : keys.done, { room: outcome.label });
}

/**
 * A room reached by id (a button click, a modal) must be one `user` can access before anything else is decided or
 * counted; otherwise the answer is exactly the operations' "not found", naming the room by its id only (interface.md
 * §5), whatever the room is.
 */
export async function requireAccessible(room: IRoom | undefined, ref: RoomRef, user: IUser, ctx: OperationContext): Promise<IRoom> {
    const view = room ? toRoomView(room) : undefined;
    if (!room || !view || !(await ctx.access.canAccessRoom(user, view))) {
        throw new AppError('room-not-found', { room: refLabel(ref) });
    }
    return room;
}

/** The room a reference names as it is now: a room at hand is read again (an earlier change may have changed it). */
async function currentRoom(ref: RoomRef, user: IUser, ctx: OperationContext): Promise<IRoom | undefined> {
    if (ref.kind === 'room') {
        return (await ctx.rooms.getById(ref.room.id)) || ref.room;
    }
    return findRoom(ref, ctx, user);
}

/** `{ undoes }` for a change that undoes a record, else nothing. */
function undoesOf(env: Pick<RecordEnv, 'undoes'>): { undoes?: string } {
    return env.undoes ? { undoes: env.undoes } : {};
}

/** The state a change of `kind` leads to, and the one it leaves (the write is made only when they differ). */
function intendedStates(kind: ChangeKind): [unknown, unknown] {
    switch (kind) {
        case 'encrypt-on':
            return [false, true];
        case 'encrypt-off':
            return [true, false];
        case 'public':
            return ['p', 'c'];
        case 'private':
            return ['c', 'p'];
        case 'unteam':
            return [true, false];
        default:
            return [false, true];
    }
}

/**
 * `ctx` whose writes first record the change's intent (interface.md §9): Rocket.Chat's system message, which may reach
 * any instance before Rocket.Chat's answer reaches this one, then finds the app's record and is not recorded again.
 * An intent that cannot be written does not stop the change (it is then recorded after the write, as before 0.3.0).
 */
function recordingIntent(kind: ChangeKind, room: IRoom, user: IUser, ctx: OperationContext, env: RecordEnv, intents: Array<Intent>): OperationContext {
    const [from, to] = intendedStates(kind);
    const workspace = ctx.workspace.withBeforeWrite(async () => {
        try {
            const actor = { _id: user.id, username: user.username };
            intents.push(
                await recordIntent(env.read, env.persistence, { roomId: room.id, roomName: toRoomView(room).name, operation: operationOf(kind), from, to, actor, door: env.door, ...undoesOf(env) }),
            );
        } catch (error) {
            logFailure(env.logger, 'warn', `${kind} in ${room.id}: the intent could not be recorded before the write`, error);
        }
    });
    return { ...ctx, workspace };
}

/** The change's record and its announcement: a change made stays on record even when the announcement fails. */
async function keepOnRecord(kind: ChangeKind, outcome: ChangeOutcome, room: IRoom, user: IUser, ctx: OperationContext, env: RecordEnv, intents: ReadonlyArray<Intent>): Promise<void> {
    const intent = intents[intents.length - 1];
    if (outcome.dryRun || !changesSomething(outcome)) {
        for (const unused of intents) {
            await dropIntent(env.read, env.persistence, unused).catch((error: unknown) => logFailure(env.logger, 'warn', `${kind} in ${room.id}: an unused intent could not be removed`, error));
        }
        return;
    }
    const { result } = outcome;
    const changed = 'changes' in result ? result.changes.encrypted || result.changes.t : undefined;
    const [from, to] = changed ? [changed.from, changed.to] : intendedStates(kind);
    const actor = { _id: user.id, username: user.username };
    try {
        if (intent) {
            await confirmIntent(env.read, env.persistence, intent, { from, to });
        } else {
            await recordChange(env.read, env.persistence, { roomId: room.id, roomName: toRoomView(room).name, operation: operationOf(kind), from, to, actor, door: env.door, ...undoesOf(env) });
        }
    } catch (error) {
        logFailure(env.logger, 'error', `${kind} in ${room.id} was made but could not be recorded`, error);
    }
    try {
        if (await announcementWanted(env.read)) {
            await announceChange(env.read, env.modify, ctx, room, kind, user.username, env.door);
        }
    } catch (error) {
        logFailure(env.logger, 'warn', `${kind} in ${room.id} was made but could not be announced`, error);
    }
}

/**
 * Makes the change (every check, then the write); the change's intent is recorded right before the write, and a
 * change that changed something is confirmed on record and announced (an intent the write did not use is removed). A
 * member of the room makes it after any other chat-door change of the room finished, so it sees the room as that
 * change left it. Anyone else — a room they cannot access, or one they reach without a subscription — is never queued
 * there (`mayWaitInRoom`): the access check comes before the queue, as in the HTTP door, so nobody can hold busy a room
 * they are not in, and a hidden room costs the calls a missing one costs.
 */
export async function makeChange(kind: ChangeKind, input: OperationInput, ctx: OperationContext, env: RecordEnv): Promise<ChangeOutcome> {
    const change = changeOf(kind);
    const found = await findRoom(input.room, ctx, input.user);
    const make = async (room: IRoom | undefined): Promise<ChangeOutcome> => {
        if (!room) {
            // Nothing to change: the operation gives its own answer (not found, the room not named…).
            return change.perform({ ...input, dryRun: false }, ctx);
        }
        const ref: RoomRef = input.room.kind === 'room' ? { kind: 'room', room } : input.room;
        const intents: Array<Intent> = [];
        let outcome: ChangeOutcome;
        try {
            outcome = await change.perform({ ...input, room: ref, dryRun: false }, recordingIntent(kind, room, input.user, ctx, env, intents));
        } catch (error) {
            for (const intent of intents) {
                await dropIntent(env.read, env.persistence, intent).catch((dropError: unknown) => logFailure(env.logger, 'warn', `${kind} in ${room.id}: an intent could not be removed`, dropError));
            }
            throw error;
        }
        await keepOnRecord(kind, outcome, room, input.user, ctx, env, intents);
        return outcome;
    };
    // Read for a missing room too: every path makes the same calls.
    const member = await ctx.access.mayWaitInRoom(input.user, found ? toRoomView(found) : undefined);
    if (!found || !member) {
        return make(found);
    }
    return serialized(found.id, async () => make((await currentRoom(input.room, input.user, ctx)) || found));
}

/**
 * A change asked for by a slash command or a room button, for `input.user`:
 * - a dry run runs every check and answers the plan (the same texts as the confirmation modal);
 * - a risky change while `confirm_changes` is on runs every check, then opens the confirmation modal, which carries
 *   the change, the room and the door itself; the change waits for Confirm (`confirmChange`);
 * - anything else is made at once (`makeChange`: serialized per room, recorded and announced).
 * Answers with the reply text, or undefined when the modal is the answer. Failed checks are thrown (known failures).
 */
export async function requestChange(kind: ChangeKind, input: OperationInput, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    const change = changeOf(kind);
    const ask = !input.dryRun && change.risky && (await confirmationWanted(env.read));
    if (!input.dryRun && !ask) {
        return doneText(kind, await makeChange(kind, input, ctx, env), t);
    }
    const checked = await change.perform({ ...input, dryRun: true }, ctx);
    const { unchanged } = change.keys;
    if (unchanged && !changesSomething(checked)) {
        // The room already is as asked (encryption): nothing to confirm, nothing to plan.
        return input.dryRun ? t(unchanged.dryRun, { room: checked.label }) : doneText(kind, await makeChange(kind, input, ctx, env), t);
    }
    if (!checked.dryRun) {
        throw new Error(`${kind}: a dry run made the change`);
    }
    const plan = describePlan(kind, checked.label, checked.plan, await memberCount(checked.plan, input.room, ctx), t);
    if (input.dryRun) {
        return `${t('plan_dryrun_heading')}\n${planAsChat(plan)}`;
    }
    if (!env.triggerId) {
        return `${t('confirm_unavailable')}\n${planAsChat(plan)}`;
    }
    const target: ConfirmTarget = { kind, roomId: checked.plan.room._id, originRoomId: env.originRoomId, door: env.door, nonce: newNonce(), ...undoesOf(env) };
    const signature = await signView(signedPartOf(target), env.read, env.persistence);
    await env.modify.getUiController().openSurfaceView(confirmModal(target, signature, plan, t, env.appId), { triggerId: env.triggerId }, input.user);
    return undefined;
}

/**
 * Confirm in the modal: the change, with every check run again for the user who confirms, then the answer. The
 * change counts as made through the door that opened the modal (its command, or its room button).
 */
export async function confirmChange(target: ConfirmTarget, user: IUser, ctx: OperationContext, t: Translator, env: Omit<RecordEnv, 'door'>): Promise<string> {
    // A room the person cannot access (or no longer there): "not found" by id before anything is decided or counted.
    const room = await requireAccessible(await ctx.rooms.getById(target.roomId), { kind: 'params', params: { roomId: target.roomId } }, user, ctx);
    // Spent by its first submit that got this far, whatever comes of it: a second submit of the view changes nothing.
    // (Only someone who may access the room spends it: nobody else can use up another person's confirmation.)
    if (!(await spendConfirmation(target.nonce, env.read, env.persistence))) {
        env.logger.warn(`confirmation of ${target.kind}: this view was submitted before; nothing was changed`);
        return t('confirm_spent');
    }
    if (target.undoes) {
        // An undo is decided again: the record it undoes must still be the room's newest of that setting, the room as it left it.
        const view = await requireUndoReader(toRoomView(room), refLabel({ kind: 'room', room }), user, ctx);
        const decision = await decideUndo(env.read, view, operationOf(target.kind));
        if (decision.record._id !== target.undoes || decision.kind !== target.kind) {
            throw changedSince(toRoomView(room), decision.record);
        }
    }
    const input: OperationInput = { user, room: { kind: 'room', room }, dryRun: false };
    const outcome = await makeChange(target.kind, input, ctx, { ...env, door: target.door, ...undoesOf(target) });
    return doneText(target.kind, outcome, t);
}
