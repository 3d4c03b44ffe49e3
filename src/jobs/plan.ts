import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { AppError, isKnownFailure } from '../errors/AppError';
import type { KnownFailure } from '../errors/AppError';
import { failureText, toRestFailure } from '../errors/rest';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { setEncrypted } from '../operations/setEncrypted';
import type { RoomReach, RoomRef } from '../operations/types';
import { toRoomView } from '../workspace/roomView';
import type { GovernanceScope, GovernedGroup } from '../access/scope';

/** The most rooms one request may name (interface.md §8). */
export const MAX_ROOMS = 10000;

/** A room of a plan. */
export interface PlannedRoom {
    readonly _id: string;
    readonly name: string;
}

export interface RefusedRoom extends PlannedRoom {
    readonly errorType: string;
    readonly reason: string;
}

export interface SkippedRoom extends PlannedRoom {
    readonly reason: 'archived' | 'federated';
}

/** A bulk change's plan (interface.md §8): what a job would do now. */
export interface BulkPlan {
    readonly operation: 'setEncrypted';
    readonly to: boolean;
    readonly total: number;
    readonly willChange: ReadonlyArray<PlannedRoom>;
    readonly willFail: ReadonlyArray<RefusedRoom>;
    readonly unchanged: number;
    readonly skipped: ReadonlyArray<SkippedRoom>;
    readonly warnings: ReadonlyArray<string>;
    readonly estimatedSeconds: number;
    /** The rooms a job started now would go through, in order (not shown: the job keeps them). */
    readonly jobRooms: ReadonlyArray<string>;
    /**
     * Named rooms answered by the plan alone: unknown, or outside the person's scope, refused "not found" (not shown
     * apart from `willFail`). A job gets their receipts when it is created and never queues them as work.
     */
    readonly answered: ReadonlyArray<RefusedRoom>;
}

/** A refusal's `errorType` (Rocket.Chat's, else the plain error) and readable reason. */
export function refusalOf(failure: KnownFailure): { errorType: string; reason: string } {
    const content = toRestFailure(failure).content as { errorType?: unknown; error?: unknown };
    const errorType = typeof content.errorType === 'string' ? content.errorType : String(content.error);
    return { errorType, reason: failureText(failure) };
}

/** The name a receipt or plan may show: none for a room reported "not found" (never named to the person). */
export function shownName(failure: KnownFailure | undefined, room: IRoom | undefined): string {
    if (!room || (failure instanceof AppError && failure.code === 'room-not-found')) {
        return '';
    }
    return toRoomView(room).label;
}

/** The reference of a room for the core: the room at hand, or its id when it is not there (answered "not found"). */
export function refOf(roomId: string, room: IRoom | undefined): RoomRef {
    return room ? { kind: 'room', room } : { kind: 'params', params: { roomId } };
}

/** The warnings of a bulk encryption change, in the reader's language. */
export function bulkWarnings(to: boolean, t: Translator): Array<string> {
    return to ? [t('bulk_warning_existing_messages'), t('bulk_warning_members_without_keys')] : [t('bulk_warning_off_decrypts_nothing')];
}

/**
 * Seconds per room of an unpaced job (a write, a record, an announcement): bench/results.md section 5 measured 87 rooms/s
 * at 100 rooms and 104 rooms/s at 1,000 (2026-12-07, 2 cores at load 9), about 0.01 s; 0.015 s (about 67 rooms/s)
 * leaves room for a slower workspace.
 */
const SECONDS_PER_ROOM = 0.015;

/**
 * Seconds a job of `writes` rooms takes as the runner runs it: unpaced (the service account holds
 * `api-bypass-rate-limit`, `paceMs` 0) at the measured rate; paced, one write every `paceMs` (the runner's `paceMs`:
 * half the service account's REST limit), never faster than the measured rate.
 */
export function estimateSeconds(writes: number, paceMs: number): number {
    return Math.ceil(writes * Math.max(paceMs / 1000, SECONDS_PER_ROOM));
}

export interface PlanInput {
    readonly user: IUser;
    readonly to: boolean;
    /** Rooms named by the caller; without them, every group the caller governs. */
    readonly rooms?: ReadonlyArray<string>;
    /** Milliseconds between two writes when the job is paced (0: not paced). */
    readonly paceMs: number;
}

/** The scope's answer for a room as the core's reach rule: in scope, or "not found". */
export function reachOf(scope: GovernanceScope): RoomReach {
    return async (room) => (await scope.decideRoom(room)) !== undefined;
}

/**
 * The plan of a bulk encryption change for `user`, each room decided now as the job would decide it:
 * - rooms named by the caller (each once, however often named): each read and decided by the operation core's dry run,
 *   reached through the scope — an unknown room or one outside the scope is refused "not found", unnamed, by the plan
 *   alone (`answered`: a job never queues it);
 * - without them, every group in the scope, page by page from the scope's listing: a group the scope finds changeable
 *   will change, any other group is decided by the core's dry run for its reason.
 * Archived and federated groups are skipped; groups already in the target state are `unchanged` (and left out of a job
 * over the whole scope).
 */
export async function planBulk(input: PlanInput, scope: GovernanceScope, ctx: OperationContext, t: Translator): Promise<BulkPlan> {
    const willChange: PlannedRoom[] = [];
    const willFail: RefusedRoom[] = [];
    const skipped: SkippedRoom[] = [];
    const jobRooms: string[] = [];
    const answered: RefusedRoom[] = [];
    let unchanged = 0;
    let total = 0;
    const reach = reachOf(scope);
    /** The core's dry run of one room: will change, is unchanged, or is refused (with why). */
    const decide = async (roomId: string, room: IRoom | undefined, named: boolean): Promise<void> => {
        try {
            const outcome = await setEncrypted({ user: input.user, room: refOf(roomId, room), encrypted: input.to, dryRun: true, reach }, ctx);
            if (!outcome.dryRun || Object.keys(outcome.plan.changes).length === 0) {
                unchanged += 1;
                if (named) {
                    jobRooms.push(roomId);
                }
                return;
            }
            willChange.push({ _id: roomId, name: outcome.label });
        } catch (error) {
            if (!isKnownFailure(error) || isFatal(error)) {
                throw error;
            }
            const refused: RefusedRoom = { _id: roomId, name: shownName(error, room), ...refusalOf(error) };
            willFail.push(refused);
            if (named && error instanceof AppError && error.code === 'room-not-found') {
                answered.push(refused); // nothing to write: never a job's work
                return;
            }
        }
        jobRooms.push(roomId);
    };
    const skip = (group: GovernedGroup): boolean => {
        if (group.archived || group.federated) {
            skipped.push({ _id: group._id, name: group.prid ? group.fname : group.name, reason: group.archived ? 'archived' : 'federated' });
            return true;
        }
        return false;
    };
    if (input.rooms) {
        for (const roomId of new Set(input.rooms)) {
            total += 1;
            const room = roomId ? await ctx.rooms.getById(roomId) : undefined;
            const group = room ? await scope.decideRoom(room) : undefined;
            if (!group || !skip(group)) {
                await decide(roomId, room, true);
            }
        }
    } else {
        for await (const page of scope.pages()) {
            for (const group of page) {
                total += 1;
                if (skip(group)) {
                    continue;
                }
                if (group.encrypted === input.to) {
                    unchanged += 1;
                } else if (group.changeable) {
                    willChange.push({ _id: group._id, name: group.prid ? group.fname : group.name });
                    jobRooms.push(group._id);
                } else {
                    await decide(group._id, await ctx.rooms.getById(group._id), false);
                }
            }
        }
    }
    const writes = willChange.length + willFail.length - answered.length;
    const estimatedSeconds = estimateSeconds(writes, input.paceMs);
    return { operation: 'setEncrypted', to: input.to, total, willChange, willFail, unchanged, skipped, warnings: bulkWarnings(input.to, t), estimatedSeconds, jobRooms, answered };
}

/** Failures that stop everything (no room can be decided or written): never a room's refusal. */
export function isFatal(failure: KnownFailure): boolean {
    return (
        failure instanceof AppError &&
        (failure.code === 'app-not-configured' ||
            failure.code === 'service-account-rejected' ||
            failure.code === 'permissions-unavailable' ||
            failure.code === 'workspace-request-failed')
    );
}
