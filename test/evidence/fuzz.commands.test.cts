/**
 * Property-based fuzzing of the three slash commands through the real engine (fast-check). Each case is a generated
 * argument list (keywords in any case, synonyms, room references, `--dry-run`, arbitrary Unicode, quotes and
 * whitespace) typed by a demo user in a demo room. Properties: no unhandled error (the executor never fails, no error
 * line in the app log); exactly one ephemeral reply, to the invoker, in that room, with text; extra words are
 * answered with the usage; and anything that is not a well-formed changing command (`on|off [room]`,
 * `public|private [room]`, `/toteam [room]`, without `--dry-run`) changes nothing — checked against a full copy of
 * the workspace after every case.
 *
 * CI size (npm test): 500 argument lists per command (fuzzConfig.cts), fixed seed. Long run: `npm run fuzz` (see fuzzConfig.cts).
 */
import fc from 'fast-check';

import { parseParameters } from '../../host/engine/parseParameters.cjs';
import { fuzzPlan, fuzzTimeout } from './fuzzConfig.cjs';
import type { FuzzWorld } from './fuzzWorld.cjs';
import { FUZZ_ROOMS, FUZZ_USERS, fuzzFile } from './fuzzWorld.cjs';
import type { Evidence } from './support.cjs';
import { singleReply } from './support.cjs';

const plan = fuzzPlan();
let ev: Evidence;
let world: FuzzWorld;
const summary = fuzzFile(__filename, plan, (booted, fuzzWorld) => {
    ev = booted;
    world = fuzzWorld;
});

const COMMANDS = ['encrypt', 'settype', 'toteam'] as const;
type Command = (typeof COMMANDS)[number];

const ON = ['on', 'true', 'enable', 'yes'];
const OFF = ['off', 'false', 'disable', 'no'];
const PUBLIC = ['public', 'c'];
const PRIVATE = ['private', 'p'];
const CHANGING: Record<Command, string[]> = { encrypt: [...ON, ...OFF], settype: [...PUBLIC, ...PRIVATE], toteam: [] };
const KEYWORDS = [...ON, ...OFF, ...PUBLIC, ...PRIVATE, 'status', 'help', 'dry-run', 'team', 'encrypt', 'settype', 'toteam'];

function isDryRunFlag(arg: string): boolean {
    return arg.toLowerCase() === '--dry-run';
}

/**
 * The words of an argument list: each trimmed, blank ones dropped (`/toteam "" x` names one room; an empty quoted
 * argument is not a word). `--dry-run` flags stay in the list.
 */
function wordsOf(args: string[]): string[] {
    return args.map((a) => a.trim()).filter((a) => a !== '');
}

/** Could this argument list change the workspace? (Conservative: everything else must leave it untouched.) */
function mayChange(command: Command, args: string[]): boolean {
    const words = wordsOf(args);
    if (words.some((w) => w.startsWith('--'))) {
        return false; // --dry-run, or an unknown option
    }
    if (command === 'toteam') {
        return words.length <= 1 && !(words[0] !== undefined && ['help', 'status'].includes(words[0].toLowerCase()));
    }
    return words.length >= 1 && words.length <= 2 && CHANGING[command].includes(words[0].toLowerCase());
}

/** More words than the command takes (ignoring `--dry-run` flags): the reply must show the usage. */
function hasExtraWords(command: Command, args: string[]): boolean {
    const words = wordsOf(args).filter((a) => !isDryRunFlag(a));
    return words.length > (command === 'toteam' ? 1 : 2);
}

function lineArbitrary(command: Command): fc.Arbitrary<string> {
    const ids = FUZZ_ROOMS.map((name) => world.roomId(name));
    const keyword = fc.constantFrom(...KEYWORDS).chain((k) => fc.mixedCase(fc.constant(k)));
    const room = fc.oneof(
        fc.constantFrom<string>(...FUZZ_ROOMS),
        fc.constantFrom(...FUZZ_ROOMS.map((r) => `#${r}`)),
        fc.constantFrom(...ids),
        fc.constantFrom('#', '##project-x', 'PROJECT-X', 'no-such-room', '@alice', 'alice', 'group-admin.service', '"project-x"', "'eng secrets'"),
    );
    const flag = fc.constantFrom('--dry-run', '--DRY-RUN', '--Dry-Run', '-dry-run', '--dry-run=true', '—dry-run', '--');
    const word = fc.oneof(
        { weight: 6, arbitrary: keyword },
        { weight: 4, arbitrary: room },
        { weight: 2, arbitrary: flag },
        { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }) },
        { weight: 1, arbitrary: fc.constantFrom('"', "'", '\\"', '""', '"on off"', "'#project-x'", '\u00a0', '\u200b', '🔒', 'ON\u0000') },
    );
    const separator = fc.constantFrom(' ', ' ', ' ', '  ', '\t', '\n', ' \r\n ');
    // Near-valid lists (a changing verb of this command, maybe a room, maybe a flag) and free-form ones.
    const verb =
        command === 'toteam'
            ? fc.constant<string[]>([])
            : fc.constantFrom(...CHANGING[command], 'status', 'help').chain((k) => fc.mixedCase(fc.constant(k))).map((k) => [k]);
    const nearValid = fc
        .tuple(verb, fc.option(room, { nil: undefined }), fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: flag }))
        .map(([v, r, f]) => [...v, ...(r !== undefined ? [r] : []), ...(f !== undefined ? [f] : [])]);
    const words = fc.oneof({ weight: 2, arbitrary: nearValid }, { weight: 3, arbitrary: fc.array(word, { maxLength: 5 }) });
    return fc
        .tuple(words, fc.array(separator, { minLength: 5, maxLength: 5 }))
        .map(([list, seps]) => `/${command}${list.map((w, i) => `${seps[i]}${w}`).join('')}`);
}

/** The arguments Rocket.Chat hands the app for a line, exactly as EngineHost.runCommand splits it. */
function argsOf(line: string): string[] {
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line.trim());
    return match ? parseParameters(match[2]) : [];
}

const invokers = fc.constantFrom<string>(...FUZZ_USERS, 'alice', 'alice', 'bob');
const typedIn = fc.constantFrom<string>(...FUZZ_ROOMS, 'project-x', 'project-x');

describe.each(COMMANDS)('/%s', (command) => {
    it(
        `holds the fuzz properties for ${plan.argsPerCommand} generated argument lists`,
        async () => {
            let cases = 0;
            let changes = 0;
            let extra = 0;
            const property = fc.asyncProperty(invokers, typedIn, lineArbitrary(command), async (username, roomName, line) => {
                cases++;
                const userId = world.userId(username);
                const roomId = world.roomId(roomName);
                const args = argsOf(line);
                const context = `${username} in #${roomName}: ${JSON.stringify(line)} → args ${JSON.stringify(args)}`;
                const run = await ev.commandIn(userId, roomId, line);
                const problems: string[] = [];
                // The workspace first (and restored before any verdict): fast-check replays smaller cases after a
                // failure, and each must start from the baseline.
                const changed = world.changed();
                if (changed || world.touched) {
                    const diff = changed ? world.diff() : [];
                    changes++;
                    world.restore();
                    if (!mayChange(command, args)) {
                        problems.push(
                            changed
                                ? `a command that cannot change anything changed the workspace (${diff.join('; ')})`
                                : 'a command that cannot change anything wrote to the workspace',
                        );
                    }
                }
                let text = '';
                try {
                    text = singleReply(run, userId, roomId, line);
                } catch (error) {
                    problems.push(error instanceof Error ? error.message : String(error));
                }
                if (hasExtraWords(command, args)) {
                    extra++;
                    if (text && !text.includes(`/${command}`)) {
                        problems.push('extra words answered without the usage');
                    }
                }
                if (problems.length) {
                    throw new Error(`${problems.join('; ')}: ${context} → ${JSON.stringify(text)}`);
                }
            });
            await fc.assert(property, { numRuns: plan.argsPerCommand, seed: plan.seed });
            summary.push(`  /${command}: ${cases} argument lists run (${changes} changed the workspace and were undone, ${extra} with extra words)`);
            expect(cases).toBeGreaterThanOrEqual(plan.argsPerCommand);
            expect(changes).toBeGreaterThan(0);
            expect(ev.errorLines()).toEqual([]);
        },
        fuzzTimeout(plan.argsPerCommand * 2),
    );
});

it('the service token never appears in any reply, response, error or log line of the command fuzz', () => {
    expect(ev.watch.secretCount).toBeGreaterThan(0);
    expect(ev.watch.counts.replies).toBeGreaterThanOrEqual(plan.argsPerCommand * COMMANDS.length);
    expect(ev.leaks()).toEqual([]);
});
