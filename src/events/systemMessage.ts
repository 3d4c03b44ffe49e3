import type { ILogger, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { logFailure } from '../errors/log';
import { observedChange, recordObserved } from '../history/observe';
import type { ObservedRecord } from '../history/observe';

/**
 * The system-message door (`IPostSystemMessageSent`): a watched change is put on record once. Rocket.Chat does not
 * wait for this and nobody sees its answer, so a failure is logged, never thrown.
 */
export async function onSystemMessage(message: IMessage, read: IRead, persistence: IPersistence, logger: ILogger): Promise<ObservedRecord | undefined> {
    const change = observedChange(message);
    if (!change) {
        return undefined;
    }
    try {
        return await recordObserved(message, change, read, persistence);
    } catch (error) {
        logFailure(logger, 'error', `the system message ${String(message.type)} in ${message.room ? message.room.id : '?'} could not be recorded`, error);
        return undefined;
    }
}
