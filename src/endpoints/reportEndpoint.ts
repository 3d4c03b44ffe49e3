import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { GovernanceScope } from '../access/scope';
import type { OperationContext } from '../operations/context';
import { encryptionReport } from '../operations/encryptionReport';
import type { ReportRow } from '../operations/encryptionReport';
import { toCsv } from './csv';
import type { CsvValue } from './csv';
import { InvalidParam, paginationSettings, strictPagination } from './pagination';
import { respondJson } from './answer';
import { ReadEndpoint } from './readEndpoint';

/** The most rows one CSV answer holds (interface.md §8). */
export const CSV_MAX_COUNT = 10000;

/** The CSV columns: the JSON row's fields, `lastChange` as its time and `lastChangeBy` as its actor's username. */
export const REPORT_CSV_HEADER: ReadonlyArray<string> = [
    '_id',
    'name',
    'fname',
    'encrypted',
    'keyEstablished',
    'changeable',
    'archived',
    'federated',
    'teamId',
    'teamMain',
    'prid',
    'usersCount',
    'lastChange',
    'lastChangeBy',
];

function csvRow(row: ReportRow): CsvValue[] {
    return [
        row._id,
        row.name,
        row.fname,
        row.encrypted,
        row.keyEstablished,
        row.changeable,
        row.archived,
        row.federated,
        row.teamId,
        row.teamMain,
        row.prid,
        row.usersCount,
        row.lastChange ? row.lastChange.at : null,
        row.lastChange ? row.lastChange.actor.username : null,
    ];
}

/** One of `allowed`, or undefined when absent; anything else (a repeated parameter too) is an {@link InvalidParam}. */
export function choice<T extends string>(query: Readonly<Record<string, unknown>>, param: string, allowed: ReadonlyArray<T>): T | undefined {
    const raw = query[param];
    if (raw === undefined || raw === '') {
        return undefined;
    }
    if (typeof raw !== 'string' || allowed.indexOf(raw as T) < 0) {
        throw new InvalidParam(param, `The parameter "${param}" must be ${allowed.join(' or ')}`);
    }
    return raw as T;
}

/**
 * `GET groups.encryptionReport?encrypted=true|false&offset=&count=&format=json|csv` (interface.md §8): the private
 * groups the caller governs, sorted by name, decided live and fail closed (the scope is the chat doors': the app
 * decides with the workspace's permission table, and lists every group through the service account).
 * `{ rooms, summary, offset, count, total, success: true }` — `summary` over the whole scope, `total` the groups that
 * match the filter, `count` this page's size. `format=csv` answers `text/csv` with a header row, `count` up to
 * {@link CSV_MAX_COUNT}. Bad input is a 400 `error-invalid-params` that reads nothing.
 */
export class EncryptionReportEndpoint extends ReadEndpoint {
    public path = 'groups.encryptionReport';

    protected async answer(user: IUser, query: Readonly<Record<string, unknown>>, read: IRead, ctx: OperationContext): Promise<IApiResponse> {
        const format = choice(query, 'format', ['json', 'csv'] as const) || 'json';
        const encrypted = choice(query, 'encrypted', ['true', 'false'] as const);
        const settings = await paginationSettings(ctx.serverSettings);
        const { offset, count } = strictPagination(query, settings, format === 'csv' ? CSV_MAX_COUNT : settings.upperLimit);
        const scope = await GovernanceScope.of(user, ctx);
        const report = await encryptionReport(scope, read, { encrypted: encrypted === undefined ? undefined : encrypted === 'true', offset, count });
        if (format === 'csv') {
            return {
                status: 200,
                headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="encryption-report.csv"' },
                content: toCsv(REPORT_CSV_HEADER, report.rooms.map(csvRow)),
            };
        }
        return respondJson(200, { rooms: report.rooms, summary: report.summary, offset, count: report.rooms.length, total: report.total, success: true });
    }
}
