import { countChangeAttempt } from '../access/rateLimit';
import { AppError } from '../errors/AppError';
import { toRoomView } from '../workspace/roomView';
import type { OperationContext } from './context';
import { assertRoomParamsGiven, findRoom, refLabel, refuseFederated } from './resolveRoom';
import { planRoom } from './roomSettingsWrite';
import type { OperationInput, Outcome, TeamResult } from './types';

/** Rocket.Chat's own conversion of a team back into a room (interface.md §8 "Undo"). */
export const TEAMS_CONVERT_TO_CHANNEL_PATH = '/api/v1/teams.convertToChannel';

/**
 * A team back into a room, as Rocket.Chat's `teams.convertToChannel` decides it (upstream
 * `apps/meteor/app/api/server/v1/teams.ts`): the room must be a team's main room the person can access, and they must
 * hold `convert-team` in it; the write is `{ teamId }` as the service account — never `roomsToRemove`, so no room of
 * the team is erased (every room keeps its type and leaves the team). A real change is counted by the rate limit
 * first; a federated room is refused after the room checks, as for every change.
 */
export async function convertToChannel(input: OperationInput, ctx: OperationContext): Promise<Outcome<TeamResult>> {
    const { user } = input;
    if (!input.dryRun) {
        await countChangeAttempt(ctx, user, 'convertToChannel');
    }
    assertRoomParamsGiven(input.room);
    const room = await findRoom(input.room, ctx, user);
    const view = room ? toRoomView(room) : undefined;
    if (!room || !view || (view.type !== 'p' && view.type !== 'c') || !(await ctx.access.canAccessRoom(user, view))) {
        throw new AppError('room-not-found', { room: refLabel(input.room) });
    }
    const found = { room, view };
    refuseFederated(found);
    const params = { room: view.label };
    if (!view.teamMain || !view.teamId) {
        throw new AppError('not-a-team', params);
    }
    if (!(await ctx.access.hasPermission(user, 'convert-team', view.id))) {
        throw new AppError('convert-team-not-allowed', params);
    }
    const body = { teamId: view.teamId };
    if (input.dryRun) {
        return {
            dryRun: true,
            label: view.label,
            plan: { operation: 'convertToTeam', room: planRoom(found), changes: { teamMain: { from: true, to: false } }, request: { method: 'POST', path: TEAMS_CONVERT_TO_CHANNEL_PATH, body } },
        };
    }
    await ctx.workspace.write(TEAMS_CONVERT_TO_CHANNEL_PATH, body);
    return { dryRun: false, label: view.label, result: { team: { _id: view.teamId } } };
}
