#!/usr/bin/env node
/**
 * `npm run package`: builds dist/group-admin_<version>.zip with `rc-apps package`, run in a copy of the app that holds
 * only what ships: src/ (compiled by the CLI), app.json, icon.png, i18n/ and package.json. Run at the repository root,
 * rc-apps would also zip the lock file, docs/, scripts/ and the .cts sources of host/ and bench/ (docs/deploy.md,
 * "Packaging"). No tests, no tooling, no lock file. Fails if the CLI would change app.json in any way (it fills
 * `implements` from the App class and rewrites `requiredApiVersion` when it disagrees with the engine devDependency)
 * or if the zip holds anything unexpected or exceeds 160 KB.
 *
 * Beside the zip it writes `<zip>.inputs.json`: a hash of every shipped file and of the packaging toolchain (see
 * stage.mjs). With `--if-changed` (what `npm start` and the test setup use) it builds only when that record is missing
 * or differs from the sources as they are now, and says in one line which it did and why. `--check` only says it
 * (exit code 0: the package is up to date, 1: it would be rebuilt).
 *
 * Usage: node scripts/package.mjs [--app <folder>] [--out <folder>] [--if-changed | --check]
 *        (defaults: the repo root, dist/)
 */
import { packageState, root, runCli, shippedFiles, signalExitCode, stageApp, toolchain, watchForStop, writeManifest } from './stage.mjs';
import { mkdirSync, readFileSync, readdirSync, rmSync, copyFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : path.resolve(args[i + 1]);
};
const appDir = option('--app', root);
const outDir = option('--out', path.join(root, 'dist'));
// The budget: 0.3.0 (governance, audit, bulk jobs) is about 155 KB; a jump past this is worth a look before it ships.
const MAX_BYTES = 160 * 1024;
const ifChanged = args.includes('--if-changed');
const checkOnly = args.includes('--check');
const rel = (file) => path.relative(process.cwd(), file);

const require = createRequire(import.meta.url);
const AdmZip = require('adm-zip');

if (ifChanged || checkOnly) {
    const appJson = JSON.parse(readFileSync(path.join(appDir, 'app.json'), 'utf8'));
    const zipPath = path.join(outDir, `${appJson.nameSlug}_${appJson.version}.zip`);
    const state = packageState(appDir, zipPath);
    if (state.fresh) {
        console.log(`package: ${rel(zipPath)} is up to date (nothing it is built from changed): reused`);
        process.exit(0);
    }
    if (checkOnly) {
        console.log(`package: ${rel(zipPath)} would be rebuilt (${state.reason})`);
        process.exit(1);
    }
    console.log(`package: rebuilding ${rel(zipPath)} (${state.reason})`);
}

// Removed whatever happens: stopped meanwhile (npm start stopped while it packages), rc-apps is stopped with it and
// nothing is left behind (stage.mjs, watchForStop).
const stop = watchForStop();
const staging = stageApp(appDir);
try {
    const committedAppJson = JSON.parse(readFileSync(path.join(appDir, 'app.json'), 'utf8'));
    // What this build is made of: the staged copy (not the working tree, which may change while rc-apps runs).
    const builtFrom = shippedFiles(staging);
    const tools = toolchain();
    const run = await runCli(['package'], { cwd: staging, stop, capture: true, env: { ...process.env, FORCE_COLOR: '0' } });
    if (stop.reason) {
        console.error(`package: stopped (${stop.reason}); nothing built`);
    } else if (run.status !== 0) {
        process.stderr.write(run.output);
        throw new Error('package: rc-apps package failed');
    } else {
        built(staging, committedAppJson, builtFrom, tools);
    }
} finally {
    rmSync(staging, { recursive: true, force: true });
}
if (stop.reason) {
    process.exit(signalExitCode(stop.reason));
}

/** Checks what rc-apps made in `staging` and puts the zip and the record of what it was built from in `outDir`. */
function built(staging, committedAppJson, builtFrom, tools) {
    const stagedAppJson = JSON.parse(readFileSync(path.join(staging, 'app.json'), 'utf8'));
    if (JSON.stringify(stagedAppJson) !== JSON.stringify(committedAppJson)) {
        const changed = [...new Set([...Object.keys(stagedAppJson), ...Object.keys(committedAppJson)])].filter(
            (key) => JSON.stringify(stagedAppJson[key]) !== JSON.stringify(committedAppJson[key]),
        );
        throw new Error(
            `package: rc-apps rewrote app.json (${changed.map((key) => `"${key}": ${JSON.stringify(committedAppJson[key])} → ${JSON.stringify(stagedAppJson[key])}`).join('; ')}). ` +
                'Commit the CLI\'s version (it fills "implements" from the App class), and keep the @rocket.chat/apps-engine ' +
                'devDependency and requiredApiVersion in agreement (a disagreement rewrites requiredApiVersion).',
        );
    }

    const builtDir = path.join(staging, 'dist');
    const zipName = readdirSync(builtDir).find((f) => f.endsWith('.zip'));
    if (!zipName) {
        throw new Error('package: rc-apps produced no zip');
    }
    const zip = new AdmZip(path.join(builtDir, zipName));
    const allowed = /^(\.packagedby|app\.json|icon\.png|package\.json|i18n\/[A-Za-z-]+\.json|src\/.+\.js)$/;
    const unexpected = zip.getEntries().map((e) => e.entryName).filter((name) => !name.endsWith('/') && !allowed.test(name));
    if (unexpected.length) {
        throw new Error(`package: unexpected files in the zip: ${unexpected.join(', ')}`);
    }
    mkdirSync(outDir, { recursive: true });
    const target = path.join(outDir, `${committedAppJson.nameSlug}_${committedAppJson.version}.zip`);
    // Copy beside the target, then rename: a reader never sees a half-written zip.
    const partial = `${target}.${process.pid}.partial`;
    copyFileSync(path.join(builtDir, zipName), partial);
    renameSync(partial, target);
    const size = statSync(target).size;
    if (size > MAX_BYTES) {
        throw new Error(`package: ${path.relative(root, target)} is ${size} bytes, over the ${MAX_BYTES}-byte limit`);
    }
    writeManifest(target, builtFrom, tools);
    console.log(`package: ${rel(target)} (${size} bytes, ${zip.getEntries().length} entries)`);
}
