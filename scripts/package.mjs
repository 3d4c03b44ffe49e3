#!/usr/bin/env node
/**
 * `npm run package`: builds dist/group-admin_<version>.zip with `rc-apps package`, from a staging copy that holds
 * only what ships: src/ (compiled by the CLI), app.json, icon.png, i18n/ and package.json. No tests, no tooling, no
 * lock file. Fails if the CLI would change app.json in any way (it fills `implements` from the App class and rewrites
 * `requiredApiVersion` when it disagrees with the engine devDependency) or if the zip holds anything unexpected or
 * exceeds 100 KB.
 *
 * Usage: node scripts/package.mjs [--app <folder>] [--out <folder>]   (defaults: the repo root, dist/)
 */
import { execFileSync } from 'node:child_process';
import { stageApp, root } from './stage.mjs';
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
const MAX_BYTES = 100 * 1024;

const require = createRequire(import.meta.url);
const AdmZip = require('adm-zip');

const staging = stageApp(appDir);
try {
    const committedAppJson = JSON.parse(readFileSync(path.join(appDir, 'app.json'), 'utf8'));
    const cli = path.join(root, 'node_modules', '.bin', 'rc-apps');
    try {
        execFileSync(cli, ['package'], { cwd: staging, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    } catch (error) {
        process.stderr.write(String(error.stdout ?? ''));
        process.stderr.write(String(error.stderr ?? ''));
        throw new Error('package: rc-apps package failed');
    }

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
    console.log(`package: ${path.relative(process.cwd(), target)} (${size} bytes, ${zip.getEntries().length} entries)`);
} finally {
    rmSync(staging, { recursive: true, force: true });
}
