#!/usr/bin/env node
/**
 * Makes @rocket.chat/apps-engine 1.62.0's Deno runtime start on a machine that reaches only the npm registry.
 *
 * The published deno-runtime/deno.jsonc imports three jsr:@std/* modules (jsr.io is not reachable) and maps
 * `@rocket.chat/apps-engine/` to `../src/`, which is not published. This step, run on every `npm install` /
 * `npm ci` (postinstall) and idempotent:
 *   1. writes small local shims for `writeAll` (@std/io), `toArrayBuffer` (@std/streams) and `parseArgs`
 *      (@std/cli/parse-args) into deno-runtime/.group-admin-shims/;
 *   2. rewrites the import map (the original is kept as deno.jsonc.orig): the @std entries point to the shims and
 *      the one value import from `src/` (AppsEngineException.ts) points to the compiled .js of the package;
 *   3. fills the Deno cache the engine uses (<apps-engine>/.deno-cache) with `deno install`, whose npm: imports come
 *      from the npm registry.
 * The versions are pinned exactly in package.json because this patches a third-party package.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const engineDir = path.dirname(require.resolve('@rocket.chat/apps-engine/package.json'));
const engineVersion = JSON.parse(readFileSync(path.join(engineDir, 'package.json'), 'utf8')).version;
if (engineVersion !== '1.62.0') {
    throw new Error(`prepare-deno-runtime: expected @rocket.chat/apps-engine 1.62.0, found ${engineVersion}`);
}
const runtimeDir = path.join(engineDir, 'deno-runtime');
const configPath = path.join(runtimeDir, 'deno.jsonc');
const originalPath = `${configPath}.orig`;
const shimDir = path.join(runtimeDir, '.group-admin-shims');

const shims = {
    'io.ts': `// Local shim for jsr:@std/io (writeAll only).
export async function writeAll(writer: { write(p: Uint8Array): Promise<number> }, data: Uint8Array): Promise<void> {
    let written = 0;
    while (written < data.length) {
        written += await writer.write(data.subarray(written));
    }
}
`,
    'streams.ts': `// Local shim for jsr:@std/streams (toArrayBuffer only).
export async function toArrayBuffer(readable: ReadableStream<Uint8Array>): Promise<ArrayBuffer> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of readable) {
        chunks.push(chunk);
        length += chunk.length;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
        out.set(chunk, offset);
        offset += chunk.length;
    }
    return out.buffer;
}
`,
    'parse-args.ts': `// Local shim for jsr:@std/cli/parse-args: the runtime's own flags (--subprocess <id> --spawnId <n>, --key=value).
export function parseArgs(args: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = { _: [] as string[] };
    const value = (v: string): unknown => (/^-?\\d+(\\.\\d+)?$/.test(v) ? Number(v) : v);
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (!arg.startsWith('--')) {
            (out._ as string[]).push(arg);
            continue;
        }
        const eq = arg.indexOf('=');
        if (eq !== -1) {
            out[arg.slice(2, eq)] = value(arg.slice(eq + 1));
        } else if (i + 1 < args.length && !args[i + 1].startsWith('--')) {
            out[arg.slice(2)] = value(args[++i]);
        } else {
            out[arg.slice(2)] = true;
        }
    }
    return out;
}
`,
};

mkdirSync(shimDir, { recursive: true });
for (const [name, text] of Object.entries(shims)) {
    writeFileSync(path.join(shimDir, name), text);
}

if (!existsSync(originalPath)) {
    copyFileSync(configPath, originalPath);
}
// deno.jsonc is plain JSON apart from tabs; strip // comments defensively before parsing.
const config = JSON.parse(readFileSync(originalPath, 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const imports = { ...config.imports };
delete imports['@std/cli'];
delete imports['@std/io'];
delete imports['@std/streams'];
imports['@std/cli/parse-args'] = './.group-admin-shims/parse-args.ts';
imports['@std/io'] = './.group-admin-shims/io.ts';
imports['@std/streams'] = './.group-admin-shims/streams.ts';
imports['@rocket.chat/apps-engine/definition/exceptions/AppsEngineException.ts'] =
    '../definition/exceptions/AppsEngineException.js';
config.imports = imports;
writeFileSync(configPath, `${JSON.stringify(config, null, '\t')}\n`);

// The shipped lock file pins jsr packages that are no longer imported; keep a copy and let deno write a fresh one.
const lockPath = path.join(runtimeDir, 'deno.lock');
if (existsSync(lockPath) && !existsSync(`${lockPath}.orig`)) {
    copyFileSync(lockPath, `${lockPath}.orig`);
}
rmSync(lockPath, { force: true });

const denoBin = path.join(path.dirname(require.resolve('deno/package.json')), '..', '.bin', 'deno');
const deno = existsSync(denoBin) ? denoBin : 'deno';
const env = { ...process.env, DENO_DIR: path.join(engineDir, '.deno-cache') };
if (!env.DENO_CERT && !env.DENO_TLS_CA_STORE && env.NODE_EXTRA_CA_CERTS) {
    env.DENO_CERT = env.NODE_EXTRA_CA_CERTS;
}
execFileSync(deno, ['install', `--config=${configPath}`, '--entrypoint', 'main.ts'], {
    cwd: runtimeDir,
    env,
    stdio: 'inherit',
});
console.log(`prepare-deno-runtime: apps-engine ${engineVersion} Deno runtime ready (${path.relative(process.cwd(), runtimeDir)})`);
