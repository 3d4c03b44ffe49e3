import { isKnownFailure } from '../errors/AppError';
import type { MessageKey } from '../i18n/catalog.generated';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { changeOf } from '../ui/changes';
import { describeFailure, isServiceFailure } from './describeFailure';
import type { CommandRequest } from './runCommand';

/** The changes a status reply offers: the other state of the room. */
export type NextChange = 'encrypt-on' | 'encrypt-off' | 'public' | 'private';

const MAY: Readonly<Record<NextChange, { readonly may: MessageKey; readonly mayNot: MessageKey }>> = {
    'encrypt-on': { may: 'status_may_encrypt_on', mayNot: 'status_may_not_encrypt_on' },
    'encrypt-off': { may: 'status_may_encrypt_off', mayNot: 'status_may_not_encrypt_off' },
    public: { may: 'status_may_public', mayNot: 'status_may_not_public' },
    private: { may: 'status_may_private', mayNot: 'status_may_not_private' },
};

/**
 * Whether the invoker may make `next` in the room, and why not: a dry run of it (every check, nothing written).
 * A failure on the service side (not configured, rejected, unreachable) is thrown: the whole reply is about it then.
 */
async function mayLine(next: NextChange, request: CommandRequest, ctx: OperationContext, t: Translator): Promise<string> {
    try {
        await changeOf(next).perform({ ...request, dryRun: true }, ctx);
        return t(MAY[next].may);
    } catch (error) {
        if (!isKnownFailure(error) || isServiceFailure(error)) {
            throw error;
        }
        return t(MAY[next].mayNot, { reason: describeFailure(error, t) });
    }
}

/** A status reply: the current state, what the invoker may change there (or why not), and the usage. */
export async function statusReply(state: string, next: NextChange, request: CommandRequest, ctx: OperationContext, t: Translator, usage: MessageKey): Promise<string> {
    return `${state}\n${await mayLine(next, request, ctx, t)}\n${t(usage)}`;
}
