import type { IHttp, ILogger, IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { isKnownFailure } from '../errors/AppError';
import { logFailure } from '../errors/log';
import type { MessageKey } from '../i18n/catalog.generated';
import { resolveLanguage } from '../i18n/language';
import { translator } from '../i18n/translate';
import type { Translator } from '../i18n/translate';
import { createOperationContext } from '../operations/context';
import type { OperationContext } from '../operations/context';
import type { RoomRef } from '../operations/types';
import { describeFailure, failureNeedsUsage, isServiceFailure } from './describeFailure';
import { parseArgs } from './parseArgs';
import type { CommandGrammar } from './parseArgs';
import { replyPrivately } from './reply';

/** What a command asks an operation for. */
export interface CommandRequest {
    readonly user: IUser;
    readonly room: RoomRef;
    readonly dryRun: boolean;
}

/** One slash command: its words, its usage text, and what each action does (answering the reply text). */
export interface CommandSpec<A extends string> {
    readonly name: string;
    readonly grammar: CommandGrammar<A | 'help'>;
    readonly usageKey: MessageKey;
    readonly descriptionKey: MessageKey;
    readonly paramsExampleKey: MessageKey;
    run(action: A, request: CommandRequest, ctx: OperationContext, t: Translator): Promise<string>;
}

export interface CommandCall {
    readonly context: SlashCommandContext;
    readonly read: IRead;
    readonly modify: IModify;
    readonly http: IHttp;
    readonly logger: ILogger;
}

async function answer<A extends string>(spec: CommandSpec<A>, call: CommandCall, ctx: OperationContext, t: Translator): Promise<string> {
    const { context } = call;
    const usage = t(spec.usageKey);
    const parsed = parseArgs(context.getArguments() || [], spec.grammar);
    if (!parsed.ok) {
        return `${t(parsed.problem.key, parsed.problem.params)}\n${usage}`;
    }
    if (parsed.action === 'help') {
        return usage;
    }
    const request: CommandRequest = {
        user: context.getSender(),
        room: parsed.room || { kind: 'room', room: context.getRoom() },
        dryRun: parsed.dryRun,
    };
    try {
        return await spec.run(parsed.action as A, request, ctx, t);
    } catch (error) {
        if (!isKnownFailure(error)) {
            throw error;
        }
        if (isServiceFailure(error)) {
            logFailure(call.logger, 'warn', `/${spec.name} failed on the service side`, error);
        }
        const text = describeFailure(error, t);
        const reply = request.dryRun ? t('dryrun_failed', { reason: text }) : text;
        return failureNeedsUsage(error) ? `${reply}\n${usage}` : reply;
    }
}

/**
 * The door of every slash command: parse, run the operation, and answer with exactly one ephemeral message
 * in the invoker's language. Never throws to the engine: an unexpected error gets a generic reply and a log line.
 */
export async function runCommand<A extends string>(spec: CommandSpec<A>, call: CommandCall): Promise<void> {
    const { context, read, modify, http, logger } = call;
    const user = context.getSender();
    const room: IRoom = context.getRoom();
    let t: Translator = translator('en');
    let text: string;
    try {
        const ctx = createOperationContext(read, http);
        t = translator(await resolveLanguage(user, () => ctx.serverSettings.get('Language')));
        text = await answer(spec, call, ctx, t);
    } catch (error) {
        logFailure(logger, 'error', `/${spec.name} failed`, error);
        text = t('error_unexpected');
    }
    try {
        await replyPrivately(read, modify, user, room, text);
    } catch (error) {
        logFailure(logger, 'error', `/${spec.name} could not reply`, error);
    }
}
