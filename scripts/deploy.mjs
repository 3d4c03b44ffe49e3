#!/usr/bin/env node
/**
 * `npm run deploy`: installs (or with --update, updates) the app on a Rocket.Chat server with `rc-apps deploy`,
 * from the same staging copy `npm run package` uses, so tests and tooling never reach the server.
 *
 *   RC_URL=https://chat.example.com RC_USER_ID=<id> RC_TOKEN=<personal access token> npm run deploy [-- --update]
 *   RC_URL=https://chat.example.com RC_USERNAME=admin RC_PASSWORD=… npm run deploy [-- --update]
 *
 * Each variable may be a flag instead (--url, --username, --password, --userid, --token), but npm prints a script's
 * flags when it starts it: pass secrets through the environment. This script prints no credential.
 * `--app <folder>` deploys another copy of the app (default: this repository).
 */
import path from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { root, runCli, signalExitCode, stageApp, watchForStop } from './stage.mjs';

const args = process.argv.slice(2);
const flag = (name) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
};
const url = flag('url') ?? process.env.RC_URL;
const username = flag('username') ?? process.env.RC_USERNAME;
const password = flag('password') ?? process.env.RC_PASSWORD;
const userId = flag('userid') ?? process.env.RC_USER_ID;
const token = flag('token') ?? process.env.RC_TOKEN;

const usage = 'usage: RC_URL=<server> (RC_USER_ID=<id> RC_TOKEN=<token> | RC_USERNAME=<u> RC_PASSWORD=<p>) npm run deploy [-- --update]\n(each also as a flag: --url --userid --token --username --password; npm prints flags, so keep secrets in the environment)';
if (!url || !((username && password) || (userId && token))) {
    console.error(usage);
    process.exit(2);
}
// The credentials go to rc-apps in a `.rcappsconfig` of the staging folder, never on its command line (where `ps` would
// show them): apps-cli 1.9.0 reads `url`, `username`/`password` or `userId`/`token` from it. It also ignores its own
// `--userid` flag (fixed only in 1.11.0, not published), so a token login works only this way.
const config = userId && token ? { url, userId, token } : { url, username, password };
const cliArgs = ['deploy', ...(args.includes('--update') ? ['--update'] : [])];
const appFlag = flag('app');
// The credentials go into the staging copy's .rcappsconfig, readable by this user only, and leave with the copy
// whatever happens: rc-apps failing, or this script stopped meanwhile (Ctrl-C, SIGTERM, npm stopped), which stops
// rc-apps first (stage.mjs, watchForStop).
const stop = watchForStop();
const staging = stageApp(appFlag ? path.resolve(appFlag) : root);
let status = 1;
try {
    writeFileSync(path.join(staging, '.rcappsconfig'), JSON.stringify(config), { mode: 0o600 });
    status = (await runCli(cliArgs, { cwd: staging, stop })).status ?? 1;
} finally {
    rmSync(staging, { recursive: true, force: true });
}
process.exit(stop.reason ? signalExitCode(stop.reason) : status);
