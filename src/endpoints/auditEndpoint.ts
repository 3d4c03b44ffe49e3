import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError } from '../errors/AppError';
import { watchTick } from '../history/policy';
import { AUDIT_OPERATIONS, readAudit } from '../history/store';
import type { AuditFilter, AuditOperation, ChangeRecord } from '../history/store';
import type { OperationContext } from '../operations/context';
import { toCsv } from './csv';
import type { CsvValue } from './csv';
import { InvalidParam, paginationSettings, strictPagination } from './pagination';
import { respondJson } from './answer';
import { ReadEndpoint } from './readEndpoint';
import type { ReadAccessors } from './readEndpoint';
import { CSV_MAX_COUNT, choice } from './reportEndpoint';

/** The CSV columns: the record's fields, the actor as id and username. */
export const AUDIT_CSV_HEADER: ReadonlyArray<string> = ['_id', 'at', 'roomId', 'roomName', 'operation', 'from', 'to', 'fromUnknown', 'actorId', 'actorUsername', 'door', 'jobId', 'undoes'];

function cell(value: unknown): CsvValue {
    return value === undefined || value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
}

function csvRow(record: ChangeRecord): CsvValue[] {
    return [
        record._id,
        record.at,
        record.roomId,
        record.roomName,
        record.operation,
        cell(record.from),
        cell(record.to),
        record.fromUnknown === true,
        record.actor._id,
        record.actor.username,
        record.door,
        record.jobId,
        record.undoes,
    ];
}

/** ISO 8601 as `since`/`until` take it: a date, or a date and time with an optional zone. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A time parameter as the records hold times (`toISOString`), or undefined when absent. */
function timeParam(query: Readonly<Record<string, unknown>>, param: 'since' | 'until'): string | undefined {
    const raw = query[param];
    if (raw === undefined || raw === '') {
        return undefined;
    }
    const time = typeof raw === 'string' && ISO_8601.test(raw.trim()) ? Date.parse(raw.trim()) : NaN;
    if (Number.isNaN(time)) {
        throw new InvalidParam(param, `The parameter "${param}" must be a date in ISO 8601 format, e.g. 2026-12-01 or 2026-12-01T10:00:00Z`);
    }
    return new Date(time).toISOString();
}

/** A text parameter (`roomId`, `actor`), or undefined when absent; a repeated parameter is refused. */
function textParam(query: Readonly<Record<string, unknown>>, param: string): string | undefined {
    const raw = query[param];
    if (raw === undefined || raw === '') {
        return undefined;
    }
    if (typeof raw !== 'string') {
        throw new InvalidParam(param, `The parameter "${param}" must be a string`);
    }
    return raw;
}

/** The filter a query asks for; bad input is an {@link InvalidParam} that reads nothing. */
export function auditFilter(query: Readonly<Record<string, unknown>>): AuditFilter {
    const since = timeParam(query, 'since');
    const until = timeParam(query, 'until');
    if (since && until && until < since) {
        throw new InvalidParam('until', 'The parameter "until" must not be before "since"');
    }
    const operation: AuditOperation | undefined = choice(query, 'operation', AUDIT_OPERATIONS);
    return { since, until, roomId: textParam(query, 'roomId'), actor: textParam(query, 'actor'), operation };
}

/**
 * `GET groups.audit?since=&until=&roomId=&actor=&operation=&offset=&count=&format=json|csv` (interface.md §9): every
 * recorded change of the workspace, newest first, in `groups.history`'s shape plus `trimmed`, for holders of
 * `view-room-administration` only — decided live and fail closed with the workspace's permission table, as the chat
 * doors decide; anyone else gets Rocket.Chat's 403 for a missing permission. Paged as the other 0.3.0 listings
 * (`count` 1 to `API_Upper_Count_Limit`, CSV up to {@link CSV_MAX_COUNT}); the store reads one hour of records at a
 * time, never every record. Bad input is a 400 `error-invalid-params`.
 */
export class AuditEndpoint extends ReadEndpoint {
    public path = 'groups.audit';

    protected async answer(user: IUser, query: Readonly<Record<string, unknown>>, read: IRead, ctx: OperationContext, { http, modify, persis }: ReadAccessors): Promise<IApiResponse> {
        if (!(await ctx.access.hasPermission(user, 'view-room-administration'))) {
            throw new AppError('audit-not-allowed');
        }
        const format = choice(query, 'format', ['json', 'csv'] as const) || 'json';
        const filter = auditFilter(query);
        const settings = await paginationSettings(ctx.serverSettings);
        const { offset, count } = strictPagination(query, settings, format === 'csv' ? CSV_MAX_COUNT : settings.upperLimit);
        // The watch's tick first: a gap since the app was enabled is on record before it is read.
        await watchTick({ read, http, modify, logger: this.app.getLogger() }, persis);
        const page = await readAudit(read, persis, filter, offset, count);
        if (format === 'csv') {
            return {
                status: 200,
                headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="audit.csv"' },
                content: toCsv(AUDIT_CSV_HEADER, page.records.map(csvRow)),
            };
        }
        return respondJson(200, { history: page.records, offset, count: page.records.length, total: page.total, trimmed: page.trimmed, success: true });
    }
}
