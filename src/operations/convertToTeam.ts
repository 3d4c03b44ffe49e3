import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { countChangeAttempt } from '../access/rateLimit';
import { AppError, RocketChatRefusal } from '../errors/AppError';
import { redactValue } from '../workspace/appSettings';
import type { RoomView } from '../workspace/roomView';
import type { OperationContext } from './context';
import { refuseFederated, resolveGroup } from './resolveRoom';
import { planRoom } from './roomSettingsWrite';
import type { OperationInput, Outcome, TeamResult } from './types';

export const TEAMS_CREATE_PATH = '/api/v1/teams.create';

/** Rocket.Chat's own `checkUsernameAvailability` (blocked names, then users and teams, case-insensitive). */
export const CHECK_USERNAME_PATH = '/api/v1/users.checkUsernameAvailability';

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

function errorTypeOf(data: unknown): unknown {
    return data && typeof data === 'object' ? (data as { errorType?: unknown }).errorType : undefined;
}

/**
 * §6 step 6 for a dry run: the name checks `teams.create` would make, so that a dry run fails as the change would.
 * `users.checkUsernameAvailability` (as the service account) runs Rocket.Chat's own check: a blocked name answers
 * its `error-blocked-username` (the very body `teams.create` gives); `result: false` means a user or a team holds
 * the name. Any other answer (e.g. `Accounts_AllowUsernameChange` off) cannot tell, and the check is left to the
 * change itself. Then another room with that name → `room-name-already-exists`.
 */
async function assertTeamNameFree(name: string, view: RoomView, ctx: OperationContext): Promise<void> {
    const answer = await ctx.workspace.read(CHECK_USERNAME_PATH, { username: name });
    if (answer.status === 400 && errorTypeOf(answer.data) === 'error-blocked-username') {
        throw new RocketChatRefusal(answer.status, redactValue(answer.data));
    }
    const available = answer.status === 200 && answer.data && typeof answer.data === 'object' ? (answer.data as { result?: unknown }).result : undefined;
    if (available === false) {
        throw new RocketChatRefusal(400, { success: false, error: 'team-name-already-exists' });
    }
    const sameName = await ctx.rooms.getByName(name);
    if (sameName && sameName.id !== view.id) {
        throw new RocketChatRefusal(400, { success: false, error: 'room-name-already-exists' });
    }
}

/**
 * The ids of the room's members. A subscription whose user no longer exists comes back as an empty entry
 * (`undefined`, `null` across the runtime boundary, upstream audit F6): skipped, as `teams.create` would drop it.
 */
export async function memberIds(roomId: string, ctx: OperationContext): Promise<string[]> {
    const members: ReadonlyArray<IUser | null | undefined> = (await ctx.rooms.getMembers(roomId)) || [];
    const ids: string[] = [];
    for (const member of members) {
        if (member && typeof member.id === 'string' && member.id) {
            ids.push(member.id);
        }
    }
    return ids;
}

/**
 * `groups.convertToTeam` (semantics §6): a real change is counted by the rate limit first (interface.md §5), then the
 * checks in Rocket.Chat's order (a federated room refused after the room checks) plus the app rules 4–5, then
 * `teams.create`.
 */
export async function convertToTeam(input: OperationInput, ctx: OperationContext): Promise<Outcome<TeamResult>> {
    const { user } = input;
    if (!input.dryRun) {
        await countChangeAttempt(ctx, user, 'convertToTeam');
    }
    assertNoEmptyRoomKey(input);
    const found = await resolveGroup(input.room, user, ctx);
    refuseFederated(found);
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
        await assertTeamNameFree(team.name, view, ctx);
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
    const members = await memberIds(view.id, ctx);
    const answer = await ctx.workspace.write(TEAMS_CREATE_PATH, { ...body, members });
    return { dryRun: false, label: view.label, result: { team: teamOf(answer) } };
}
