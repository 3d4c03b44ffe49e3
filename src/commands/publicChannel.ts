import { AppError } from '../errors/AppError';
import type { MessageKey } from '../i18n/catalog.generated';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { toRoomView } from '../workspace/roomView';
import type { ChangeEnv } from '../ui/requestChange';
import type { CommandRequest } from './runCommand';
import { roomOf, suggestCommand } from './roomArgs';

/**
 * `work`'s answer; when it found no private group because the room is a public channel the invoker can access, the
 * truth instead (`key`: it is a public channel, what is for private groups, and `/settype private` as the way
 * there). A hidden or missing room keeps the "not found" answer: this never reveals a room.
 */
export async function orPublicChannel(
    work: () => Promise<string | undefined>,
    key: MessageKey,
    request: CommandRequest,
    ctx: OperationContext,
    t: Translator,
    env: Pick<ChangeEnv, 'originRoomId'>,
): Promise<string | undefined> {
    try {
        return await work();
    } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'room-not-found') {
            throw error;
        }
        const room = await roomOf(request.room, request.user, ctx);
        const view = room ? toRoomView(room) : undefined;
        if (!room || !view || view.type !== 'c' || !(await ctx.access.canAccessRoom(request.user, view))) {
            throw error;
        }
        return t(key, { room: view.label, command: suggestCommand('/settype private', room, env) });
    }
}
