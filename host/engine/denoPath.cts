/**
 * Makes the engine spawn the pinned Deno binary itself rather than the npm package's launcher script.
 *
 * The engine spawns the literal `deno` from PATH. In `node_modules/.bin`, `deno` is the `deno` package's bin.cjs: a
 * Node process that runs the real binary with spawnSync. On shutdown the Apps-Engine SIGKILLs the process it
 * spawned — the launcher — and the real Deno process would be left behind until its stdin closes. With the binary's
 * own folder first on PATH (the launcher installs the binary there on its first run, which the postinstall step
 * does), the engine's kill ends Deno itself; the launcher folder stays next in line as a fallback.
 */
import { existsSync } from 'fs';
import path from 'path';

/** Puts the Deno binary's folder (when installed) and then the launcher folder first on PATH; returns the binary's folder. */
export function preferDenoBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const packageDir = path.dirname(require.resolve('deno/package.json'));
    const launcherDir = path.join(packageDir, '..', '.bin');
    const binary = path.join(packageDir, process.platform === 'win32' ? 'deno.exe' : 'deno');
    const first = existsSync(binary) ? [packageDir, launcherDir] : [launcherDir];
    const rest = (env.PATH ?? '').split(path.delimiter).filter((p) => p && p !== packageDir && p !== launcherDir);
    env.PATH = [...first, ...rest].join(path.delimiter);
    return existsSync(binary) ? packageDir : undefined;
}
