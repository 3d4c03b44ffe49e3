/**
 * Command-line options of `npm start` (host/start.cts). Parsing is strict: an unknown option or a missing value is a
 * usage error (exit code 2), so a typo never silently starts the wrong workspace.
 */

export interface StartOptions {
    /** TCP port on 127.0.0.1; 0 = any free port (the ready line tells which). */
    port: number;
    /** Terminal chat on stdin/stdout (`--no-chat` turns it off and only serves HTTP). */
    chat: boolean;
    /** Workspace to load instead of the demo (see host/workspace/demo.cts for the format). */
    seed?: string;
    /** Private groups to generate on top of the seed (`addGeneratedGroups`), to try the governance features at scale. */
    seedGroups?: number;
    /** JSON file that keeps the workspace across restarts. */
    data?: string;
    /** Keep the app's `confirm_changes` setting on (the default here is off: the chat answers the app's dialogs only with `:confirm` / `:close`). */
    confirm: boolean;
    /** Print only the ready line (and chat output). */
    quiet: boolean;
    /** Run scripts/package.mjs --if-changed first: reuse the zip or rebuild it (`--no-package` skips it when the zip exists). */
    package: boolean;
    /** Chat identity at start (default: alice, or the first plain user). */
    user?: string;
    /** Chat room at start (default: project-x, or the user's first room). */
    room?: string;
    /**
     * Model the front proxy's rule against engine issue 1 (SECURITY.md): refuse with 400 app requests whose body has a
     * `__proto__` key (`--no-proto-guard` turns it off, to reproduce the issue).
     */
    protoGuard: boolean;
    help: boolean;
}

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'UsageError';
    }
}

export const DEFAULT_PORT = 3000;

/** The most groups `--seed-groups` generates. */
export const MAX_SEED_GROUPS = 100000;

export const USAGE = `Usage: npm start -- [options]

Starts a local Rocket.Chat workspace with the Group Admin app installed in the real Apps-Engine runtime.

Options:
  --port <n>         HTTP port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 = any free port)
  --no-chat          serve HTTP only, no terminal chat (for scripts and CI); runs until Ctrl-C / SIGTERM
  --seed <file>      load this workspace (JSON, format in docs/local-workspace.md) instead of the demo workspace
  --seed-groups <n>  add n generated private groups (0-${MAX_SEED_GROUPS}) to the seed or demo workspace, to try the
                     encryption report and bulk changes at scale (not added to a workspace restored from --data)
  --data <file>      keep the workspace in this JSON file: loaded on start if it exists, saved after every change
  --user <name>      start the chat as this user (default alice)
  --room <name>      start the chat in this room (default project-x)
  --confirm          keep the app's confirm_changes setting on (its dialogs: answer with :confirm / :close)
  --no-package       use dist/<app>.zip as it is (by default it is rebuilt only when what it is built from changed)
  --quiet            print only the ready line
  --no-proto-guard   turn off the front proxy's rule (not Rocket.Chat's) that answers 400 to a request to
                     /api/apps/ whose JSON or form body has a "__proto__" key anywhere; off, one such request stops
                     the app's Apps-Engine runtime for about 50 s (SECURITY.md, engine issue 1)
  -h, --help         show this help
`;

function takeValue(argv: string[], index: number, name: string, inline: string | undefined): [string, number] {
    if (inline !== undefined) {
        if (inline === '') {
            throw new UsageError(`${name} needs a value`);
        }
        return [inline, index];
    }
    const value = argv[index + 1];
    if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(`${name} needs a value`);
    }
    return [value, index + 1];
}

function parsePort(value: string): number {
    if (!/^\d+$/.test(value)) {
        throw new UsageError(`--port: "${value}" is not a port number`);
    }
    const port = Number(value);
    if (port > 65535) {
        throw new UsageError(`--port: ${port} is out of range (0-65535)`);
    }
    return port;
}

/** Parses `process.argv.slice(2)`. Throws {@link UsageError} on anything it does not understand. */
export function parseOptions(argv: readonly string[]): StartOptions {
    const options: StartOptions = { port: DEFAULT_PORT, chat: true, confirm: false, quiet: false, package: true, protoGuard: true, help: false };
    const args = [...argv];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
        const name = eq === -1 ? arg : arg.slice(0, eq);
        const inline = eq === -1 ? undefined : arg.slice(eq + 1);
        const flag = (): void => {
            if (inline !== undefined) {
                throw new UsageError(`${name} takes no value`);
            }
        };
        switch (name) {
            case '--port': {
                const [value, next] = takeValue(args, i, name, inline);
                options.port = parsePort(value);
                i = next;
                break;
            }
            case '--seed-groups': {
                const [value, next] = takeValue(args, i, name, inline);
                if (!/^\d+$/.test(value) || Number(value) > MAX_SEED_GROUPS) {
                    throw new UsageError(`--seed-groups: "${value}" is not a number of groups (0-${MAX_SEED_GROUPS})`);
                }
                options.seedGroups = Number(value);
                i = next;
                break;
            }
            case '--seed':
            case '--data':
            case '--user':
            case '--room': {
                const [value, next] = takeValue(args, i, name, inline);
                const key = name.slice(2) as 'seed' | 'data' | 'user' | 'room';
                options[key] = key === 'room' ? value.replace(/^#/, '') : value;
                i = next;
                break;
            }
            case '--no-chat':
                flag();
                options.chat = false;
                break;
            case '--chat':
                flag();
                options.chat = true;
                break;
            case '--confirm':
                flag();
                options.confirm = true;
                break;
            case '--quiet':
            case '-q':
                flag();
                options.quiet = true;
                break;
            case '--no-package':
                flag();
                options.package = false;
                break;
            case '--no-proto-guard':
                flag();
                options.protoGuard = false;
                break;
            case '--proto-guard':
                flag();
                options.protoGuard = true;
                break;
            case '--help':
            case '-h':
                flag();
                options.help = true;
                break;
            default:
                throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
        }
    }
    return options;
}
