/**
 * A small app, packaged in memory, that drives the Apps-Engine scheduler the way an app does (`IModify.getScheduler()`,
 * processors registered in `extendConfiguration`) and records every processor run in its persistence. It tests the
 * host's scheduler bridge (host/engine/scheduler.cts) and the two-instance harness (test/multi/) without the Group Admin
 * package.
 *
 * Endpoints (all POST, no auth): `schedule-once { id, when, data }` and `schedule-recurring { id, interval,
 * skipImmediate, data }` → `{ jobId }`; `cancel { id }`; `cancel-all`; `runs` → `{ runs }` (every record a processor
 * wrote, in order).
 *
 * Processors: `record` writes `{ phase: 'start' }`, waits `data.sleepMs` if given, then writes `{ phase: 'done' }`, each
 * with the job context it got; it throws after `start` when `data.fail` is set. `tick` (recurring) writes one record.
 */
import AdmZip from 'adm-zip';

export const SCHEDULER_PROBE_ID = 'c4d2a1f3-8e66-4f1f-8b54-6a1d3e0f9b22';

const SOURCE = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const App_1 = require("@rocket.chat/apps-engine/definition/App");
const api_1 = require("@rocket.chat/apps-engine/definition/api");
const metadata_1 = require("@rocket.chat/apps-engine/definition/metadata");
const RUNS = () => new metadata_1.RocketChatAssociationRecord(metadata_1.RocketChatAssociationModel.MISC, "runs");
class Endpoint extends api_1.ApiEndpoint {
    constructor(app, path, run) { super(app); this.path = path; this.run = run; }
    async post(request, endpoint, read, modify, http, persis) { return { status: 200, content: await this.run(request.content || {}, read, modify, persis) }; }
}
async function note(persis, context, extra) {
    await persis.createWithAssociation(Object.assign({ context, at: Date.now() }, extra), RUNS());
}
class SchedulerProbeApp extends App_1.App {
    async extendConfiguration(configuration) {
        await configuration.scheduler.registerProcessors([
            {
                id: "record",
                processor: async (context, read, modify, http, persis) => {
                    await note(persis, context, { processor: "record", phase: "start" });
                    if (context.sleepMs) { await new Promise((resolve) => setTimeout(resolve, context.sleepMs)); }
                    if (context.fail) { throw new Error("probe failure"); }
                    await note(persis, context, { processor: "record", phase: "done" });
                },
            },
            {
                id: "tick",
                processor: async (context, read, modify, http, persis) => { await note(persis, context, { processor: "tick", phase: "done" }); },
            },
        ]);
        await configuration.api.provideApi({
            visibility: api_1.ApiVisibility.PUBLIC,
            security: api_1.ApiSecurity.UNSECURE,
            endpoints: [
                new Endpoint(this, "schedule-once", async (body, read, modify) => ({
                    jobId: (await modify.getScheduler().scheduleOnce({ id: body.id, when: body.when, data: body.data })) ?? null,
                })),
                new Endpoint(this, "schedule-recurring", async (body, read, modify) => ({
                    jobId: (await modify.getScheduler().scheduleRecurring({ id: body.id, interval: body.interval, skipImmediate: body.skipImmediate, data: body.data })) ?? null,
                })),
                new Endpoint(this, "cancel", async (body, read, modify) => { await modify.getScheduler().cancelJob(body.id); return {}; }),
                new Endpoint(this, "cancel-all", async (body, read, modify) => { await modify.getScheduler().cancelAllJobs(); return {}; }),
                new Endpoint(this, "runs", async (body, read) => ({ runs: await read.getPersistenceReader().readByAssociation(RUNS()) })),
            ],
        });
    }
}
exports.SchedulerProbeApp = SchedulerProbeApp;
`;

/** The scheduler probe's package. `permissions` replaces the declared ones (default: api, persistence, scheduler). */
export function schedulerProbeZip(version = '0.0.1', permissions: Array<{ name: string }> = [{ name: 'api' }, { name: 'persistence' }, { name: 'scheduler' }]): Buffer {
    const zip = new AdmZip();
    const appJson = {
        id: SCHEDULER_PROBE_ID,
        version,
        requiredApiVersion: '^1.62.0',
        author: { name: 'Host tests', homepage: 'https://example.invalid', support: 'https://example.invalid' },
        name: 'Scheduler Probe',
        nameSlug: 'scheduler-probe',
        classFile: 'SchedulerProbeApp.ts',
        description: 'Drives the Apps-Engine scheduler and records every processor run.',
        implements: [],
        permissions,
    };
    zip.addFile('app.json', Buffer.from(JSON.stringify(appJson, null, 2)));
    zip.addFile('SchedulerProbeApp.js', Buffer.from(SOURCE));
    return zip.toBuffer();
}

/** One record a processor wrote. */
export interface ProbeRun {
    processor: 'record' | 'tick';
    phase: 'start' | 'done';
    context: Record<string, unknown> & { jobId: string };
    at: number;
}
