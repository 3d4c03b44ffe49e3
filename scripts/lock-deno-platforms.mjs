#!/usr/bin/env node
/**
 * Keeps `npm ci` working: the `deno` package lists one optional binary package per platform, and npm leaves the
 * ones it cannot resolve for this machine out of package-lock.json, after which `npm ci` refuses the lock file
 * ("Missing: @deno/darwin-arm64@ from lock file"). This adds a lock entry for each missing platform package with its
 * os/cpu constraints, so npm ci skips it on other platforms as it does any optional dependency. Run it after any
 * `npm install` that rewrites the lock file (idempotent).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const lockUrl = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockUrl, 'utf8'));
const deno = lock.packages['node_modules/deno'];
if (!deno) {
    throw new Error('lock-deno-platforms: deno is not in package-lock.json');
}
const platforms = {
    'win32-x64': { os: ['win32'], cpu: ['x64'] },
    'win32-arm64': { os: ['win32'], cpu: ['arm64'] },
    'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
    'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
    'linux-x64-glibc': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
    'linux-arm64-glibc': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
};
let added = 0;
for (const name of Object.keys(deno.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) {
        continue;
    }
    const platform = platforms[name.replace('@deno/', '')];
    if (!platform) {
        throw new Error(`lock-deno-platforms: unknown platform package ${name}`);
    }
    lock.packages[key] = { version: deno.optionalDependencies[name], dev: true, license: 'MIT', optional: true, ...platform };
    added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(lockUrl, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-deno-platforms: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);
