import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { GovernanceScope, GovernedGroup } from '../access/scope';
import { lastChange } from '../history/store';
import type { ChangeRecord } from '../history/store';

/** How many history reads a report page has in flight at once. */
const LAST_CHANGE_READS_AT_ONCE = 50;

/** Counts over every group in a scope, whatever the filter and page (interface.md §8). */
export interface EncryptionSummary {
    readonly privateGroups: number;
    readonly encrypted: number;
    readonly unencrypted: number;
    readonly changeable: number;
    readonly archived: number;
    readonly federated: number;
}

/** One row of the report: the group and its newest recorded encryption change (null when none). */
export interface ReportRow extends GovernedGroup {
    readonly lastChange: ChangeRecord | null;
}

export interface ReportQuery {
    /** Only groups in this state; undefined = every group. */
    readonly encrypted?: boolean;
    readonly offset: number;
    readonly count: number;
}

export interface ReportPage {
    readonly rooms: ReadonlyArray<ReportRow>;
    readonly summary: EncryptionSummary;
    /** The groups that match the filter. */
    readonly total: number;
}

/** What the chat reply needs: the counts, and the first unencrypted groups the person can change, by name. */
export interface ReportDigest {
    readonly summary: EncryptionSummary;
    /** Changeable and not encrypted. */
    readonly toEncrypt: number;
    readonly firstNames: ReadonlyArray<string>;
}

/** Walks the scope once, page by page, counting every group and handing each to `visit`. */
async function scan(scope: GovernanceScope, visit: (group: GovernedGroup) => void): Promise<EncryptionSummary> {
    const counts = { privateGroups: 0, encrypted: 0, unencrypted: 0, changeable: 0, archived: 0, federated: 0 };
    for await (const page of scope.pages()) {
        for (const group of page) {
            counts.privateGroups++;
            counts[group.encrypted ? 'encrypted' : 'unencrypted']++;
            counts.changeable += group.changeable ? 1 : 0;
            counts.archived += group.archived ? 1 : 0;
            counts.federated += group.federated ? 1 : 0;
            visit(group);
        }
    }
    return counts;
}

/** The summary of the whole scope (for the scheduled report: `encryptionSummary(await GovernanceScope.ofWorkspace(ctx))`). */
export function encryptionSummary(scope: GovernanceScope): Promise<EncryptionSummary> {
    return scan(scope, () => undefined);
}

/**
 * `groups.encryptionReport`: one page of the groups in scope that match the filter, sorted by name, with the summary of
 * the whole scope and how many match. Reads the scope once; only the page's rows are kept, and only they read their
 * newest recorded encryption change (one persistence read each).
 */
export async function encryptionReport(scope: GovernanceScope, read: IRead, query: ReportQuery): Promise<ReportPage> {
    const page: GovernedGroup[] = [];
    let total = 0;
    const summary = await scan(scope, (group) => {
        if (query.encrypted !== undefined && group.encrypted !== query.encrypted) {
            return;
        }
        if (total >= query.offset && page.length < query.count) {
            page.push(group);
        }
        total++;
    });
    const rooms: ReportRow[] = [];
    // A few reads at a time: a CSV page may hold thousands of rows.
    for (let start = 0; start < page.length; start += LAST_CHANGE_READS_AT_ONCE) {
        const chunk = page.slice(start, start + LAST_CHANGE_READS_AT_ONCE);
        rooms.push(...(await Promise.all(chunk.map(async (group) => ({ ...group, lastChange: (await lastChange(read, group._id, 'setEncrypted')) || null })))));
    }
    return { rooms, summary, total };
}

/** `/encrypt report`: the counts and the first `limit` groups the person could encrypt now, by name. */
export async function encryptionDigest(scope: GovernanceScope, limit: number): Promise<ReportDigest> {
    const firstNames: string[] = [];
    let toEncrypt = 0;
    const summary = await scan(scope, (group) => {
        if (group.changeable && !group.encrypted) {
            toEncrypt++;
            if (firstNames.length < limit) {
                firstNames.push(group.name);
            }
        }
    });
    return { summary, toEncrypt, firstNames };
}
