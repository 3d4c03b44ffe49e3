/** What the bulk-job engine tests share: the job's and receipts' shapes, reading a job, waiting for its end, pacing. */
import type { RestResponse } from '../../../host/workspace/model.cjs';
import type { Fixture } from '../harness.cjs';
import type { HttpDoor } from '../http/support.cjs';

export interface JobBody {
    _id: string;
    status: string;
    total: number;
    changed: number;
    unchanged: number;
    refused: number;
    failed: number;
    skipped: number;
    undoes?: string;
}

export interface ReceiptBody {
    roomId: string;
    name: string;
    result: string;
    errorType?: string;
    reason?: string;
}

export const body = (answer: RestResponse) => answer.body as Record<string, unknown>;

/** `GET groups.bulk` and waiting for a job's end, through the door `door()` answers (booted once per file). */
export function bulkReads(door: () => HttpDoor): {
    get: (query: Record<string, string>, username: string) => Promise<RestResponse>;
    ended: (jobId: string, username?: string) => Promise<{ job: JobBody; receipts: ReceiptBody[] }>;
} {
    const get = async (query: Record<string, string>, username: string): Promise<RestResponse> =>
        door().host.callApi({ method: 'GET', path: 'groups.bulk', query, headers: door().headersOf(username) });
    /** Waits until the job ended (the scheduler runs it in the background) and answers it with all its receipts. */
    const ended = async (jobId: string, username = 'alice'): Promise<{ job: JobBody; receipts: ReceiptBody[] }> => {
        const deadline = Date.now() + 30000;
        for (;;) {
            const answer = await get({ jobId, count: '0' }, username);
            const { job, receipts } = body(answer) as { job: JobBody; receipts: ReceiptBody[] };
            if (job && ['done', 'cancelled', 'failed'].includes(job.status)) {
                return { job, receipts };
            }
            if (Date.now() > deadline) {
                throw new Error(`job ${jobId} did not end: ${JSON.stringify(body(answer))}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    };
    return { get, ended };
}

/**
 * The service account without `api-bypass-rate-limit` and a limit of 100 calls per 50 s: a job uses half, one write a
 * second.
 */
export function pacedToOneWriteASecond(fixture: Fixture): void {
    fixture.workspace.setPermissionRoles('api-bypass-rate-limit', []);
    fixture.workspace.setSetting('API_Enable_Rate_Limiter_Limit_Calls_Default', 100);
    fixture.workspace.setSetting('API_Enable_Rate_Limiter_Limit_Time_Default', 50000);
}
