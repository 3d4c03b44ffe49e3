import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { isKnownFailure } from '../errors/AppError';
import type { MessageKey } from '../i18n/catalog.generated';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import type { OperationInput } from '../operations/types';
import type { ChangeEnv } from '../ui/requestChange';
import { explainFailure, failureNeedsUsage } from '../errors/explain';
import { parseArgs } from './parseArgs';
import type { CommandGrammar } from './parseArgs';
import { respondPrivately } from '../conversation/respond';

/** What a command asks an operation for, with `/encrypt`'s bulk options (`--all`, `--job <id>`). */
export type CommandRequest = OperationInput & { readonly all?: boolean; readonly jobId?: string };

/**
 * One slash command: its words, its usage text, and what each action does. `run` answers with the reply text, or
 * undefined when it answered with a modal (a change to confirm).
 */
export interface CommandSpec<A extends string> {
    readonly name: string;
    readonly grammar: CommandGrammar<A | 'help'>;
    readonly usageKey: MessageKey;
    readonly descriptionKey: MessageKey;
    readonly paramsExampleKey: MessageKey;
    run(action: A, request: CommandRequest, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined>;
}

export interface CommandCall {
    readonly context: SlashCommandContext;
    readonly read: IRead;
    readonly modify: IModify;
    readonly http: IHttp;
    readonly persistence: IPersistence;
    readonly logger: ILogger;
    /** The app's id (for the modals it opens). */
    readonly appId: string;
}

async function answer<A extends string>(spec: CommandSpec<A>, call: CommandCall, ctx: OperationContext, t: Translator): Promise<string | undefined> {
    const { context } = call;
    // A typo or a room that cannot be named or found: the problem and where the usage is, not the whole usage.
    const helpHint = t('hint_help', { command: `/${spec.name}` });
    const parsed = parseArgs(context.getArguments() || [], spec.grammar);
    if (!parsed.ok) {
        return `${t(parsed.problem.key, parsed.problem.params)} ${helpHint}`;
    }
    if (parsed.action === 'help') {
        return t(spec.usageKey);
    }
    const typedIn = context.getRoom();
    const request: CommandRequest = {
        user: context.getSender(),
        room: parsed.room || { kind: 'room', room: typedIn },
        dryRun: parsed.dryRun,
        ...(parsed.all ? { all: true } : {}),
        ...(parsed.jobId ? { jobId: parsed.jobId } : {}),
    };
    const env: ChangeEnv = {
        read: call.read,
        modify: call.modify,
        appId: call.appId,
        triggerId: context.getTriggerId(),
        originRoomId: typedIn.id,
        persistence: call.persistence,
        logger: call.logger,
        door: 'command',
    };
    try {
        return await spec.run(parsed.action as A, request, ctx, t, env);
    } catch (error) {
        if (!isKnownFailure(error)) {
            throw error;
        }
        const text = explainFailure(error, t, call.logger, `/${spec.name}`, request.dryRun);
        return failureNeedsUsage(error) ? `${text} ${helpHint}` : text;
    }
}

/**
 * The door of every slash command: parse, run the operation, and answer with exactly one ephemeral message in the
 * invoker's language — or with the confirmation modal. Never throws to the engine: an unexpected error gets a
 * generic reply and a log line.
 */
export async function runCommand<A extends string>(spec: CommandSpec<A>, call: CommandCall): Promise<void> {
    const { context, read, modify, http, logger } = call;
    await respondPrivately({ read, modify, http, logger, user: context.getSender(), room: context.getRoom(), what: `/${spec.name}` }, (ctx, t) =>
        answer(spec, call, ctx, t),
    );
}
