import { toRestRoom } from '../workspace/roomView';
import type { OperationContext } from './context';
import type { FoundRoom } from './resolveRoom';
import type { GroupResult, Outcome, Plan } from './types';

export const SAVE_ROOM_SETTINGS_PATH = '/api/v1/rooms.saveRoomSettings';

/** The room as a plan names it. */
export function planRoom(found: FoundRoom): Plan['room'] {
    const { view } = found;
    return { _id: view.id, name: view.name, fname: view.fname, t: view.type, ...(view.teamMain ? { teamMain: true as const } : {}) };
}

/**
 * The last step of an encryption or type change, once every check passed: a dry run answers the plan;
 * otherwise one `rooms.saveRoomSettings` as the service account; the room can then be re-read for the answer.
 */
export async function saveRoomSettings(
    operation: 'setEncrypted' | 'setType',
    found: FoundRoom,
    body: Readonly<Record<string, unknown>>,
    changes: Plan['changes'],
    dryRun: boolean,
    ctx: OperationContext,
): Promise<Outcome<GroupResult>> {
    const label = found.view.label;
    if (dryRun) {
        return {
            dryRun: true,
            label,
            plan: { operation, room: planRoom(found), changes, request: { method: 'POST', path: SAVE_ROOM_SETTINGS_PATH, body } },
        };
    }
    await ctx.workspace.write(SAVE_ROOM_SETTINGS_PATH, body);
    const readGroup = async () => toRestRoom((await ctx.rooms.getById(found.view.id)) || found.room);
    return { dryRun: false, label, result: { changes, readGroup } };
}
