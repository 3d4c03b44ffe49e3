import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { Language } from '../i18n/catalog.generated';
import { translator } from '../i18n/translate';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { memberIds } from '../operations/convertToTeam';
import type { Plan, RoomRef } from '../operations/types';
import { unmappedOf } from '../workspace/roomView';
import { changeOf } from './changes';
import type { ChangeKind } from '../operations/changeKind';

/**
 * A change's plan in the reader's language: what changes, for whom, and the warning. The confirmation modal and
 * the `--dry-run` reply both show exactly these texts.
 */
export interface PlanText {
    /** The question the confirmation modal asks. */
    readonly title: string;
    /** What changes, then for whom. */
    readonly lines: ReadonlyArray<string>;
    readonly warning: string;
}

function usersCountOf(room: IRoom): number | undefined {
    const count = unmappedOf(room).usersCount;
    return typeof count === 'number' && count >= 0 ? count : undefined;
}

/**
 * How many members the plan's room has: Rocket.Chat's `usersCount` of the room at hand when the plan is about it
 * (a command typed in the room, a button clicked there), else of the room read again; the member list only when a
 * server does not give the count.
 */
export async function memberCount(plan: Plan, ref: RoomRef, ctx: OperationContext): Promise<number> {
    const atHand = ref.kind === 'room' && ref.room.id === plan.room._id ? usersCountOf(ref.room) : undefined;
    if (atHand !== undefined) {
        return atHand;
    }
    const room = await ctx.rooms.getById(plan.room._id);
    const counted = room ? usersCountOf(room) : undefined;
    // Entries of deleted users (`null` across the runtime boundary) are not members: `memberIds` skips them.
    return counted !== undefined ? counted : (await memberIds(plan.room._id, ctx)).length;
}

/** The plan of `kind` on the room labelled `label`, from the dry run's `plan`. */
export function describePlan(kind: ChangeKind, label: string, plan: Plan, members: number, t: Translator): PlanText {
    const { keys } = changeOf(kind);
    const params = { room: label, members, team: plan.team ? plan.team.name : label };
    const teamType = (kind === 'public' || kind === 'private') && plan.room.teamMain === true;
    const changeKey = teamType ? (kind === 'public' ? 'plan_public_team_change' : 'plan_private_team_change') : keys.change;
    return {
        title: t(keys.title, params),
        lines: [t(changeKey, params), t(keys.who, params)],
        warning: t(keys.warning, params),
    };
}

/** The plan as chat lines: one bullet per line, the warning last. */
export function planAsChat(text: PlanText): string {
    return [...text.lines.map((line) => `• ${line}`), `⚠️ ${text.warning}`].join('\n');
}

/** The change a dry run's plan is about. */
export function planKind(plan: Plan): ChangeKind {
    if (plan.operation === 'convertToTeam') {
        return plan.changes.teamMain && plan.changes.teamMain.to === false ? 'unteam' : 'team';
    }
    if (plan.operation === 'setType') {
        const type = plan.changes.t ? plan.changes.t.to : plan.request.body.roomType;
        return type === 'p' ? 'private' : 'public';
    }
    const encrypted = plan.changes.encrypted ? plan.changes.encrypted.to : plan.request.body.encrypted;
    return encrypted === true ? 'encrypt-on' : 'encrypt-off';
}

/** A dry run's plan in words: the texts, and all of them as the chat's `--dry-run` reply shows them. */
export interface PlanSummary extends PlanText {
    /** Exactly the text of the chat's `--dry-run` reply (heading, bullets, warning). */
    readonly text: string;
}

/**
 * The human summary of a dry run's `plan` in `language`, the same texts the chat's `--dry-run` reply gives (what
 * changes, for whom, the warning). `label` names the room (the room's name unless given); the member count is read
 * through `ctx` (one room read). An encryption plan that changes nothing answers with the chat's "already so" text
 * (then `lines` is that one line and `warning` is empty).
 */
export async function summarizePlan(plan: Plan, ctx: OperationContext, language: Language, label: string = plan.room.name): Promise<PlanSummary> {
    const t = translator(language);
    const kind = planKind(plan);
    const { unchanged } = changeOf(kind).keys;
    if (unchanged && Object.keys(plan.changes).length === 0) {
        const line = t(unchanged.dryRun, { room: label });
        return { title: t(changeOf(kind).keys.title, { room: label, members: 0, team: label }), lines: [line], warning: '', text: line };
    }
    const members = await memberCount(plan, { kind: 'params', params: { roomId: plan.room._id } }, ctx);
    const text = describePlan(kind, label, plan, members, t);
    return { ...text, text: `${t('plan_dryrun_heading')}\n${planAsChat(text)}` };
}
