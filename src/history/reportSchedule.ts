import type { ILogger, ISchedulerModify } from '@rocket.chat/apps-engine/definition/accessors';
import { GovernanceScope } from '../access/scope';
import { logFailure } from '../errors/log';
import { createOperationContext } from '../operations/context';
import { encryptionSummary } from '../operations/encryptionReport';
import { whenText } from './describe';
import { alertTarget, postInAlertRoom } from './policy';
import type { AlertEnv } from './policy';

/** The `report_schedule` setting (interface.md §4, §9): the encryption report's summary posted in `alert_room`. */
export const REPORT_SCHEDULE_SETTING = 'report_schedule';

export const REPORT_SCHEDULES = ['off', 'daily', 'weekly'] as const;

export type ReportSchedule = (typeof REPORT_SCHEDULES)[number];

/** The scheduler's processor (job name `<id>_<app id>`): one recurring job, upserted by name. */
export const REPORT_PROCESSOR = 'group-admin-scheduled-report';

/** 08:00 server time; weekly on Mondays (cron: minute hour day-of-month month day-of-week). */
export const REPORT_CRON: Readonly<Record<Exclude<ReportSchedule, 'off'>, string>> = {
    daily: '0 8 * * *',
    weekly: '0 8 * * 1',
};

/** What the scheduled post says in the app log: a setup warning names it. */
const WHAT = 'scheduled encryption report';

export function parseReportSchedule(value: unknown): ReportSchedule | undefined {
    return REPORT_SCHEDULES.find((schedule) => schedule === value);
}

/** The warning for a value that is no schedule (the setting keeps its last valid value). */
export function notASchedule(value: unknown): string {
    return `report_schedule: ${JSON.stringify(value)} is not one of ${REPORT_SCHEDULES.join(', ')}`;
}

/**
 * Puts the scheduler in line with `report_schedule` (on enable and on every change of the setting): `daily`/`weekly`
 * upsert the one recurring job with its cron and `skipImmediate` — Rocket.Chat's Agenda would otherwise run it at once,
 * and an upsert also moves a firing missed while the server was down to the next 08:00 instead of running it at
 * start-up; `off` cancels it. A value that is no schedule leaves the job as it is. Never throws.
 */
export async function applyReportSchedule(scheduler: ISchedulerModify, value: unknown, logger: ILogger): Promise<void> {
    const schedule = parseReportSchedule(value);
    try {
        if (!schedule) {
            logger.warn(`${notASchedule(value)}: the report's schedule is left as it was`);
        } else if (schedule === 'off') {
            await scheduler.cancelJob(REPORT_PROCESSOR);
        } else {
            await scheduler.scheduleRecurring({ id: REPORT_PROCESSOR, interval: REPORT_CRON[schedule], skipImmediate: true });
        }
    } catch (error) {
        logFailure(logger, 'warn', `report_schedule (${String(schedule)}): the scheduler did not take the change; it is tried again on the next enable`, error);
    }
}

/**
 * One firing of the schedule: re-reads `report_schedule` and `alert_room` now, so a job left from before a change does
 * nothing wrong — off, or a Monday-only schedule on another day, posts nothing. Checks `alert_room` (§9: alerts name
 * private groups) before it reads the workspace, then posts one message: the summary of every private group, in the
 * server's language. Never throws (a processor that throws leaves its job failed). Answers whether it posted.
 */
export async function postScheduledReport(env: AlertEnv, appId: string, now: Date = new Date()): Promise<boolean> {
    try {
        const raw: unknown = await env.read.getEnvironmentReader().getSettings().getValueById(REPORT_SCHEDULE_SETTING);
        const schedule = parseReportSchedule(raw);
        if (!schedule || schedule === 'off' || (schedule === 'weekly' && now.getDay() !== 1)) {
            env.logger.debug(`report_schedule is ${JSON.stringify(raw)}: no report at ${now.toISOString()}`);
            return false;
        }
        const target = await alertTarget(env, WHAT, `report_schedule is ${schedule}`);
        if (!target) {
            return false;
        }
        const ctx = createOperationContext(env.read, env.http, env.logger);
        const scope = await GovernanceScope.ofWorkspace(ctx);
        const summary = await encryptionSummary(scope);
        const { t } = target;
        const lines = [
            t('report_scheduled', { when: whenText(now.toISOString()), ...summary }),
            ...(scope.e2eEnabled ? [] : [t('report_e2e_disabled')]),
            t('report_scheduled_more', { endpoint: `/api/apps/public/${appId}/groups.encryptionReport` }),
        ];
        return await postInAlertRoom(env, target, WHAT, lines.join('\n'));
    } catch (error) {
        logFailure(env.logger, 'warn', `no ${WHAT} posted`, error);
        return false;
    }
}
