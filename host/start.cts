/**
 * `npm start`: a local Rocket.Chat workspace to try Group Admin in, with no server.
 *
 * 1. packages the app (scripts/package.mjs --if-changed: the last zip is reused when nothing it is built from changed)
 *    unless `--no-package` and the zip exists; the zip lives in `dist/` (tests: `$GROUP_ADMIN_DIST`, and
 *    `$GROUP_ADMIN_APP` packages a copy of the app instead of this repository);
 * 2. loads the workspace: the `--data` file if it exists, else `--seed`, else the demo workspace;
 * 3. serves HTTP on 127.0.0.1 (`--port`): the app's endpoints and the workspace's REST API (host/server/http.cts);
 * 4. boots the real Apps-Engine (Deno runtime), installs the zip and configures the app's service account;
 * 5. prints a short guide and `Group Admin workspace ready on http://127.0.0.1:<port>`;
 * 6. runs the terminal chat (host/chat/) unless `--no-chat`.
 *
 * SIGINT / SIGTERM (and `:quit`, Ctrl-D, end of piped input) stop it cleanly: HTTP server closed, Deno process ended,
 * the `--data` file flushed, exit code 0.
 */
import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import path from 'path';

import { ChatSession, pickRoom, pickUser } from './chat/ChatSession.cjs';
import { TerminalChat } from './chat/terminal.cjs';
import { EngineHost, settleWithin } from './engine/EngineHost.cjs';
import type { Delivery } from './engine/EngineHost.cjs';
import { DataFile, readDataFile } from './server/dataFile.cjs';
import type { DataFileContent } from './server/dataFile.cjs';
import { guideText, readyLine } from './server/guide.cjs';
import { WorkspaceHttpServer } from './server/http.cjs';
import { parseOptions, UsageError, USAGE } from './server/options.cjs';
import type { StartOptions } from './server/options.cjs';
import { addGeneratedGroups, demoWorkspace, workspaceFromSeed } from './workspace/demo.cjs';
import { Workspace } from './workspace/Workspace.cjs';

const ROOT = path.resolve(__dirname, '..');

interface AppInfo {
    id: string;
    name: string;
    nameSlug: string;
    version: string;
}

interface LoadedWorkspace {
    workspace: Workspace;
    serviceAccount: { userId: string; token: string };
    loadedFromData: boolean;
}

function say(options: Pick<StartOptions, 'quiet'>, text: string): void {
    if (!options.quiet) {
        process.stdout.write(`${text}\n`);
    }
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

function readAppInfo(appDir: string): AppInfo {
    return JSON.parse(readFileSync(path.join(appDir, 'app.json'), 'utf8')) as AppInfo;
}

/**
 * Runs `scripts/package.mjs --if-changed` in a child process: it reuses the zip when nothing it is built from changed
 * and otherwise rebuilds it, saying which in one line (and why it rebuilds). Its lines are passed to `say` as they come.
 */
function packageApp(life: Lifecycle, appDir: string, outDir: string, say: (line: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
        const script = path.join(ROOT, 'scripts', 'package.mjs');
        const child = spawn(process.execPath, [script, '--if-changed', '--app', appDir, '--out', outDir], {
            cwd: ROOT,
            env: { ...process.env, FORCE_COLOR: '0' },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        life.packaging = child;
        let pending = '';
        let stderr = '';
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
            pending += chunk;
            const lines = pending.split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) {
                say(line);
            }
        });
        child.stderr.on('data', (chunk: string) => {
            stderr += chunk;
        });
        child.on('error', reject);
        child.on('close', (code, signal) => {
            life.packaging = undefined;
            if (pending) {
                say(pending);
            }
            if (code !== 0) {
                reject(new Error(`packaging the app failed${signal ? ` (${signal})` : ''}:\n${stderr.trim() || `exit code ${String(code)}`}`));
                return;
            }
            resolve();
        });
    });
}

function readJsonFile(file: string, what: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (error) {
        throw new Error(`${what} ${file}: cannot read it (${errorText(error)})`);
    }
    try {
        return JSON.parse(text) as unknown;
    } catch (error) {
        throw new Error(`${what} ${file}: not valid JSON (${errorText(error)})`);
    }
}

function loadWorkspace(options: StartOptions): LoadedWorkspace {
    if (options.data && existsSync(options.data)) {
        const content = readDataFile(options.data);
        return { workspace: Workspace.fromJSON(content.workspace), serviceAccount: content.serviceAccount, loadedFromData: true };
    }
    const seeded = options.seed ? workspaceFromSeed(readJsonFile(options.seed, '--seed')) : demoWorkspace();
    if (options.seedGroups) {
        addGeneratedGroups(seeded.workspace, options.seedGroups);
    }
    return { ...seeded, loadedFromData: false };
}

/** A login token of `userId` to show in the guide: an existing one when the workspace was restored, else a new one. */
function tokenFor(workspace: Workspace, userId: string, reuse: boolean): string {
    const existing = workspace.getUser(userId)?.authTokens ?? [];
    return reuse && existing.length ? existing[existing.length - 1] : workspace.createAuthToken(userId);
}

class Lifecycle {
    packaging?: ChildProcess;
    server?: WorkspaceHttpServer;
    host?: EngineHost;
    enginePending?: Promise<EngineHost>;
    dataFile?: DataFile;
    chat?: TerminalChat;
    onDelivery?: (delivery: Delivery) => void;
    unsubscribe: Array<() => void> = [];
    private stopping?: Promise<void>;

    get isStopping(): boolean {
        return this.stopping !== undefined;
    }

    /** Stops everything once; later calls wait for the first. */
    stop(reason: string, quiet: boolean): Promise<void> {
        if (!this.stopping) {
            this.stopping = this.doStop(reason, quiet);
        }
        return this.stopping;
    }

    private async doStop(reason: string, quiet: boolean): Promise<void> {
        if (!quiet) {
            process.stdout.write(`\nStopping (${reason})…\n`);
        }
        this.chat?.close();
        const steps: Array<Promise<unknown>> = [];
        // Stopped while packaging: the packaging run is ours to end, and to wait for (it stops rc-apps and removes its
        // staging copy first).
        const packaging = this.packaging;
        if (packaging && packaging.exitCode === null && packaging.signalCode === null) {
            steps.push(new Promise((resolve) => packaging.once('close', resolve)));
            packaging.kill('SIGTERM');
        }
        for (const off of this.unsubscribe) {
            off();
        }
        if (this.server) {
            steps.push(this.server.close());
        }
        steps.push(this.stopEngine());
        await settleWithin(Promise.allSettled(steps), 10000);
        if (this.dataFile) {
            this.dataFile.flush();
            if (!quiet) {
                process.stdout.write(`Workspace saved to ${this.dataFile.file}\n`);
            }
        }
        if (!quiet) {
            process.stdout.write('Stopped.\n');
        }
    }

    private async stopEngine(): Promise<void> {
        let host = this.host;
        if (!host && this.enginePending) {
            host = await this.enginePending.catch(() => undefined);
        }
        if (host) {
            await host.stop().catch((error: unknown) => process.stderr.write(`engine: stopping failed: ${errorText(error)}\n`));
        }
    }
}

/**
 * Starts everything. Returns an exit code only when it ends at once (help, usage error); otherwise the lifecycle exits
 * the process once stopped (signal, end of the chat, startup error).
 */
async function main(argv: string[]): Promise<number | undefined> {
    let options: StartOptions;
    try {
        options = parseOptions(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`npm start: ${error.message}\n\n${USAGE}`);
            return 2;
        }
        throw error;
    }
    if (options.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    // `npm start` runs in the package folder; relative paths mean the folder the user typed the command in.
    const userCwd = process.env.INIT_CWD || process.cwd();
    options.seed = options.seed === undefined ? undefined : path.resolve(userCwd, options.seed);
    options.data = options.data === undefined ? undefined : path.resolve(userCwd, options.data);
    // Apps-Engine skips every app-permission check when NODE_ENV=test: run it as a server does.
    if (process.env.NODE_ENV === 'test') {
        process.env.NODE_ENV = 'development';
    }

    const life = new Lifecycle();
    let exitCode = 0;
    const stopAndExit = (reason: string, code: number): void => {
        exitCode = Math.max(exitCode, code);
        life.stop(reason, options.quiet).then(
            () => process.exit(exitCode),
            (error: unknown) => {
                process.stderr.write(`stopping failed: ${errorText(error)}\n`);
                process.exit(1);
            },
        );
    };
    process.on('SIGINT', () => stopAndExit('Ctrl-C', 0));
    process.on('SIGTERM', () => stopAndExit('SIGTERM', 0));
    // `npm start` runs us through `sh -c`; a SIGTERM to npm ends npm and the shell but not us. Being orphaned
    // (our parent process changed) means whoever started us is gone: stop as if signalled.
    const parent = process.ppid;
    setInterval(() => {
        if (process.ppid !== parent) {
            stopAndExit('parent process ended', 0);
        }
    }, 500).unref();
    // A closed pipe on stdout (`npm start | head`) must not crash the workspace.
    process.stdout.on('error', () => undefined);
    process.on('unhandledRejection', (reason) => {
        process.stderr.write(`unexpected error: ${errorText(reason)}\n`);
    });

    try {
        // Test hooks: the app folder to package (default this repository) and where the zip goes (default dist/).
        const appDir = process.env.GROUP_ADMIN_APP ? path.resolve(process.env.GROUP_ADMIN_APP) : ROOT;
        const app = readAppInfo(appDir);
        const distDir = process.env.GROUP_ADMIN_DIST ? path.resolve(process.env.GROUP_ADMIN_DIST) : path.join(ROOT, 'dist');
        const zipPath = path.join(distDir, `${app.nameSlug}_${app.version}.zip`);
        if (options.package || !existsSync(zipPath)) {
            await packageApp(life, appDir, distDir, (line) => say(options, line));
        } else {
            say(options, `package: ${path.relative(ROOT, zipPath)} used as it is (--no-package)`);
        }
        if (life.isStopping) {
            return undefined;
        }

        const loaded = loadWorkspace(options);
        const workspace = loaded.workspace;
        const { serviceAccount } = loaded;
        if (!workspace.getUser(serviceAccount.userId)) {
            throw new Error(`the workspace has no user ${serviceAccount.userId} (its service account)`);
        }

        // Bind the port first: a busy port fails in a second, before the engine boots.
        life.server = new WorkspaceHttpServer({
            workspace: () => workspace,
            app: () => life.host,
            // The front proxy's rule against engine issue 1 (SECURITY.md), not Rocket.Chat's: --no-proto-guard turns it off.
            protoGuard: options.protoGuard,
            // `rc-apps deploy --update` replaces the running app live (POST /api/apps/<id>).
            apps: { workspace: () => workspace, engine: () => life.host },
        });
        let port: number;
        try {
            port = await life.server.listen(options.port);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'EADDRINUSE') {
                throw new Error(`port ${options.port} on 127.0.0.1 is already in use: pick another with --port <n> (0 = any free port)`);
            }
            throw error;
        }
        const baseUrl = `http://127.0.0.1:${port}`;
        // The app's REST calls go to Site_Url: the engine host answers them from this same workspace in memory.
        workspace.setSetting('Site_Url', baseUrl);

        if (options.data) {
            const file = path.resolve(options.data);
            const dataFile = new DataFile(
                file,
                (): DataFileContent => ({
                    format: 'group-admin-workspace',
                    version: 1,
                    savedAt: new Date().toISOString(),
                    serviceAccount,
                    workspace: workspace.toJSON(),
                }),
                50,
                (message) => process.stderr.write(`--data: ${message}\n`),
            );
            life.dataFile = dataFile;
            life.unsubscribe.push(workspace.onChange(() => dataFile.schedule()));
            if (!dataFile.writeNow()) {
                throw new Error(`--data: cannot write ${file}`);
            }
        }

        say(options, 'Starting the Apps-Engine (Deno runtime) and installing the app…');
        life.enginePending = EngineHost.start({
            workspace,
            extraOrigins: [`http://localhost:${port}`],
            // Ephemeral messages and dialogs the app sends: the chat shows those that arrive outside a command.
            onDelivery: (delivery) => life.onDelivery?.(delivery),
        });
        const host = await life.enginePending;
        if (life.isStopping) {
            return undefined;
        }
        const appId = await host.install(zipPath);
        await host.setSettings({
            service_user_id: serviceAccount.userId,
            service_user_token: serviceAccount.token,
            server_url: '',
            confirm_changes: options.confirm,
        });
        // From here on the app's endpoints are served (before, they answer 503 "starting").
        life.host = host;

        // Chat identity (also the user of the curl examples).
        const chatUser = pickUser(workspace, serviceAccount.userId, options.user);
        const chatRoom = pickRoom(workspace, chatUser, options.room);
        const curlToken = tokenFor(workspace, chatUser._id, loaded.loadedFromData);
        const owned = workspace
            .listRooms()
            .filter((r) => r.t === 'p' && !r.archived && (workspace.getSubscription(r._id, chatUser._id)?.roles ?? []).includes('owner'));
        const exampleRoom = owned.find((r) => r.name === 'project-x')?.name ?? owned[0]?.name ?? chatRoom?.name;

        if (!options.quiet) {
            process.stdout.write(
                `${guideText({
                    workspace,
                    baseUrl,
                    appId,
                    serviceUserId: serviceAccount.userId,
                    commands: host.commands(),
                    endpoints: host
                        .endpoints()
                        .filter((e) => e.methods.some((m) => m.toLowerCase() === 'get'))
                        .map((e) => e.path),
                    chatUser: options.chat ? chatUser : undefined,
                    chatRoom: options.chat ? chatRoom : undefined,
                    curlUser: { username: chatUser.username, userId: chatUser._id, token: curlToken },
                    exampleRoom,
                    confirmChanges: options.confirm,
                    protoGuard: options.protoGuard,
                    dataFile: options.data ? path.resolve(options.data) : undefined,
                    seedFile: options.seed,
                    loadedFromData: loaded.loadedFromData,
                })}\n\n`,
            );
        }
        process.stdout.write(`${readyLine(baseUrl)}\n`);

        if (options.chat && !life.isStopping) {
            const session = new ChatSession({
                engine: host,
                workspace: () => workspace,
                postMessage: (rid, userId, text) => {
                    workspace.postMessage(rid, userId, text);
                },
                print: (text) => chat.print(text),
                user: chatUser.username,
                room: chatRoom?.name,
                serviceUserId: serviceAccount.userId,
                confirmChanges: options.confirm,
            });
            const chat = new TerminalChat(session, { input: process.stdin, output: process.stdout });
            life.chat = chat;
            life.unsubscribe.push(() => session.close());
            life.unsubscribe.push(workspace.onMessage(() => chat.notifyChange()));
            life.onDelivery = (delivery) => {
                session.noteDelivery(delivery);
                chat.notifyChange();
            };
            const end = await chat.run();
            if (!life.isStopping) {
                stopAndExit(end === 'interrupt' ? 'Ctrl-C' : end === 'quit' ? ':quit' : 'end of input', 0);
            }
        }
    } catch (error) {
        if (!life.isStopping) {
            process.stderr.write(`npm start: ${errorText(error)}\n`);
            stopAndExit('error', 1);
        }
    }
    return undefined;
}

main(process.argv.slice(2)).then(
    (code) => {
        if (code !== undefined) {
            process.exit(code);
        }
    },
    (error: unknown) => {
        process.stderr.write(`npm start: ${errorText(error)}\n`);
        process.exit(1);
    },
);
