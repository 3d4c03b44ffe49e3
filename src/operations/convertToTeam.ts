import { AppError } from '../errors/AppError';
import type { OperationContext } from './context';
import { resolveGroup } from './resolveRoom';
import { planRoom } from './roomSettingsWrite';
import type { OperationInput, Outcome, TeamResult } from './types';

export const TEAMS_CREATE_PATH = '/api/v1/teams.create';

/** Fields of `<team>` (interface.md §3). */
const TEAM_FIELDS = ['_id', 'name', 'type', 'roomId', 'createdAt', 'createdBy', '_updatedAt'];

function teamOf(answer: unknown): Record<string, unknown> {
    const team = answer && typeof answer === 'object' ? (answer as { team?: unknown }).team : undefined;
    const result: Record<string, unknown> = {};
    if (team && typeof team === 'object') {
        TEAM_FIELDS.forEach((field) => {
            const value = (team as Record<string, unknown>)[field];
            if (value !== undefined) {
                result[field] = value;
            }
        });
    }
    return result;
}

/** §6 step 1: a `roomId` or `roomName` key with an empty value (a plain failure, unlike §3.1). */
function assertNoEmptyRoomKey(input: OperationInput): void {
    if (input.room.kind !== 'params') {
        return;
    }
    const { params } = input.room;
    const emptyKey = (key: string) => Object.prototype.hasOwnProperty.call(params, key) && !params[key];
    if (emptyKey('roomId') || emptyKey('roomName')) {
        throw new AppError('room-param-empty');
    }
}

/** `groups.convertToTeam` (semantics §6): checks in Rocket.Chat's order plus the app rules 4–5, then `teams.create`. */
export async function convertToTeam(input: OperationInput, ctx: OperationContext): Promise<Outcome<TeamResult>> {
    const { user } = input;
    assertNoEmptyRoomKey(input);
    const found = await resolveGroup(input.room, user, ctx);
    const { view } = found;
    const params = { room: view.label };
    if (!(await ctx.access.hasAllPermissions(user, ['create-team', 'edit-room'], view.id))) {
        throw new AppError('team-not-allowed', params);
    }
    if (view.teamMain) {
        throw new AppError('already-team-main', params);
    }
    if (view.teamId) {
        throw new AppError('room-already-in-team', params);
    }
    const team = { name: view.label, type: 1 as const, owner: user.id };
    const body = { name: team.name, type: team.type, room: { id: view.id }, owner: team.owner };
    if (input.dryRun) {
        return {
            dryRun: true,
            label: view.label,
            plan: {
                operation: 'convertToTeam',
                room: planRoom(found),
                changes: { teamMain: { from: false, to: true } },
                request: { method: 'POST', path: TEAMS_CREATE_PATH, body },
                team,
            },
        };
    }
    const members = (await ctx.rooms.getMembers(view.id)).map((member) => member.id);
    const answer = await ctx.workspace.write(TEAMS_CREATE_PATH, { ...body, members });
    return { dryRun: false, label: view.label, result: { team: teamOf(answer) } };
}
