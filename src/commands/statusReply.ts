import { isKnownFailure } from '../errors/AppError';
import { mayReadHistory } from '../history/access';
import { changeSentence, kindOfRecord, whenText } from '../history/describe';
import { lastChange } from '../history/store';
import type { ChangeOperation } from '../history/store';
import type { MessageKey } from '../i18n/catalog.generated';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { changeOf } from '../ui/changes';
import type { ChangeEnv } from '../ui/requestChange';
import { describeFailure, isServiceFailure } from '../errors/explain';
import { roomOf, suggestCommand } from './roomArgs';
import type { CommandRequest } from './runCommand';

/** The changes a status reply offers: the other state of the room. */
export type NextChange = 'encrypt-on' | 'encrypt-off' | 'public' | 'private';

const MAY: Readonly<Record<NextChange, { readonly may: MessageKey; readonly mayNot: MessageKey; readonly command: string }>> = {
    'encrypt-on': { may: 'status_may_encrypt_on', mayNot: 'status_may_not_encrypt_on', command: '/encrypt on' },
    'encrypt-off': { may: 'status_may_encrypt_off', mayNot: 'status_may_not_encrypt_off', command: '/encrypt off' },
    public: { may: 'status_may_public', mayNot: 'status_may_not_public', command: '/settype public' },
    private: { may: 'status_may_private', mayNot: 'status_may_not_private', command: '/settype private' },
};

/**
 * Whether the invoker may make `next` in the room, and why not: a dry run of it (every check, nothing written).
 * A failure on the service side (not configured, rejected, unreachable) is thrown: the whole reply is about it then.
 */
async function mayLine(next: NextChange, command: string, request: CommandRequest, ctx: OperationContext, t: Translator): Promise<string> {
    try {
        await changeOf(next).perform({ ...request, dryRun: true }, ctx);
        return t(MAY[next].may, { command });
    } catch (error) {
        if (!isKnownFailure(error) || isServiceFailure(error)) {
            throw error;
        }
        return t(MAY[next].mayNot, { reason: describeFailure(error, t) });
    }
}

/**
 * A status reply, in one or two lines: the current state with the last recorded change of that setting (for whoever
 * may read the room's history), then what the invoker may change there — naming the room in the suggested command
 * when it is not the room the command was typed in — or why not.
 */
export async function statusReply(
    state: string,
    next: NextChange,
    operation: ChangeOperation,
    request: CommandRequest,
    ctx: OperationContext,
    t: Translator,
    env: Pick<ChangeEnv, 'read' | 'originRoomId'>,
): Promise<string> {
    const room = await roomOf(request.room, request.user, ctx);
    const command = room ? suggestCommand(MAY[next].command, room, env) : MAY[next].command;
    let first = state;
    if (room && (await mayReadHistory(request.user, room.id, ctx))) {
        const last = await lastChange(env.read, room.id, operation);
        if (last) {
            first = `${state} ${t('history_last', { when: whenText(last.at), change: changeSentence(kindOfRecord(last), last.actor.username, last.door, t) })}`;
        }
    }
    return `${first}\n${await mayLine(next, command, request, ctx, t)}`;
}
