#!/usr/bin/env node
/**
 * `npm run deploy`: installs (or with --update, updates) the app on a Rocket.Chat server with `rc-apps deploy`,
 * from the same staging copy `npm run package` uses, so tests and tooling never reach the server.
 *
 *   npm run deploy -- --url https://chat.example.com --username admin --password '…' [--update]
 *   npm run deploy -- --url https://chat.example.com --userid <id> --token <personal access token> [--update]
 *
 * Each flag may come from the environment instead: RC_URL, RC_USERNAME, RC_PASSWORD, RC_USER_ID, RC_TOKEN.
 * Credentials are handed to rc-apps and never printed.
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

const usage = 'usage: npm run deploy -- --url <server> (--username <u> --password <p> | --userid <id> --token <t>) [--update]';
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
