import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint } from '@rocket.chat/apps-engine/definition/api';
import type { IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import { resolveLanguage } from '../i18n/language';
import { translator } from '../i18n/translate';
import { cancelJob, createJob, jobReceipts, jobsOf, planFor, shownPlan, undoJob, visibleJob } from '../jobs/jobs';
import type { BulkServices } from '../jobs/jobs';
import { MAX_ROOMS } from '../jobs/plan';
import { publicJob } from '../jobs/types';
import { createOperationContext } from '../operations/context';
import { callerOf, failureResponse, respondJson } from './answer';
import { clampedPagination, paginationSettings } from './pagination';


type Body = Readonly<Record<string, unknown>>;

function has(body: Body, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(body, key);
}

const invalid = (param: string, rule: string) => new AppError('bulk-invalid-param', { param, rule });

/** A POST body: a JSON object whose `dryRun`, when present, is a boolean. */
function bodyOf(request: IApiRequest): Body {
    const body = request.content as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new AppError('invalid-body');
    }
    const object = body as Body;
    if (has(object, 'dryRun') && typeof object.dryRun !== 'boolean') {
        throw new AppError('invalid-dry-run');
    }
    return object;
}

/** `rooms`: absent, or an array of at most {@link MAX_ROOMS} strings. */
function roomsOf(body: Body): ReadonlyArray<string> | undefined {
    if (!has(body, 'rooms')) {
        return undefined;
    }
    const { rooms } = body;
    if (!Array.isArray(rooms) || rooms.some((id) => typeof id !== 'string')) {
        throw invalid('rooms', 'must be an array of room ids');
    }
    if (rooms.length > MAX_ROOMS) {
        throw invalid('rooms', `must hold at most ${MAX_ROOMS} room ids`);
    }
    return rooms as ReadonlyArray<string>;
}

/** `jobId`: a non-empty string. */
function jobIdOf(body: Body): string {
    if (typeof body.jobId !== 'string' || !body.jobId) {
        throw invalid('jobId', 'is required');
    }
    return body.jobId;
}

/**
 * The bulk endpoints' common door (interface.md §8 "Authority"): the caller is `request.user`; bad input is a 400 in
 * Rocket.Chat's shape before anything is read or started; the app decides (a job runs when no caller credentials
 * exist) and the service account writes, so without it every answer is 503 `error-app-not-configured`.
 */
abstract class BulkEndpoint extends ApiEndpoint {
    public authRequired = true;

    protected async serve(
        request: IApiRequest,
        read: IRead,
        modify: IModify,
        http: IHttp,
        persistence: IPersistence,
        work: (user: IUser, services: BulkServices, language: string) => Promise<IApiResponse>,
    ): Promise<IApiResponse> {
        const logger = this.app.getLogger();
        try {
            const user = callerOf(request, logger);
            const ctx = createOperationContext(read, http, logger);
            const language = await resolveLanguage(user, () => ctx.serverSettings.get('Language'));
            const services: BulkServices = { env: { read, modify, persistence, logger }, ctx, t: translator(language) };
            return await work(user, services, language);
        } catch (error) {
            return failureResponse(error, logger, this.path);
        }
    }
}

/**
 * `POST groups.bulk { operation: "setEncrypted", encrypted, rooms?, dryRun? }`: the plan (dry run), or a job (202).
 * `GET groups.bulk?jobId=&offset=&count=`: a job and a page of its receipts; without `jobId`, the caller's jobs.
 */
export class BulkEndpointMain extends BulkEndpoint {
    public path = 'groups.bulk';

    public async post(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        return this.serve(request, read, modify, http, persis, async (user, services, language) => {
            const body = bodyOf(request);
            if (body.operation !== 'setEncrypted') {
                throw invalid('operation', 'must be "setEncrypted"');
            }
            if (typeof body.encrypted !== 'boolean') {
                throw invalid('encrypted', 'must be a boolean: true or false');
            }
            const rooms = roomsOf(body);
            const plan = await planFor(user, body.encrypted, rooms, services);
            if (body.dryRun === true) {
                return respondJson(200, { plan: shownPlan(plan), dryRun: true, success: true });
            }
            const job = await createJob({ user, to: body.encrypted, rooms: plan.jobRooms, answered: plan.answered, door: 'endpoint', language }, services);
            return respondJson(202, { job, success: true });
        });
    }

    public async get(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        return this.serve(request, read, modify, http, persis, async (user, services) => {
            const query: Readonly<Record<string, unknown>> = request.query || {};
            const { offset, count } = clampedPagination(query, await paginationSettings(services.ctx.serverSettings), MAX_ROOMS);
            await services.ctx.workspace.getConfig();
            if (has(query, 'jobId')) {
                const job = await visibleJob(query.jobId, user, services);
                const page = await jobReceipts(job, user, services, offset, count);
                return respondJson(200, { job: publicJob(job), receipts: page.receipts, offset, count: page.receipts.length, total: page.total, success: true });
            }
            const jobs = (await jobsOf(user, services.env)).map(publicJob);
            const shown = jobs.slice(offset, offset + count);
            return respondJson(200, { jobs: shown, offset, count: shown.length, total: jobs.length, success: true });
        });
    }
}

/** `POST groups.bulk.cancel { jobId }`: the job stops before its next room. */
export class BulkCancelEndpoint extends BulkEndpoint {
    public path = 'groups.bulk.cancel';

    public async post(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        return this.serve(request, read, modify, http, persis, async (user, services) => {
            const jobId = jobIdOf(bodyOf(request));
            await services.ctx.workspace.getConfig();
            return respondJson(200, { job: await cancelJob(jobId, user, services), success: true });
        });
    }
}

/** `POST groups.bulk.undo { jobId }`: a new job reverting what the job changed (202). */
export class BulkUndoEndpoint extends BulkEndpoint {
    public path = 'groups.bulk.undo';

    public async post(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, modify: IModify, http: IHttp, persis: IPersistence): Promise<IApiResponse> {
        return this.serve(request, read, modify, http, persis, async (user, services, language) => {
            const jobId = jobIdOf(bodyOf(request));
            await services.ctx.workspace.getConfig();
            return respondJson(202, { job: await undoJob(jobId, user, 'endpoint', language, services), success: true });
        });
    }
}
