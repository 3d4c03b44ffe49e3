import type { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import type { OperationInput } from '../operations/types';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import { changeOf, changesSomething } from './changes';
import type { ChangeKind, ChangeOutcome } from './changes';
import { confirmModal } from './confirmModal';
import type { ConfirmTarget } from './confirmModal';
import { describePlan, memberCount, planAsChat } from './plan';

/** What a command or a button needs besides the operation: how to open a modal, and where its answer goes. */
export interface ChangeEnv {
    readonly read: IRead;
    readonly modify: IModify;
    readonly appId: string;
    /** The client's trigger id, without which no modal can be opened. */
    readonly triggerId?: string;
    /** The room the command was typed in or the button clicked in. */
    readonly originRoomId: string;
}

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
 * A change asked for by a slash command or a room button, for `input.user`:
 * - a dry run runs every check and answers the plan (the same texts as the confirmation modal);
 * - a risky change while `confirm_changes` is on runs every check, then opens the confirmation modal, which carries
 *   the change and the room itself; the change waits for Confirm (`confirmChange`);
 * - anything else is made at once.
 * Answers with the reply text, or undefined when the modal is the answer. Failed checks are thrown (known failures).
 */
export async function requestChange(kind: ChangeKind, input: OperationInput, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    const change = changeOf(kind);
    const ask = !input.dryRun && change.risky && (await confirmationWanted(env.read));
    if (!input.dryRun && !ask) {
        return doneText(kind, await change.perform(input, ctx), t);
    }
    const checked = await change.perform({ ...input, dryRun: true }, ctx);
    const { unchanged } = change.keys;
    if (unchanged && !changesSomething(checked)) {
        // The room already is as asked (encryption): nothing to confirm, nothing to plan.
        return input.dryRun ? t(unchanged.dryRun, { room: checked.label }) : doneText(kind, await change.perform(input, ctx), t);
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
    const target: ConfirmTarget = { kind, roomId: checked.plan.room._id, originRoomId: env.originRoomId };
    await env.modify.getUiController().openSurfaceView(confirmModal(target, plan, t, env.appId), { triggerId: env.triggerId }, input.user);
    return undefined;
}

/** Confirm in the modal: the change, with every check run again for the user who confirms, then the answer. */
export async function confirmChange(target: ConfirmTarget, user: IUser, ctx: OperationContext, t: Translator): Promise<string> {
    const outcome = await changeOf(target.kind).perform({ user, room: { kind: 'params', params: { roomId: target.roomId } }, dryRun: false }, ctx);
    return doneText(target.kind, outcome, t);
}
