import type { IUIKitSurfaceViewParam } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { UIKitSurfaceType } from '@rocket.chat/apps-engine/definition/uikit/IUIKitSurface';
import type { LayoutBlock } from '@rocket.chat/ui-kit';
import type { Translator } from '../i18n/translate';
import { createJob, planFor } from '../jobs/jobs';
import type { BulkServices } from '../jobs/jobs';
import type { BulkPlan } from '../jobs/plan';
import { planLines } from '../jobs/report';
import { CANCEL_ACTION_ID, CONFIRM_ACTION_ID, NONCE, button, decode, newNonce, plain } from './confirmModal';
import { spendConfirmation } from './spentViews';
import { signView } from './viewSignature';

/**
 * A bulk change's confirmation (interface.md §8: always asked, whatever `confirm_changes` says). The view id carries
 * the target state, the room the command was typed in, the person it was opened for and a nonce of its own, signed
 * like every confirmation of the app (`viewSignature.ts`):
 * `group-admin.bulk/<on|off>/<origin room id>/<user id>/<nonce>/<signature>`. Only that person may confirm it, once
 * (the first submit spends the nonce, `spentViews.ts`); Confirm plans again and starts the job over that plan's rooms.
 */
const VIEW_ID_PREFIX = 'group-admin.bulk';

export interface BulkTarget {
    readonly to: boolean;
    readonly originRoomId: string;
    /** The person the modal was opened for: nobody else may confirm it. */
    readonly userId: string;
    /** This modal's own random id: the first submit spends it. */
    readonly nonce: string;
}

function bulkSignedPart(target: BulkTarget): string {
    return [VIEW_ID_PREFIX, target.to ? 'on' : 'off', encodeURIComponent(target.originRoomId), encodeURIComponent(target.userId), target.nonce].join('/');
}

/** A bulk confirmation's view id, parsed (the signature not yet checked); undefined for any other view. */
export function bulkTargetOf(viewId: unknown): { target: BulkTarget; signed: string; signature: string } | undefined {
    if (typeof viewId !== 'string') {
        return undefined;
    }
    const parts = viewId.split('/');
    if (parts.length !== 6 || parts[0] !== VIEW_ID_PREFIX || (parts[1] !== 'on' && parts[1] !== 'off') || !NONCE.test(parts[4]) || !parts[5]) {
        return undefined;
    }
    const originRoomId = decode(parts[2]);
    const userId = decode(parts[3]);
    if (!originRoomId || !userId) {
        return undefined;
    }
    return { target: { to: parts[1] === 'on', originRoomId, userId, nonce: parts[4] }, signed: parts.slice(0, 5).join('/'), signature: parts[5] };
}

/** The modal: the plan's summary, its first refusals and its warnings, with Confirm and Cancel. */
function bulkModal(target: BulkTarget, signature: string, plan: BulkPlan, t: Translator, appId: string): IUIKitSurfaceViewParam {
    const to = t(plan.to ? 'bulk_to_on' : 'bulk_to_off');
    const blocks: LayoutBlock[] = planLines(plan, t).map((text, index) => ({ type: 'section', appId, blockId: `plan-${index}`, text: plain(text) }));
    blocks.push({ type: 'context', appId, blockId: 'note', elements: [plain(t('bulk_modal_note'))] });
    return {
        id: `${bulkSignedPart(target)}/${signature}`,
        type: UIKitSurfaceType.MODAL,
        title: plain(t('bulk_modal_title', { to, count: plan.jobRooms.length })),
        blocks,
        submit: button(appId, CONFIRM_ACTION_ID, t('modal_confirm'), plan.to ? 'primary' : 'danger'),
        close: button(appId, CANCEL_ACTION_ID, t('modal_cancel')),
        notifyOnClose: true,
    };
}

/** What opening the modal needs besides the plan. */
export interface BulkAsk {
    readonly appId: string;
    readonly triggerId?: string;
    readonly originRoomId: string;
}

/**
 * `/encrypt on|off --all`: the plan, always confirmed in a modal (a dry run answers the plan instead). Answers the
 * reply text, or undefined when the modal is the answer.
 */
export async function askBulkChange(user: IUser, to: boolean, dryRun: boolean, services: BulkServices, ask: BulkAsk): Promise<string | undefined> {
    const { t } = services;
    const plan = await planFor(user, to, undefined, services);
    const lines = planLines(plan, t);
    if (dryRun) {
        return [t('plan_dryrun_heading'), ...lines, t('bulk_plan_next', { verb: to ? 'on' : 'off' })].join('\n');
    }
    if (plan.jobRooms.length === 0) {
        return t('bulk_nothing', { to: t(to ? 'bulk_to_on' : 'bulk_to_off') });
    }
    if (!ask.triggerId) {
        return [t('confirm_unavailable'), ...lines].join('\n');
    }
    const target: BulkTarget = { to, originRoomId: ask.originRoomId, userId: user.id, nonce: newNonce() };
    const signature = await signView(bulkSignedPart(target), services.env.read, services.env.persistence);
    await services.env.modify.getUiController().openSurfaceView(bulkModal(target, signature, plan, t, ask.appId), { triggerId: ask.triggerId }, user);
    return undefined;
}

/**
 * Confirm, by the person the modal was opened for (anyone else changes nothing and is told so), once (a second submit
 * of the view changes nothing and says so): planned again; the job starts over that plan's rooms. The one reply says so.
 */
export async function confirmBulkChange(user: IUser, target: BulkTarget, language: string, services: BulkServices): Promise<string> {
    const { t, env } = services;
    if (target.userId !== user.id) {
        env.logger.warn('confirmation of a bulk change: submitted by someone it was not opened for; nothing was changed');
        return t('bulk_confirm_not_yours');
    }
    if (!(await spendConfirmation(target.nonce, env.read, env.persistence))) {
        env.logger.warn('confirmation of a bulk change: this view was submitted before; nothing was changed');
        return t('confirm_spent');
    }
    const plan = await planFor(user, target.to, undefined, services);
    if (plan.jobRooms.length === 0) {
        return t('bulk_nothing', { to: t(target.to ? 'bulk_to_on' : 'bulk_to_off') });
    }
    const job = await createJob({ user, to: target.to, rooms: plan.jobRooms, door: 'command', language }, services);
    return t('bulk_job_started', { id: job._id, count: job.total });
}
