import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { StartupType } from '@rocket.chat/apps-engine/definition/scheduler';
import type { IJobContext, IProcessor } from '@rocket.chat/apps-engine/definition/scheduler';
import { logFailure } from '../errors/log';
import { REPORT_PROCESSOR, postScheduledReport } from '../history/reportSchedule';
import { RUN_PROCESSOR, TICK_INTERVAL, TICK_PROCESSOR, runJobs } from './runner';

/** What one run of a processor works with. */
export interface ProcessorEnv {
    readonly read: IRead;
    readonly modify: IModify;
    readonly http: IHttp;
    readonly persistence: IPersistence;
    readonly logger: ILogger;
}

/**
 * A processor whose log lines reach the app's log. The Deno runtime calls a processor with `this` bound to the app for
 * that run (`deno-runtime/handlers/scheduler-handler.ts`), whose `getLogger()` is the run's logger; a logger taken in
 * `extendConfiguration` belongs to that finished call, and what it is told later is never stored. `fallback` serves a
 * runtime that binds nothing.
 */
function processorOf(fallback: ILogger, work: (env: ProcessorEnv, context: IJobContext) => Promise<void>): IProcessor['processor'] {
    return async function (this: unknown, context: IJobContext, read: IRead, modify: IModify, http: IHttp, persistence: IPersistence): Promise<void> {
        const app = this as { getLogger?: () => ILogger } | undefined;
        const logger = app && typeof app.getLogger === 'function' ? app.getLogger() : fallback;
        await work({ read, modify, http, persistence, logger }, context);
    };
}

/**
 * The scheduler's processors of bulk jobs (upstream-governance-notes.md §1): one-time runs, asked for when a job is
 * created and after each batch, and a recurring tick that picks up a job whose one-time run was lost (it fired while
 * the app was disabled) or whose instance stopped mid-batch. Neither ever throws: a processor that throws leaves its
 * scheduler job failed, never run again.
 */
export function bulkProcessors(logger: ILogger): Array<IProcessor> {
    const processor = processorOf(logger, async (env) => {
        try {
            await runJobs(env);
        } catch (error) {
            logFailure(env.logger, 'error', 'bulk jobs: a run failed', error);
        }
    });
    return [
        { id: RUN_PROCESSOR, processor },
        { id: TICK_PROCESSOR, processor, startupSetting: { type: StartupType.RECURRING, interval: TICK_INTERVAL, skipImmediate: true } },
    ];
}

/**
 * The scheduled encryption report (`report_schedule`, interface.md §9): its recurring job is scheduled on enable and
 * on each change of the setting (`applyReportSchedule`), never here — a startup setting could not follow the setting.
 */
export function reportProcessor(logger: ILogger, appId: string): IProcessor {
    return {
        id: REPORT_PROCESSOR,
        processor: processorOf(logger, async (env) => {
            await postScheduledReport(env, appId);
        }),
    };
}
