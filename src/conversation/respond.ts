import type { IHttp, ILogger, IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { isKnownFailure } from '../errors/AppError';
import { explainFailure } from '../errors/explain';
import { logFailure } from '../errors/log';
import { resolveLanguage } from '../i18n/language';
import { translator } from '../i18n/translate';
import type { Translator } from '../i18n/translate';
import { createOperationContext } from '../operations/context';
import type { OperationContext } from '../operations/context';
import { getAppUser } from '../workspace/appUser';

/** Someone asked the app for something (a command, a button, a confirmation) and gets one private answer. */
export interface Conversation {
    readonly read: IRead;
    readonly modify: IModify;
    readonly http: IHttp;
    readonly logger: ILogger;
    /** Who asked: the answer is for them only, in their language. */
    readonly user: IUser;
    /** Where the answer is shown. */
    readonly room: IRoom;
    /** What is answered, for log lines (`/encrypt`, a button's action id, …). */
    readonly what: string;
}

/** The work behind an answer: its text, or undefined when it answered another way (a modal). */
export type Work = (ctx: OperationContext, t: Translator) => Promise<string | undefined>;

/**
 * Runs `work` with a fresh operation context in the user's language and answers with exactly one ephemeral message
 * (none when the work answered with a modal). Never throws: an unexpected error gets a generic answer and a log line.
 */
export async function respondPrivately(conversation: Conversation, work: Work): Promise<void> {
    const { read, modify, http, logger, user, room, what } = conversation;
    let t: Translator = translator('en');
    let text: string | undefined;
    try {
        const ctx = createOperationContext(read, http, logger);
        t = translator(await resolveLanguage(user, () => ctx.serverSettings.get('Language')));
        text = await work(ctx, t);
    } catch (error) {
        logFailure(logger, 'error', `${what} failed`, error);
        text = t('error_unexpected');
    }
    if (text === undefined) {
        return;
    }
    try {
        await replyPrivately(read, modify, user, room, text);
    } catch (error) {
        logFailure(logger, 'error', `${what} could not reply`, error);
    }
}

/** `work`'s answer, or the explanation of the known failure it ended with (anything else is thrown on). */
export async function answerOrExplain(work: () => Promise<string | undefined>, t: Translator, logger: ILogger, what: string): Promise<string | undefined> {
    try {
        return await work();
    } catch (error) {
        if (!isKnownFailure(error)) {
            throw error;
        }
        return explainFailure(error, t, logger, what);
    }
}

/** One ephemeral message to the invoker, in the room the command was typed in; only they see it. */
async function replyPrivately(read: IRead, modify: IModify, user: IUser, room: IRoom, text: string): Promise<void> {
    const builder = modify.getCreator().startMessage().setRoom(room).setText(text);
    const sender = await getAppUser(read);
    if (sender) {
        builder.setSender(sender);
    }
    await modify.getNotifier().notifyUser(user, builder.getMessage());
}
