import { AppError } from '../errors/AppError';
import { resolveLanguage } from '../i18n/language';
import type { Translator } from '../i18n/translate';
import { cancelJob, jobsOf, namedInScope, storedReceipts, undoJob, visibleJob } from '../jobs/jobs';
import type { BulkServices } from '../jobs/jobs';
import { PROBLEMS_NAMED, isProblem, jobLine, problemLines } from '../jobs/report';
import type { OperationContext } from '../operations/context';
import { askBulkChange } from '../ui/bulkConfirm';
import type { ChangeEnv } from '../ui/requestChange';
import type { CommandRequest } from './runCommand';

/** `/encrypt`'s bulk actions (interface.md §8). */
type BulkAction = 'on' | 'off' | 'job' | 'cancel' | 'undo';

/** The word after the verb, when one was given (`/encrypt job <id>`): a room reference the parser made of it. */
function wordOf(request: CommandRequest): string | undefined {
    const { room } = request;
    return room.kind === 'idOrName' || room.kind === 'name' ? room.value : undefined;
}

/** `--all`, `--job <id>` and the job's own verbs never take a room. */
function refuseRoomWord(request: CommandRequest): void {
    const word = wordOf(request);
    if (word !== undefined) {
        throw new AppError('bulk-invalid-param', { param: word, rule: 'is not expected here' });
    }
}

/**
 * `/encrypt on|off --all [--dry-run]`, `/encrypt job [id]`, `/encrypt cancel --job <id>`, `/encrypt undo --job <id>`.
 * Answers the one private reply (undefined when the confirmation modal is the answer).
 */
export async function bulkCommand(action: BulkAction, request: CommandRequest, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    const { user } = request;
    const services: BulkServices = { env, ctx, t };
    const language = await resolveLanguage(user, () => ctx.serverSettings.get('Language'));
    switch (action) {
        case 'on':
        case 'off':
            refuseRoomWord(request);
            return askBulkChange(user, action === 'on', request.dryRun, services, { appId: env.appId, triggerId: env.triggerId, originRoomId: env.originRoomId });
        case 'job': {
            await ctx.workspace.getConfig();
            const id = request.jobId || wordOf(request);
            const job = id ? await visibleJob(id, user, services) : (await jobsOf(user, env))[0];
            if (!job) {
                return t('bulk_no_jobs');
            }
            // Only the first problems are shown by name: only those names are decided again for the reader.
            const problems = (await storedReceipts(job, env)).filter(isProblem);
            const named = await namedInScope(problems.slice(0, PROBLEMS_NAMED), user, services);
            return [jobLine(job, t), ...problemLines([...named, ...problems.slice(PROBLEMS_NAMED)], t)].join('\n');
        }
        case 'cancel': {
            refuseRoomWord(request);
            if (!request.jobId) {
                return t('bulk_job_option_missing');
            }
            const job = await cancelJob(request.jobId, user, services);
            return job.status === 'cancelled' ? t('bulk_cancelled', { id: job._id }) : jobLine(job, t);
        }
        default: {
            refuseRoomWord(request);
            if (!request.jobId) {
                return t('bulk_job_option_missing');
            }
            const job = await undoJob(request.jobId, user, 'command', language, services);
            return t('bulk_undo_started', { id: job._id, count: job.total, undone: request.jobId });
        }
    }
}
