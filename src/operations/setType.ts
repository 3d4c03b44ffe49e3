import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { countChangeAttempt } from '../access/rateLimit';
import { teamRuleAllows } from '../access/teams';
import { AppError } from '../errors/AppError';
import { toRoomView } from '../workspace/roomView';
import type { RoomView } from '../workspace/roomView';
import type { OperationContext } from './context';
import { assertRoomParamsGiven, findRoom, refLabel, refuseFederated, requireGroup } from './resolveRoom';
import type { FoundRoom } from './resolveRoom';
import { saveRoomSettings } from './roomSettingsWrite';
import type { GroupResult, OperationInput, Outcome } from './types';

export interface SetTypeInput extends OperationInput {
    /** `c` or `p` (case-sensitive); a REST body may carry anything. */
    readonly type: unknown;
}

function inTeam(view: RoomView): view is RoomView & { readonly teamId: string } {
    return !!view.teamId && !view.teamMain;
}

function write(found: FoundRoom, type: string, input: SetTypeInput, ctx: OperationContext): Promise<Outcome<GroupResult>> {
    const changes = { t: { from: found.view.type, to: type } };
    return saveRoomSettings('setType', found, { rid: found.view.id, roomType: type }, changes, input.dryRun, ctx);
}

/**
 * Step 9 as newest Rocket.Chat has it (`isAbacManagedTeam(team, room)` in `saveRoomSettings`' `roomType` validator):
 * the team is private, `ABAC_Enabled` is on and the room being changed itself carries ABAC attributes — the main
 * room's attributes do not matter. (Step 7 refuses such a room first, so this rarely decides.)
 */
async function abacManagedTeamRoom(view: RoomView & { readonly teamId: string }, ctx: OperationContext): Promise<boolean> {
    if (!view.hasAbacAttributes || !(await ctx.serverSettings.isTrue('ABAC_Enabled'))) {
        return false;
    }
    const team = await ctx.teams.get(view.teamId);
    return !!team && team.type === 1;
}

/** 5A: a private group (Rocket.Chat's `groups.setType`), steps 3–10. */
async function changeGroupType(room: IRoom | undefined, type: string, input: SetTypeInput, ctx: OperationContext): Promise<Outcome<GroupResult>> {
    const { user } = input;
    const found = await requireGroup(room, input.room, user, ctx);
    refuseFederated(found);
    const { view } = found;
    const params = { room: view.label };
    if (type === view.type) {
        throw new AppError('same-type', params);
    }
    if (!(await ctx.access.hasPermission(user, 'edit-room', view.id))) {
        throw new AppError('edit-room-not-allowed', params);
    }
    if (type === 'c' && !inTeam(view) && !(await ctx.access.hasPermission(user, 'create-c'))) {
        throw new AppError('to-public-not-allowed', params);
    }
    // From here on `type` is never "p" (step 4 answered it).
    if (view.hasAbacAttributes && (await ctx.serverSettings.isTrue('ABAC_Enabled'))) {
        throw new AppError('abac-room-to-public', params);
    }
    if (inTeam(view)) {
        // Newest Rocket.Chat (upstream audit F7): inside a team only the team permission, in the main room's scope.
        if (type === 'c' && !(await teamRuleAllows(ctx.access, ctx.teams, user, view.teamId, 'create-team-channel'))) {
            throw new AppError('team-room-to-public-not-allowed', params);
        }
        if (await abacManagedTeamRoom(view, ctx)) {
            throw new AppError('abac-team-room-to-public', params);
        }
    }
    if (type !== 'c') {
        throw new AppError('invalid-room-type', { room: view.label, type });
    }
    return write(found, type, input, ctx);
}

/**
 * How a refusal about a public channel names it. Rocket.Chat's `channels.setType` checks no access, so the channel
 * may be one the person cannot access (a public channel in a private team): then only what they typed (or, for a
 * button or a modal, the id) is shown, never its name (interface.md §5).
 */
async function channelParams(view: RoomView, input: SetTypeInput, ctx: OperationContext): Promise<{ room: string }> {
    return { room: (await ctx.access.canAccessRoom(input.user, view)) ? view.label : refLabel(input.room) };
}

/** 5B (extension): a public channel becomes a private group, with `channels.setType`'s rules. */
async function changeChannelToPrivate(room: IRoom, input: SetTypeInput, ctx: OperationContext): Promise<Outcome<GroupResult>> {
    const { user } = input;
    const view = toRoomView(room);
    if (view.archived) {
        // Rocket.Chat's REST text names the channel; a chat answer names it only for someone who can access it.
        throw new AppError('channel-archived', input.room.kind === 'params' ? { room: view.name } : await channelParams(view, input, ctx));
    }
    const found: FoundRoom = { room, view };
    if (view.federated) {
        throw new AppError('federated-room', await channelParams(view, input, ctx));
    }
    if (!(await ctx.access.hasPermission(user, 'edit-room', view.id))) {
        throw new AppError('edit-room-not-allowed', await channelParams(view, input, ctx));
    }
    if (inTeam(view)) {
        // Newest Rocket.Chat (upstream audit F7): inside a team only the team permission, in the main room's scope.
        if (!(await teamRuleAllows(ctx.access, ctx.teams, user, view.teamId, 'create-team-group'))) {
            throw new AppError('team-room-to-private-not-allowed', await channelParams(view, input, ctx));
        }
    } else if (!(await ctx.access.hasPermission(user, 'create-p'))) {
        throw new AppError('to-private-not-allowed', await channelParams(view, input, ctx));
    }
    return write(found, 'p', input, ctx);
}

/**
 * `groups.setType` (semantics §5): a private group → `c`, or (extension 5B) a public channel → `p`. A real change is
 * counted by the rate limit first (interface.md §5); a federated room is refused after the room checks.
 */
export async function setType(input: SetTypeInput, ctx: OperationContext): Promise<Outcome<GroupResult>> {
    const { type } = input;
    if (!input.dryRun) {
        await countChangeAttempt(ctx, input.user, 'setType');
    }
    if (typeof type !== 'string' || type.trim() === '') {
        throw new AppError('body-type-required');
    }
    assertRoomParamsGiven(input.room);
    const room = await findRoom(input.room, ctx, input.user);
    if (room && String(room.type) === 'c' && type === 'p') {
        return changeChannelToPrivate(room, input, ctx);
    }
    return changeGroupType(room, type, input, ctx);
}
