import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { AppError } from '../errors/AppError';
import { kindOfRecord, roomIsAsLeft, whenText } from '../history/describe';
import { readHistory } from '../history/store';
import type { ChangeOperation, ChangeRecord } from '../history/store';
import type { RoomView } from '../workspace/roomView';
import type { ChangeKind } from './changeKind';

/** What undoing a room's newest recorded change of one setting is: that record, and the change that reverts it. */
export interface UndoDecision {
    /** The record undone (its `_id` goes into the new record's `undoes`). */
    readonly record: ChangeRecord;
    /** The change that reverts it, made through the operation cores like any other. */
    readonly kind: ChangeKind;
}

/** The change that reverts a change of each kind. */
const REVERT: Readonly<Record<ChangeKind, ChangeKind>> = {
    'encrypt-on': 'encrypt-off',
    'encrypt-off': 'encrypt-on',
    public: 'private',
    private: 'public',
    team: 'unteam',
    unteam: 'team',
};

/** How a record was made, for a refusal's text: the command, `button`, `endpoint`, `bulk` or `rocket.chat`. */
function howOf(record: ChangeRecord): string {
    if (record.door !== 'command') {
        return record.door;
    }
    return record.operation === 'setEncrypted' ? '/encrypt' : record.operation === 'setType' ? '/settype' : '/toteam';
}

const OPERATIONS: ReadonlyArray<ChangeOperation> = ['setEncrypted', 'setType', 'convertToTeam'];

/**
 * One room's undo decision (interface.md §8 "Undo"), shared by the single undo of the chat and HTTP doors and by job
 * undo: the room's newest recorded change of `operation`, if the room is still as that change left it — the same
 * state, and (by construction) no later record of that setting. Otherwise a refusal naming the change since (who, when,
 * how: the newest later record of the room), or saying that what changed it is not on record. Decides nothing about
 * who may make the reverting change: that is the operation core's every check, run when the change is made.
 * `view` is the room as it is now, read by the caller after its own checks: the decision tells what is on record and
 * names changes, so the caller first makes sure the room's history is readable to the person (`requireUndoReader`).
 */
export async function decideUndo(read: IRead, view: RoomView, operation: ChangeOperation): Promise<UndoDecision> {
    const { records } = await readHistory(read, view.id);
    const changes = records.filter((record) => OPERATIONS.indexOf(record.operation as ChangeOperation) >= 0);
    const index = changes.findIndex((record) => record.operation === operation);
    if (index < 0) {
        throw new AppError('nothing-to-undo', { room: view.label, operation });
    }
    const record = changes[index];
    if (!roomIsAsLeft(view, record)) {
        const since = changes.slice(0, index).pop();
        throw since ? changedSince(view, since) : new AppError('changed-outside-record', { room: view.label });
    }
    return { record, kind: REVERT[kindOfRecord(record)] };
}

/** The refusal of an undo because of `since`, a change made after the one to undo: who, when, how. */
export function changedSince(view: RoomView, since: ChangeRecord): AppError {
    return new AppError('changed-since', { room: view.label, operation: since.operation, user: since.actor.username, when: whenText(since.at), how: howOf(since) });
}
