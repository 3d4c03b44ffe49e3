/**
 * The staging copy `rc-apps` packages and deploys from: only what ships (src/, app.json, icon.png, i18n/,
 * package.json) plus a link to node_modules, because the CLI compiles every .ts file in its folder (tests included)
 * and zips every top-level file (the lock file included).
 */
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHIPPED = ['src', 'app.json', 'icon.png', 'i18n', 'package.json'];

/**
 * Copies what ships from `appDir` into a fresh `.staging-<random>/` folder and returns its path (one folder per run,
 * so that two packaging runs at once — a test run and `npm start` — never share one).
 */
export function stageApp(appDir = root) {
    const staging = mkdtempSync(path.join(root, '.staging-'));
    for (const entry of SHIPPED) {
        const from = path.join(appDir, entry);
        if (!existsSync(from)) {
            throw new Error(`stage: ${entry} is missing in ${appDir}`);
        }
        cpSync(from, path.join(staging, entry), { recursive: true });
    }
    // The CLI compiles with the app's own TypeScript and engine definitions.
    symlinkSync(path.join(root, 'node_modules'), path.join(staging, 'node_modules'), 'dir');
    return staging;
}
