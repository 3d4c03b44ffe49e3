import { countChangeAttempt } from '../access/rateLimit';
import { AppError } from '../errors/AppError';
import type { OperationContext } from './context';
import { refuseFederated, resolveGroup } from './resolveRoom';
import { saveRoomSettings } from './roomSettingsWrite';
import type { GroupResult, OperationInput, Outcome, Plan } from './types';

export interface SetEncryptedInput extends OperationInput {
    /** Must be a boolean (a REST body may carry anything). */
    readonly encrypted: unknown;
}

/**
 * `groups.setEncrypted` (semantics §4): a real change is counted by the rate limit first (interface.md §5), then
 * every check in Rocket.Chat's order (a federated room refused after the room checks), then one write.
 */
export async function setEncrypted(input: SetEncryptedInput, ctx: OperationContext): Promise<Outcome<GroupResult>> {
    const { user, encrypted } = input;
    if (!input.dryRun && !input.counted) {
        await countChangeAttempt(ctx, user, 'setEncrypted');
    }
    if (typeof encrypted !== 'boolean') {
        throw new AppError('body-encrypted-required');
    }
    const found = await resolveGroup(input.room, user, ctx, false, input.reach);
    refuseFederated(found);
    const { view } = found;
    const params = { room: view.label };
    if (!(await ctx.access.hasPermission(user, 'edit-room', view.id))) {
        throw new AppError('edit-room-not-allowed', params);
    }
    // Strict, as Rocket.Chat compares: a room without the field differs from `false`.
    if (encrypted !== view.encrypted) {
        if (!(await ctx.serverSettings.isTrue('E2E_Enable'))) {
            throw new AppError('e2e-disabled', params);
        }
        if (!(await ctx.access.hasPermission(user, 'toggle-room-e2e-encryption', view.id))) {
            throw new AppError('e2e-toggle-not-allowed', params);
        }
    }
    const from = view.encrypted === true;
    const changes: Plan['changes'] = from === encrypted ? {} : { encrypted: { from, to: encrypted } };
    return saveRoomSettings('setEncrypted', found, { rid: view.id, encrypted }, changes, input.dryRun, ctx);
}
