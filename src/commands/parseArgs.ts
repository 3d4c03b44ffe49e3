import type { MessageKey } from '../i18n/catalog.generated';
import type { TranslationParams } from '../i18n/translate';
import type { RoomRef } from '../operations/types';

export const DRY_RUN_FLAG = '--dry-run';

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
}

export interface ParseProblem {
    readonly key: MessageKey;
    readonly params: TranslationParams;
}

export type ParsedCommand<A extends string> =
    | { readonly ok: true; readonly action: A; readonly room?: RoomRef; readonly dryRun: boolean }
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
    for (const raw of args) {
        const word = (raw || '').trim();
        if (word.toLowerCase() === DRY_RUN_FLAG) {
            dryRun = true;
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
        return { ok: true, action, dryRun };
    }
    const room = roomArgument(words[0]);
    return 'kind' in room ? { ok: true, action, room, dryRun } : { ok: false, problem: room };
}
