import type { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { getAppUser } from '../workspace/appUser';
import { DEFAULT_LANGUAGE, matchLanguage } from '../i18n/language';
import { translator } from '../i18n/translate';
import type { Translator } from '../i18n/translate';
import type { BulkPlan } from './plan';
import type { Job, Receipt, StoredJob } from './types';

/** Refusals and failures named in a report, at most. */
export const PROBLEMS_NAMED = 20;

/** "Job abc: done — 12 changed, 3 unchanged, 1 refused, 0 failed, 0 skipped (of 16)." */
export function jobLine(job: Job, t: Translator): string {
    return t('bulk_job_line', {
        id: job._id,
        status: t(`bulk_status_${job.status}`),
        to: t(job.to ? 'bulk_to_on' : 'bulk_to_off'),
        changed: job.changed,
        unchanged: job.unchanged,
        refused: job.refused,
        failed: job.failed,
        skipped: job.skipped,
        total: job.total,
    });
}

/** A refusal or a failure: a receipt the job's summary lists. */
export function isProblem(receipt: Receipt): boolean {
    return receipt.result === 'refused' || receipt.result === 'failed';
}

/** The refusals and failures by name (a room reported "not found" by its id only), the first {@link PROBLEMS_NAMED}. */
export function problemLines(receipts: ReadonlyArray<Receipt>, t: Translator): Array<string> {
    const problems = receipts.filter(isProblem);
    const lines = problems
        .slice(0, PROBLEMS_NAMED)
        .map((receipt) => t('bulk_problem_line', { room: receipt.name ? `#${receipt.name}` : receipt.roomId, result: t(`bulk_result_${receipt.result}`), reason: receipt.reason || receipt.errorType || '' }));
    if (problems.length > PROBLEMS_NAMED) {
        lines.push(t('bulk_more', { count: problems.length - PROBLEMS_NAMED }));
    }
    return lines;
}

/**
 * The direct room of the app's bot and `user`: found by their usernames, else created by the app, as an app creates a
 * direct message with its bot (`modify.getCreator().startRoom()` of type `DIRECT_MESSAGE`, the bot as creator).
 */
async function directRoom(read: IRead, modify: IModify, bot: IUser, user: IUser): Promise<IRoom | undefined> {
    const rooms = read.getRoomReader();
    const usernames = [bot.username, user.username];
    const found = await rooms.getDirectByUsernames(usernames);
    if (found) {
        return found;
    }
    const creator = modify.getCreator();
    const builder = creator.startRoom().setType(RoomType.DIRECT_MESSAGE).setCreator(bot).setMembersToBeAddedByUsernames(usernames);
    const id = await creator.finish(builder);
    return rooms.getById(id);
}

/**
 * When a job ends, its starter gets a direct message from the app's bot (kept while they are offline): the counts,
 * and the refusals and failures by name (interface.md §8).
 */
export async function reportJobEnd(job: StoredJob, receipts: ReadonlyArray<Receipt>, env: { read: IRead; modify: IModify }): Promise<void> {
    const { read, modify } = env;
    const [bot, user] = await Promise.all([getAppUser(read), read.getUserReader().getById(job.startedBy._id)]);
    if (!bot || !user) {
        return;
    }
    const room = await directRoom(read, modify, bot, user);
    if (!room) {
        return;
    }
    const t = translator((job.language && matchLanguage(job.language)) || DEFAULT_LANGUAGE);
    const text = [t('bulk_report_heading'), jobLine(job, t), ...problemLines(receipts, t)].join('\n');
    const creator = modify.getCreator();
    await creator.finish(creator.startMessage().setRoom(room).setSender(bot).setText(text));
}

/** A plan in chat (the dry run and the confirmation modal): the counts and time, the first refusals by name, the warnings. */
export function planLines(plan: BulkPlan, t: Translator): Array<string> {
    const to = t(plan.to ? 'bulk_to_on' : 'bulk_to_off');
    const summary = t('bulk_plan_summary', {
        change: plan.willChange.length,
        fail: plan.willFail.length,
        unchanged: plan.unchanged,
        to,
        skipped: plan.skipped.length,
        seconds: plan.estimatedSeconds,
    });
    const refusals: Receipt[] = plan.willFail.map((room) => ({ roomId: room._id, name: room.name, result: 'refused', errorType: room.errorType, reason: room.reason, at: '' }));
    return [summary, ...problemLines(refusals, t), ...plan.warnings.map((warning) => t('bulk_plan_warning', { warning }))];
}
