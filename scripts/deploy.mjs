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
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { stageApp, root } from './stage.mjs';

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
const cliArgs = ['deploy', `--url=${url}`];
if (userId && token) {
    cliArgs.push(`--userid=${userId}`, `--token=${token}`);
} else {
    cliArgs.push(`--username=${username}`, `--password=${password}`);
}
if (args.includes('--update')) {
    cliArgs.push('--update');
}
const staging = stageApp();
const result = spawnSync(path.join(root, 'node_modules', '.bin', 'rc-apps'), cliArgs, { cwd: staging, stdio: 'inherit' });
rmSync(staging, { recursive: true, force: true });
process.exit(result.status ?? 1);
