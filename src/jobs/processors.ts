import type { ILogger } from '@rocket.chat/apps-engine/definition/accessors';
import { StartupType } from '@rocket.chat/apps-engine/definition/scheduler';
import type { IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import { logFailure } from '../errors/log';
import { RUN_PROCESSOR, TICK_INTERVAL, TICK_PROCESSOR, runJobs } from './runner';

/**
 * The scheduler's processors of bulk jobs (upstream-governance-notes.md §1): one-time runs, asked for when a job is
 * created and after each batch, and a recurring tick that picks up a job whose one-time run was lost (it fired while
 * the app was disabled) or whose instance stopped mid-batch. Neither ever throws: a processor that throws leaves its
 * scheduler job failed, never run again.
 */
export function bulkProcessors(logger: ILogger): Array<IProcessor> {
    const processor: IProcessor['processor'] = async (_context, read, modify, http, persistence) => {
        try {
            await runJobs({ read, modify, http, persistence, logger });
        } catch (error) {
            logFailure(logger, 'error', 'bulk jobs: a run failed', error);
        }
    };
    return [
        { id: RUN_PROCESSOR, processor },
        { id: TICK_PROCESSOR, processor, startupSetting: { type: StartupType.RECURRING, interval: TICK_INTERVAL, skipImmediate: true } },
    ];
}
