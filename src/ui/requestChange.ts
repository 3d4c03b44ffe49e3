import type { ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { announceChange, announcementWanted } from '../history/announce';
import { operationOf } from '../history/describe';
import { serialized } from '../history/roomLock';
import { recordChange } from '../history/store';
import type { ChangeDoor } from '../history/store';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { findRoom, refLabel } from '../operations/resolveRoom';
import type { OperationInput, RoomRef } from '../operations/types';
import { toRoomView } from '../workspace/roomView';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import { changeOf, changesSomething } from './changes';
import type { ChangeKind } from '../operations/changeKind';
import type { ChangeOutcome } from './changes';
import { confirmModal, signedPartOf } from './confirmModal';
import type { ConfirmTarget } from './confirmModal';
import { describePlan, memberCount, planAsChat } from './plan';
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
}

/** What a change needs besides the operation: the accessors to record and announce it. */
export type RecordEnv = Pick<ChangeEnv, 'read' | 'modify' | 'persistence' | 'logger'> & { readonly door: Exclude<ChangeDoor, 'endpoint' | 'rocket.chat'> };

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

/** The change's record and its announcement: a change made stays on record even when the announcement fails. */
async function keepOnRecord(kind: ChangeKind, outcome: ChangeOutcome, room: IRoom, user: IUser, ctx: OperationContext, env: RecordEnv): Promise<void> {
    if (outcome.dryRun || !changesSomething(outcome)) {
        return;
    }
    const { result } = outcome;
    const changed = 'changes' in result ? result.changes.encrypted || result.changes.t : undefined;
    const [from, to] = changed ? [changed.from, changed.to] : [false, true];
    const actor = { _id: user.id, username: user.username };
    try {
        await recordChange(env.read, env.persistence, { roomId: room.id, roomName: toRoomView(room).name, operation: operationOf(kind), from, to, actor, door: env.door });
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
 * Makes the change (every check, then the write) after any other chat-door change of the same room finished, so it
 * sees the room as that change left it; a change that changed something is recorded and announced.
 */
export async function makeChange(kind: ChangeKind, input: OperationInput, ctx: OperationContext, env: RecordEnv): Promise<ChangeOutcome> {
    const change = changeOf(kind);
    const found = await findRoom(input.room, ctx, input.user);
    if (!found) {
        // Nothing to change: the operation gives its own answer (not found, the room not named…).
        return change.perform({ ...input, dryRun: false }, ctx);
    }
    return serialized(found.id, async () => {
        const room = (await currentRoom(input.room, input.user, ctx)) || found;
        const ref: RoomRef = input.room.kind === 'room' ? { kind: 'room', room } : input.room;
        const outcome = await change.perform({ ...input, room: ref, dryRun: false }, ctx);
        await keepOnRecord(kind, outcome, room, input.user, ctx, env);
        return outcome;
    });
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
    const target: ConfirmTarget = { kind, roomId: checked.plan.room._id, originRoomId: env.originRoomId, door: env.door };
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
    const input: OperationInput = { user, room: { kind: 'room', room }, dryRun: false };
    const outcome = await makeChange(target.kind, input, ctx, { ...env, door: target.door });
    return doneText(target.kind, outcome, t);
}
