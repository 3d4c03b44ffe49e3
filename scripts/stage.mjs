/**
 * The staging copy `rc-apps` packages and deploys from: only what ships (src/, app.json, icon.png, i18n/,
 * package.json) plus a link to node_modules, because at the repository root the CLI also zips every other file with an
 * extension outside test/ (the lock file, docs/, scripts/, the .cts sources of host/ and bench/).
 *
 * Also what decides whether the last package can be reused: `dist/<zip>.inputs.json` beside the zip records a hash of
 * every shipped file and of the packaging toolchain; `packageState` compares it with the sources as they are now.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHIPPED = ['src', 'app.json', 'icon.png', 'i18n', 'package.json'];

/**
 * Copies what ships from `appDir` into a fresh `.staging-<random>/` folder and returns its path (one folder per run,
 * so that two packaging runs at once — a test run and `npm start` — never share one). The folder is in the repository
 * root, or in `$GROUP_ADMIN_STAGING` (a test hook; rc-apps packages nothing below a folder named `dist`). A copy that
 * fails half-way is removed.
 */
export function stageApp(appDir = root) {
    const parent = process.env.GROUP_ADMIN_STAGING ? path.resolve(process.env.GROUP_ADMIN_STAGING) : root;
    mkdirSync(parent, { recursive: true });
    const staging = mkdtempSync(path.join(parent, '.staging-'));
    try {
        for (const entry of SHIPPED) {
            const from = path.join(appDir, entry);
            if (!existsSync(from)) {
                throw new Error(`stage: ${entry} is missing in ${appDir}`);
            }
            cpSync(from, path.join(staging, entry), { recursive: true });
        }
        // The CLI compiles with the app's own TypeScript and engine definitions.
        symlinkSync(path.join(root, 'node_modules'), path.join(staging, 'node_modules'), 'dir');
    } catch (error) {
        rmSync(staging, { recursive: true, force: true });
        throw error;
    }
    return staging;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How long rc-apps gets to end after a stop request before it is killed (npm start waits 10 s for a stop). */
const KILL_AFTER_MS = 5000;

/**
 * Stop requests for a script that runs rc-apps in a staging copy: SIGINT, SIGTERM or SIGHUP, or the script's parent
 * gone (`kill <npm pid>` ends npm and its shell, not the script). Call it before staging: with a handler in place Node
 * hands a signal to the script instead of ending it mid-copy, so the script can remove its staging copy — and with it
 * the credentials `npm run deploy` writes there. `reason` is the first request's signal (SIGTERM for a parent gone).
 */
export function watchForStop() {
    const watch = { reason: undefined, listeners: new Set() };
    const request = (reason) => {
        const first = watch.reason === undefined;
        watch.reason ??= reason;
        for (const listener of watch.listeners) {
            listener(first);
        }
    };
    for (const signal of STOP_SIGNALS) {
        process.on(signal, () => request(signal));
    }
    const parent = process.ppid;
    setInterval(() => {
        if (process.ppid !== parent) {
            request('SIGTERM');
        }
    }, 500).unref();
    return watch;
}

/**
 * Runs `rc-apps <args>` in `cwd` and resolves with how it ended: `{ status, signal, output }`. On a stop request
 * (`stop`, from {@link watchForStop}; also one made before rc-apps started) rc-apps gets SIGTERM, and SIGKILL on a
 * second request or after 5 s: the caller's cleanup always runs, and no rc-apps is left running. `capture` keeps the
 * CLI's output (returned as `output`) instead of showing it. Tests run another program (`command`) and wait another
 * time before the SIGKILL (`killAfterMs`).
 */
export function runCli(args, { cwd, stop, capture = false, env = process.env, command = path.join(root, 'node_modules', '.bin', 'rc-apps'), killAfterMs = KILL_AFTER_MS }) {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
        let output = '';
        child.stdout?.setEncoding('utf8').on('data', (chunk) => (output += chunk));
        child.stderr?.setEncoding('utf8').on('data', (chunk) => (output += chunk));
        let killer;
        const onStop = (first) => {
            if (first && !killer) {
                child.kill('SIGTERM');
                killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
            } else {
                child.kill('SIGKILL');
            }
        };
        stop.listeners.add(onStop);
        if (stop.reason) {
            onStop(true);
        }
        const done = () => {
            stop.listeners.delete(onStop);
            clearTimeout(killer);
        };
        child.on('error', (error) => {
            done();
            reject(new Error(`rc-apps could not be started: ${error.message}`));
        });
        child.on('close', (status, signal) => {
            done();
            resolve({ status, signal, output });
        });
    });
}

/** The exit code of a process ended by `signal` (128 + its number), as a shell reports it. */
export function signalExitCode(signal) {
    return 128 + (constants.signals[signal] ?? 0);
}

// ------------------------------------------------------------------ reusing the last package

/**
 * What a package is built from besides the shipped files: the packaging toolchain as the lock file pins it
 * (`rc-apps` and every package below it, the compiler it calls, the engine definitions and TypeScript) and these two
 * scripts. A change in any of them rebuilds.
 */
const TOOLCHAIN = /^node_modules\/(@rocket\.chat\/apps-cli|@rocket\.chat\/apps-compiler|@rocket\.chat\/apps-engine|typescript)(\/|$)/;
const SCRIPTS = ['scripts/package.mjs', 'scripts/stage.mjs'];
export const MANIFEST_FORMAT = 'group-admin-package-inputs';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** Every file under the shipped entries of `dir`, as `relative/path` → sha256 of its bytes (sorted by path). */
export function shippedFiles(dir) {
    const files = {};
    const walk = (relative) => {
        const full = path.join(dir, relative);
        const stat = statSync(full);
        if (stat.isDirectory()) {
            for (const name of readdirSync(full).sort()) {
                walk(path.posix.join(relative, name));
            }
        } else {
            // A symbolic link ships as what it points to (cpSync copies the link; rc-apps reads through it).
            files[relative] = sha256(readFileSync(full));
        }
    };
    for (const entry of SHIPPED) {
        if (existsSync(path.join(dir, entry))) {
            walk(entry);
        }
    }
    return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The lock file's entries of the packaging toolchain (`name@version`, integrity), and the scripts' hashes. */
export function toolchain() {
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
    const packages = {};
    for (const [key, value] of Object.entries(lock.packages ?? {})) {
        if (TOOLCHAIN.test(key)) {
            packages[key.replace(/^node_modules\//, '')] = `${value.version ?? '?'} ${value.integrity ?? ''}`.trim();
        }
    }
    const scripts = Object.fromEntries(SCRIPTS.map((file) => [file, sha256(readFileSync(path.join(root, file)))]));
    return { packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : 1))), scripts };
}

/** One hash over the shipped files (paths and bytes) and the toolchain. */
export function inputsHash(files, tools) {
    return sha256(JSON.stringify({ files, tools }));
}

/** `dist/<zip>.inputs.json`: what the zip beside it was built from. */
export function manifestPath(zipPath) {
    return `${zipPath}.inputs.json`;
}

/** Records what `zipPath` was built from (`files`: the staged copy's shipped files), written atomically. */
export function writeManifest(zipPath, files, tools) {
    const manifest = {
        format: MANIFEST_FORMAT,
        version: 1,
        zip: { name: path.basename(zipPath), sha256: sha256(readFileSync(zipPath)) },
        hash: inputsHash(files, tools),
        toolchain: tools,
        files,
    };
    const target = manifestPath(zipPath);
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, target);
}

function listed(names) {
    const shown = names.slice(0, 3).join(', ');
    return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/**
 * Whether `zipPath` is the package of `appDir` as it is now: `{ fresh: true }`, or `{ fresh: false, reason }` with a
 * short reason ("no package yet", "app sources changed: src/x.ts", "toolchain changed: …", …). Anything unreadable or
 * unexpected counts as stale: the worst case is one rebuild too many, never a stale package.
 */
export function packageState(appDir, zipPath) {
    if (!existsSync(zipPath)) {
        return { fresh: false, reason: 'no package yet' };
    }
    let manifest;
    try {
        manifest = JSON.parse(readFileSync(manifestPath(zipPath), 'utf8'));
    } catch {
        return { fresh: false, reason: 'no record of what the package was built from' };
    }
    if (manifest?.format !== MANIFEST_FORMAT || manifest.version !== 1 || typeof manifest.files !== 'object' || !manifest.files) {
        return { fresh: false, reason: 'no record of what the package was built from' };
    }
    const files = shippedFiles(appDir);
    const tools = toolchain();
    if (manifest.hash === inputsHash(files, tools) && manifest.zip?.sha256 === sha256(readFileSync(zipPath))) {
        return { fresh: true };
    }
    const changed = [...new Set([...Object.keys(files), ...Object.keys(manifest.files)])]
        .filter((file) => files[file] !== manifest.files[file])
        .sort();
    if (changed.length) {
        return { fresh: false, reason: `app sources changed: ${listed(changed)}` };
    }
    const before = manifest.toolchain ?? {};
    const changedTools = [...new Set([...Object.keys(tools.packages), ...Object.keys(before.packages ?? {})])]
        .filter((name) => tools.packages[name] !== before.packages?.[name])
        .sort();
    if (changedTools.length) {
        const version = (entry) => (entry ? entry.split(' ')[0] : 'none');
        return {
            fresh: false,
            reason: `toolchain changed: ${listed(changedTools.map((name) => `${name} ${version(before.packages?.[name])} → ${version(tools.packages[name])}`))}`,
        };
    }
    if (JSON.stringify(tools.scripts) !== JSON.stringify(before.scripts)) {
        return { fresh: false, reason: 'the packaging scripts changed' };
    }
    return { fresh: false, reason: 'the zip is not the one last built' };
}
