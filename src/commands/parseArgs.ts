import type { MessageKey } from '../i18n/catalog.generated';
import type { TranslationParams } from '../i18n/translate';
import type { RoomRef } from '../operations/types';

export const DRY_RUN_FLAG = '--dry-run';
/** Bulk options of `/encrypt` (interface.md §8): every group the person governs, and the job a word names. */
const ALL_FLAG = '--all';
const JOB_OPTION = '--job';

/**
 * A command's words.
 * - `verbs`: the lower-case words of each action (`help` included);
 * - `bare`: the action when no word names one;
 * - `verbFirst`: the first word must be a verb (`/encrypt`, `/settype`); otherwise a first word that is not
 *   a verb is the room (`/toteam`).
 */
export interface CommandGrammar<A extends string> {
    readonly verbs: Readonly<Record<A, ReadonlyArray<string>>>;
    readonly bare: A;
    readonly verbFirst: boolean;
    /** `--all` and `--job <id>` are understood (`/encrypt`); otherwise they are unknown options. */
    readonly bulk?: boolean;
}

export interface ParseProblem {
    readonly key: MessageKey;
    readonly params: TranslationParams;
}

export type ParsedCommand<A extends string> =
    | { readonly ok: true; readonly action: A; readonly room?: RoomRef; readonly dryRun: boolean; readonly all?: boolean; readonly jobId?: string }
    | { readonly ok: false; readonly problem: ParseProblem };

function verbOf<A extends string>(word: string, grammar: CommandGrammar<A>): A | undefined {
    const lower = word.toLowerCase();
    return (Object.keys(grammar.verbs) as A[]).find((action) => grammar.verbs[action].indexOf(lower) >= 0);
}

/** `#name` → by name; any other word → a room id, else a name. */
export function roomArgument(word: string): RoomRef | ParseProblem {
    if (word.charAt(0) === '#') {
        const name = word.slice(1);
        return name ? { kind: 'name', value: name } : { key: 'parse_missing_room_name', params: {} };
    }
    return { kind: 'idOrName', value: word };
}

const fail = <A extends string>(key: MessageKey, params: TranslationParams): ParsedCommand<A> => ({ ok: false, problem: { key, params } });

/**
 * Arguments as Rocket.Chat split them → action, room and `--dry-run` (anywhere, any case).
 * Unknown words or options, and extra words, are problems.
 */
export function parseArgs<A extends string>(args: ReadonlyArray<string>, grammar: CommandGrammar<A>): ParsedCommand<A> {
    const words: string[] = [];
    let dryRun = false;
    const bulk: { all?: boolean; jobId?: string } = {};
    for (let i = 0; i < args.length; i += 1) {
        const word = (args[i] || '').trim();
        const option = word.toLowerCase();
        if (option === DRY_RUN_FLAG) {
            dryRun = true;
        } else if (grammar.bulk && option === ALL_FLAG) {
            bulk.all = true;
        } else if (grammar.bulk && option === JOB_OPTION) {
            const value = (args[i + 1] || '').trim();
            if (!value || value.indexOf('--') === 0) {
                return fail('bulk_job_option_missing', {});
            }
            bulk.jobId = value;
            i += 1;
        } else if (word.indexOf('--') === 0) {
            return fail('parse_unknown_option', { option: word });
        } else if (word) {
            words.push(word);
        }
    }
    let action = grammar.bare;
    if (words.length > 0) {
        const verb = verbOf(words[0], grammar);
        if (verb !== undefined) {
            action = verb;
            words.shift();
        } else if (grammar.verbFirst) {
            return fail('parse_unknown_word', { word: words[0] });
        }
    }
    if (words.length > 1) {
        return fail('parse_extra_words', { words: words.slice(1).join(' ') });
    }
    if (words.length === 0) {
        return { ok: true, action, dryRun, ...bulk };
    }
    const room = roomArgument(words[0]);
    return 'kind' in room ? { ok: true, action, room, dryRun, ...bulk } : { ok: false, problem: room };
}
