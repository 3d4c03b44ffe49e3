import type { ILogger, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IMessage } from '@rocket.chat/apps-engine/definition/messages';
import { logFailure } from '../errors/log';
import { checkObserved, observedChange, recordObserved } from '../history/observe';
import type { ObservedRecord } from '../history/observe';

/**
 * The system-message door (`IPostSystemMessageSent`): a watched change is put on record once — when the message agrees
 * with its room (`checkObserved`); one that does not (another app's message of a watched type) is not recorded, and
 * the app's log says why in one line. Rocket.Chat does not wait for this and nobody sees its answer, so a failure is
 * logged, never thrown.
 */
export async function onSystemMessage(message: IMessage, read: IRead, persistence: IPersistence, logger: ILogger): Promise<ObservedRecord | undefined> {
    const change = observedChange(message);
    if (!change) {
        return undefined;
    }
    try {
        const why = await checkObserved(message, change, read);
        if (why) {
            const sender = message.sender ? `@${message.sender.username} (${message.sender.id})` : 'nobody';
            logger.warn(`the system message ${String(message.type)} in ${message.room ? message.room.id : '?'} sent as ${sender} was not recorded: ${why}`);
            return undefined;
        }
        return await recordObserved(message, change, read, persistence);
    } catch (error) {
        logFailure(logger, 'error', `the system message ${String(message.type)} in ${message.room ? message.room.id : '?'} could not be recorded`, error);
        return undefined;
    }
}
