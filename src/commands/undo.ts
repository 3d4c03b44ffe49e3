import { requireUndoReader } from '../history/access';
import type { ChangeOperation } from '../history/store';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { findRoom, refLabel } from '../operations/resolveRoom';
import { decideUndo } from '../operations/undo';
import { requestChange, requireAccessible } from '../ui/requestChange';
import type { ChangeEnv } from '../ui/requestChange';
import { toRoomView } from '../workspace/roomView';
import type { CommandRequest } from './runCommand';

/**
 * `/encrypt undo [room]`, `/settype undo [room]`, `/toteam undo [room]` (interface.md §8 "Undo"): the room's newest
 * recorded change of that setting is reverted by a new change of the person asking — a room they cannot access is
 * "not found" first, and one who may not read its history (`requireUndoReader`) gets what `/encrypt history` answers
 * them; then `decideUndo` (refused, naming the change since, when the room is no longer as that change
 * left it); then the reverting change as any other (`requestChange`: every check, the confirmation rules, the
 * announcement), recorded with `undoes`. An encryption undo that turns it off says that this decrypts nothing.
 */
export async function undoReply(operation: ChangeOperation, request: CommandRequest, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    const room = await requireAccessible(await findRoom(request.room, ctx, request.user), request.room, request.user, ctx);
    const view = await requireUndoReader(toRoomView(room), refLabel(request.room), request.user, ctx);
    const decision = await decideUndo(env.read, view, operation);
    const answer = await requestChange(decision.kind, { ...request, room: { kind: 'room', room } }, ctx, t, { ...env, undoes: decision.record._id });
    return answer !== undefined && decision.kind === 'encrypt-off' ? `${answer} ${t('undo_encrypt_note')}` : answer;
}
