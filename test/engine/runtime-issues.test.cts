/**
 * Two problems of the Apps-Engine 1.62.0 Deno runtime (Rocket.Chat 8.4.x) that no app can fix, reproduced in the real
 * engine with the packaged app (SECURITY.md, "Engine issues"). These tests pin the ENGINE's behaviour: when a fixed
 * engine is installed they fail, and SECURITY.md and the administrator advice must be revisited.
 *
 * 1. One request whose body has a `__proto__` key ends the runtime's read loop: its msgpack decoder
 *    (`@msgpack/msgpack` 3.0.0-beta2, `Decoder.doDecodeSync`: "The key __proto__ is not allowed") throws inside the
 *    `for await … of decoder.decodeStream(Deno.stdin.readable)` of `deno-runtime/main.ts` `main()`, outside the
 *    per-message try/catch; the Deno process then exits with code 0, which the engine's `LivenessManager.handleExit`
 *    takes for a clean exit (no restart). Every request to the app (endpoints, commands, buttons) then times out
 *    (`APPS_ENGINE_RUNTIME_TIMEOUT`, 30 s by default) until the liveness pings (every 10 s, 4 misses) restart it.
 * 2. Every endpoint request is logged by the runtime at debug level with its headers (`handlers/api-handler.ts:30`),
 *    the caller's `X-Auth-Token` included; the entry travels back with the response and the engine hands it to the
 *    host's `AppLogStorage` (Rocket.Chat: the `rocketchat_apps_logs` collection, the app's Logs tab). The engine's own
 *    `debug` channel (`appsEngine:runtime:deno:<app id>`, on with `DEBUG=appsEngine:*`) prints the whole request too.
 *
 * Fast: the runtime timeout is shortened (the engine reads `APPS_ENGINE_RUNTIME_TIMEOUT` when the app's runtime
 * controller is created, i.e. at install) and so are the liveness pings of this one controller (the engine has no
 * setting for them; with its defaults the recovery takes about 50 s — `scripts/repro-proto-stall.mjs` measures that).
 */
import { readFileSync } from 'fs';
import path from 'path';
import { parse as parseQuery } from 'querystring';
import { format } from 'util';

import { Decoder } from '@msgpack/msgpack';
import { AppManager } from '@rocket.chat/apps-engine/server/AppManager';
import { newDecoder, newEncoder } from '@rocket.chat/apps-engine/server/runtime/deno/codec';

import { EngineHost } from '../../host/engine/EngineHost.cjs';
import { demoWorkspace } from '../../host/workspace/demo.cjs';
import type { Workspace } from '../../host/workspace/Workspace.cjs';
import { ZIP_PATH } from './harness.cjs';

const ENGINE_DIR = path.dirname(require.resolve('@rocket.chat/apps-engine/package.json'));
const RUNTIME_TIMEOUT_MS = 1500;

/** The parts of the engine's runtime controller these tests look at (`server/runtime/deno/AppsEngineDenoRuntime.js`). */
interface Controller {
    deno?: { pid?: number; exitCode: number | null; signalCode: string | null; once(event: 'exit', listener: (code: number | null) => void): void };
    livenessManager: {
        options: { pingIntervalInMS: number; pingTimeoutInMS: number; consecutiveTimeoutLimit: number };
        restartCount: number;
        restartLog: Array<{ reason: string; source: string }>;
        start(): void;
        stop(): void;
    };
}

interface Booted {
    host: EngineHost;
    workspace: Workspace;
    controller: Controller;
    headers: Record<string, string>;
    token: string;
    serviceToken: string;
}

/** Boots the engine with the packaged app and a short runtime timeout (restored right after install). */
async function boot(): Promise<Booted> {
    const { workspace, serviceAccount } = demoWorkspace();
    const previous = process.env.APPS_ENGINE_RUNTIME_TIMEOUT;
    process.env.APPS_ENGINE_RUNTIME_TIMEOUT = String(RUNTIME_TIMEOUT_MS);
    let host: EngineHost;
    try {
        host = await EngineHost.start({ workspace });
        await host.install(ZIP_PATH);
    } finally {
        if (previous === undefined) {
            delete process.env.APPS_ENGINE_RUNTIME_TIMEOUT;
        } else {
            process.env.APPS_ENGINE_RUNTIME_TIMEOUT = previous;
        }
    }
    await host.setSettings({
        service_user_id: serviceAccount.userId,
        service_user_token: serviceAccount.token,
        server_url: '',
        confirm_changes: false,
    });
    const app = AppManager.Instance.getOneById(host.id);
    if (!app) {
        throw new Error('the app is not installed');
    }
    const controller = app.getRuntimeController() as unknown as Controller;
    const alice = workspace.getUserByUsername('alice');
    if (!alice) {
        throw new Error('demo workspace without alice');
    }
    const token = workspace.createAuthToken(alice._id);
    return { host, workspace, controller, token, serviceToken: serviceAccount.token, headers: { 'X-User-Id': alice._id, 'X-Auth-Token': token } };
}

/** What a call to the app's endpoint came to: an answer, or the engine's rejection (a timeout). */
/**
 * A call's outcome: its status, with the text of a 500 (Rocket.Chat's apps router answers an engine rejection — a
 * timeout — `res.status(500).send(reason.message)`, as `EngineHost.callApi` does), or the rejection itself.
 */
async function outcome(promise: Promise<{ status: number; body?: unknown }>): Promise<{ status: number; text?: string } | { rejected: string }> {
    try {
        const answer = await promise;
        return answer.status === 500 ? { status: 500, text: String(answer.body) } : { status: answer.status };
    } catch (error) {
        const message = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
        return { rejected: message };
    }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** A JSON request body with an own `__proto__` key, exactly as `express.json()` (JSON.parse) hands it to the engine. */
function poisonedBody(): Record<string, unknown> {
    return JSON.parse('{"roomName":"project-x","encrypted":true,"__proto__":{"polluted":true}}') as Record<string, unknown>;
}

describe('the runtime decoder (root cause of the stall, no engine needed)', () => {
    it('is the msgpack version the Deno runtime imports, and Rocket.Chat\'s body parsers keep a "__proto__" key', () => {
        const denoJson = readFileSync(path.join(ENGINE_DIR, 'deno-runtime', 'deno.jsonc'), 'utf8');
        const msgpack = JSON.parse(readFileSync(require.resolve('@msgpack/msgpack/package.json'), 'utf8')) as { version: string };
        expect(denoJson).toContain(`"@msgpack/msgpack": "npm:@msgpack/msgpack@${msgpack.version}"`);
        expect(msgpack.version).toBe('3.0.0-beta2');
        // express.json() is JSON.parse; express.urlencoded({ extended: false }) is querystring.parse: both give an own key.
        expect(Object.keys(poisonedBody())).toContain('__proto__');
        expect(Object.keys(parseQuery('__proto__=x&roomName=project-x'))).toContain('__proto__');
    });

    it('the engine encodes such a request; the decoder stream throws on it and never yields the valid message after it', async () => {
        const encoder = newEncoder();
        const request = { jsonrpc: '2.0', id: '1', method: 'api:groups.setEncrypted:post', params: [{ content: poisonedBody() }, {}] };
        const next = { jsonrpc: '2.0', id: '2', method: 'api:groups.setEncrypted:post', params: [{ content: { roomName: 'project-x' } }, {}] };
        // The host side (ProcessMessenger.strategySend) encodes it without complaint …
        const bytes = [encoder.encode('_zPING'), encoder.encode(request), encoder.encode(next)];
        // … and main.ts reads stdin with `for await (const message of decoder.decodeStream(...))`.
        async function* stdin(): AsyncGenerator<Uint8Array> {
            for (const chunk of bytes) {
                yield chunk;
            }
        }
        const seen: unknown[] = [];
        let thrown: unknown;
        try {
            for await (const message of new Decoder().decodeStream(stdin())) {
                seen.push(message);
            }
        } catch (error) {
            thrown = error;
        }
        expect(thrown).toBeInstanceOf(Error);
        expect((thrown as Error).message).toBe('The key __proto__ is not allowed');
        // The ping before it was read; the poisoned request and the valid one after it never come out.
        expect(seen).toEqual(['_zPING']);
        // The engine's own decoder (responses from Deno) has the same rule.
        expect(() => newDecoder().decode(encoder.encode(request))).toThrow('The key __proto__ is not allowed');
    });
});

describe('in the real engine', () => {
    let booted: Booted | undefined;

    afterEach(async () => {
        jest.restoreAllMocks();
        await booted?.host.stop();
        booted = undefined;
    });

    it(
        'one body with a "__proto__" key stops the runtime: it exits with code 0, every call times out until the liveness pings restart it',
        async () => {
            booted = await boot();
            const { host, workspace, controller, headers } = booted;
            const room = workspace.getRoomByName('project-x');
            const encryptedBefore = room?.encrypted === true;
            const call = (body: unknown): Promise<{ status: number }> => host.callApi({ method: 'POST', path: 'groups.setEncrypted', body, headers });
            const dryRun = { roomName: 'project-x', encrypted: !encryptedBefore, dryRun: true };

            // The engine's liveness defaults: ping when nothing was heard for 10 s, 1 s to answer, restart after 4 misses.
            const liveness = controller.livenessManager;
            expect(liveness.options).toMatchObject({ pingIntervalInMS: 10000, pingTimeoutInMS: 1000, consecutiveTimeoutLimit: 4 });
            // The engine reports each failed call on the server's console (AppApi.runExecutor): keep it out of the test output.
            const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);

            // Healthy: an answer (whatever the app decides), well within the timeout.
            expect(await outcome(call(dryRun))).toEqual({ status: expect.any(Number) });
            const firstPid = controller.deno?.pid;
            expect(firstPid).toEqual(expect.any(Number));
            const exited = new Promise<number | null>((resolve) => controller.deno?.once('exit', resolve));

            const poisoned = await outcome(call(poisonedBody()));
            expect(poisoned).toEqual({ status: 500, text: expect.stringMatching(new RegExp(`"api:groups\\.setEncrypted:post" timed out after ${RUNTIME_TIMEOUT_MS}ms`)) });
            // The Deno process ended its read loop and exited "cleanly": code 0, no signal — no restart from the exit handler.
            expect(await exited).toBe(0);
            expect(controller.deno?.signalCode).toBeNull();
            // What the runtime reported before it exited (an app log entry of the engine, severity error).
            const runtimeErrors = host.logs().filter((entry) => entry.method === ('runtime:unhandledRejection' as never));
            expect(JSON.stringify(runtimeErrors)).toContain('The key __proto__ is not allowed');
            // Nothing changed in the workspace.
            expect(workspace.getRoomByName('project-x')?.encrypted === true).toBe(encryptedBefore);

            // Perfectly valid calls now fail too — the endpoint (after the timeout) and a slash command (at once) — within
            // the 10 s before the first liveness ping, so nothing has restarted yet.
            const alice = workspace.getUserByUsername('alice');
            const [stalled, command] = await Promise.all([
                outcome(call(dryRun)),
                host.runCommand('/encrypt help', alice?._id ?? '', room?._id ?? ''),
            ]);
            expect(controller.deno?.pid).toBe(firstPid);
            expect(liveness.restartCount).toBe(0);
            expect(stalled).toEqual({ status: 500, text: expect.stringContaining(`timed out after ${RUNTIME_TIMEOUT_MS}ms`) });
            // The command manager asks the app's status first; with the process gone the engine answers UNKNOWN, so a
            // command fails at once instead of timing out.
            expect(command.error).toBe('App not enabled');
            expect(command.deliveries).toEqual([]);
            expect(consoleError.mock.calls.map((args) => format(...args)).join('\n')).toContain('timed out after');
            consoleError.mockRestore();

            // Only the liveness pings notice (4 missed pings). Shortened for this controller, so this takes a second or two
            // instead of about 50 s.
            liveness.stop();
            liveness.options = { ...liveness.options, pingIntervalInMS: 300, pingTimeoutInMS: 150 };
            liveness.start();
            await until(() => liveness.restartCount >= 1 && controller.deno?.pid !== firstPid, 20000, 'the engine to restart the runtime');
            expect(liveness.restartLog[0]).toMatchObject({ reason: 'Too many pings timed out', source: 'liveness-manager' });
            // After the restart the app answers again.
            await until(async () => 'status' in (await outcome(call(dryRun))), 20000, 'the app to answer after the restart');
            // Back to the engine's own pace before the host stops: a 300 ms ping racing the kill of the process would
            // write into a closed pipe (EPIPE).
            liveness.stop();
            liveness.options = { ...liveness.options, pingIntervalInMS: 10000, pingTimeoutInMS: 1000 };
        },
        60000,
    );

    it(
        "logs every endpoint request at debug level with its headers — the caller's X-Auth-Token — (the app redacts its own entry); the engine's debug channel prints it, forwarded headers and saved settings too",
        async () => {
            booted = await boot();
            const { host, headers, token, serviceToken } = booted;
            // The engine's `debug` channel (the copy of `debug` the engine loads), captured instead of printed.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const debug = require(require.resolve('debug', { paths: [ENGINE_DIR] })) as {
                enable(namespaces: string): void;
                disable(): string;
                log: (...args: unknown[]) => void;
            };
            const printed: string[] = [];
            const previousLog = debug.log;
            const previousNamespaces = debug.disable();
            debug.log = (...args: unknown[]): void => {
                printed.push(format(...args));
            };
            debug.enable(`appsEngine:runtime:deno:${host.id}`);
            try {
                const response = await host.callApi({
                    method: 'POST',
                    path: 'groups.setEncrypted',
                    body: { roomName: 'project-x', encrypted: true, dryRun: true },
                    headers,
                });
                expect(response.status).toEqual(expect.any(Number));
                // A real change: the HTTP door forwards it to Rocket.Chat with the caller's credentials (interface.md §3),
                // which can only travel as headers of an HttpBridge call.
                const change = await host.callApi({ method: 'POST', path: 'groups.setEncrypted', body: { roomName: 'project-x', encrypted: true }, headers });
                expect(change.status).toBe(200);
                // An admin saving the app's settings: the new values travel to the runtime (onSettingUpdated).
                await host.setSettings({ service_user_token: serviceToken });
            } finally {
                debug.disable();
                if (previousNamespaces) {
                    debug.enable(previousNamespaces);
                }
                debug.log = previousLog;
            }

            // 1. The runtime's logger (deno-runtime/handlers/api-handler.ts:30) writes the request, headers and all, into
            //    the request's log entry before the app runs; the entry goes back with the response to
            //    AppLogStorage.storeEntries. The app redacts the caller's secrets in its own entry (GroupAdminEndpoint's
            //    scrubRequestLog), so what is stored has the header with its value replaced.
            const entries = host.logs().filter((e) => e.method === ('api:groups.setEncrypted:post' as never));
            expect(entries).toHaveLength(2);
            for (const entry of entries) {
                const first = entry.entries[0] as unknown as { severity: string; args: unknown[] };
                expect(first.severity).toBe('debug');
                expect(first.args[0]).toBe("groups.setEncrypted's api:groups.setEncrypted:post is being executed...");
                expect(first.args[1]).toMatchObject({ headers: { 'x-auth-token': expect.any(String), 'x-user-id': headers['X-User-Id'] } });
                expect(JSON.stringify(entry)).not.toContain(token);
            }
            // 2. The engine's debug channel (server/runtime/deno/AppsEngineDenoRuntime.js sendRequest) prints each request.
            const sending = printed.filter((line) => line.includes('Sending message to subprocess') && line.includes('api:groups.setEncrypted:post'));
            expect(sending).toHaveLength(2);
            expect(sending.every((line) => line.includes(token))).toBe(true);
            // … and the forwarded request's headers again, in the bridge call (handleBridgeMessage) — no app can avoid it.
            const bridge = printed.filter((line) => line.includes('Handling bridge message') && line.includes('getHttpBridge'));
            expect(bridge.length).toBeGreaterThan(0);
            expect(bridge.some((line) => line.includes(token))).toBe(true);
            // The same channel prints the app's settings as they are saved: the service account's token too.
            expect(printed.some((line) => line.includes('onSettingUpdated') && line.includes(serviceToken))).toBe(true);
        },
        30000,
    );
});
