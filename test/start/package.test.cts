/**
 * Reusing the last package (issue 11): `npm start` and the test setup run `scripts/package.mjs --if-changed`, which
 * rebuilds the zip only when a shipped file (src/, app.json, icon.png, i18n/, package.json), the packaging toolchain or
 * the packaging scripts changed, and says in one line which it did and why.
 *
 * - through `npm start` in a child process, packaging a copy of the app (`GROUP_ADMIN_APP`, so that edits in the working
 *   tree meanwhile change nothing) into a dist folder of its own (`GROUP_ADMIN_DIST`): an empty one starts a rebuild
 *   ("no package yet"), stopped while rc-apps compiles, which leaves nothing behind; one holding the test setup's
 *   package (built by the same script from the same sources) is reused;
 * - the decision itself on a copy of the app (`--app`, `--out`, `--check`), with a recorded manifest: every kind of
 *   change rebuilds, and undoing it makes the package current again.
 */
import { execFile } from 'child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { descendants, isAlive, launch, ROOT } from './child.cjs';
import type { StartedWorkspace } from './child.cjs';

const SHIPPED = ['src', 'app.json', 'icon.png', 'i18n', 'package.json'];
const APP_JSON = JSON.parse(readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as { nameSlug: string; version: string };
const ZIP = `${APP_JSON.nameSlug}_${APP_JSON.version}.zip`;
/** The zip's name in a regular expression. */
const ZIP_RE = ZIP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const running: StartedWorkspace[] = [];
let dir: string;

beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'group-admin-package-'));
});

afterAll(async () => {
    for (const ws of running) {
        await ws.kill();
    }
    rmSync(dir, { recursive: true, force: true });
});

function node(args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, args, { cwd: ROOT, timeout: 60000 }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            resolve({ code, out: `${String(stdout)}${String(stderr)}`.trim() });
        });
    });
}

describe('npm start packages only when something changed', () => {
    const copyOfTheApp = (name: string): string => {
        const copy = path.join(dir, name);
        for (const entry of SHIPPED) {
            cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
        }
        return copy;
    };

    test('an empty dist: it rebuilds ("no package yet"); stopped meanwhile, it ends at once and leaves nothing behind', async () => {
        const dist = path.join(dir, 'empty-dist');
        const ws = launch(['--no-chat'], { package: true, env: { GROUP_ADMIN_DIST: dist, GROUP_ADMIN_APP: copyOfTheApp('rebuild-app'), GROUP_ADMIN_STAGING: dir } });
        running.push(ws);
        await ws.waitFor(new RegExp(`^package: rebuilding \\S+${ZIP_RE} \\(no package yet\\)$`, 'm'), 60000);
        // Stopped while rc-apps compiles (about 35 s of CPU): the packaging run and the compiler end with it.
        const deadline = Date.now() + 60000;
        let below = descendants(ws.pid);
        while (!below.some((p) => /rc-apps package/.test(p.cmd)) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            below = descendants(ws.pid);
        }
        expect(below.map((p) => p.cmd)).toEqual(expect.arrayContaining([expect.stringMatching(/scripts\/package\.mjs --if-changed/), expect.stringMatching(/rc-apps package/)]));
        const stoppedAt = Date.now();
        expect((await ws.stop('SIGTERM')).code).toBe(0);
        expect(Date.now() - stoppedAt).toBeLessThan(10000);
        // Nothing half-made (no zip, no record of one, no staging copy) and nothing still running.
        expect(existsSync(dist) ? readdirSync(dist) : []).toEqual([]);
        expect(readdirSync(dir).filter((name) => name.startsWith('.staging-'))).toEqual([]);
        expect(below.filter((p) => isAlive(p.pid))).toEqual([]);
    }, 120000);

    test('a dist holding the package of these sources: the start reuses it and says so', async () => {
        // The test setup's package (dist/), built from this working tree: current for a copy of it.
        const zip = path.join(ROOT, 'dist', ZIP);
        const check = await node(['scripts/package.mjs', '--check']);
        expect({ check, hint: 'dist/ is not the package of this working tree: run the tests without GROUP_ADMIN_SKIP_PACKAGE=1' }).toMatchObject({ check: { code: 0 } });
        const dist = path.join(dir, 'built-dist');
        mkdirSync(dist);
        for (const file of [zip, `${zip}.inputs.json`]) {
            cpSync(file, path.join(dist, path.basename(file)));
        }
        const ws = launch(['--no-chat'], { package: true, env: { GROUP_ADMIN_DIST: dist, GROUP_ADMIN_APP: copyOfTheApp('reuse-app') } });
        running.push(ws);
        await ws.ready(120000);
        expect(ws.stdout).toMatch(new RegExp(`^package: \\S+${ZIP_RE} is up to date \\(nothing it is built from changed\\): reused$`, 'm'));
        expect(ws.stdout).not.toContain('rebuilding');
        expect((await ws.stop('SIGTERM')).code).toBe(0);
    }, 180000);

    test('--no-package uses the zip as it is and says so', async () => {
        const ws = launch(['--no-chat']);
        running.push(ws);
        await ws.ready();
        expect(ws.stdout).toMatch(new RegExp(`^package: dist/${ZIP_RE} used as it is \\(--no-package\\)$`, 'm'));
        expect((await ws.stop('SIGTERM')).code).toBe(0);
    });
});

describe('rc-apps stopped with the script that runs it (scripts/stage.mjs runCli)', () => {
    /** Runs a CLI that ignores SIGTERM through runCli, makes `requests` stop requests, and says how it ended and when. */
    const stubborn = async (requests: number): Promise<{ code: number; signal: string; ms: number }> => {
        const { code, out } = await node([
            '--input-type=module',
            '-e',
            `import { runCli } from ${JSON.stringify(path.join(ROOT, 'scripts', 'stage.mjs'))};
             const stop = { reason: undefined, listeners: new Set() };
             const ignoring = 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 60000); console.log("up")';
             const run = runCli(['-e', ignoring], { cwd: process.cwd(), stop, capture: true, command: process.execPath, killAfterMs: 1500 });
             let requested = 0;
             setTimeout(() => {
                 requested = Date.now();
                 stop.reason = 'SIGTERM';
                 for (let i = 0; i < ${requests}; i++) for (const listener of stop.listeners) listener(i === 0);
             }, 500);
             const { signal } = await run;
             console.log(signal, Date.now() - requested);`,
        ]);
        const [signal, ms] = out.split(' ');
        return { code, signal, ms: Number(ms) };
    };

    test('a CLI that ignores SIGTERM is killed some time after the stop request (5 s; 1.5 s here)', async () => {
        const ended = await stubborn(1);
        expect(ended).toMatchObject({ code: 0, signal: 'SIGKILL' });
        expect(ended.ms).toBeGreaterThanOrEqual(1450);
        expect(ended.ms).toBeLessThan(5000);
    }, 20000);

    test('a second stop request (Ctrl-C twice) kills it at once', async () => {
        const ended = await stubborn(2);
        expect(ended).toMatchObject({ code: 0, signal: 'SIGKILL' });
        expect(ended.ms).toBeLessThan(1000);
    }, 20000);
});

describe('the decision, on a copy of the app', () => {
    let app: string;
    let out: string;
    let zip: string;
    const check = (): Promise<{ code: number; out: string }> => node(['scripts/package.mjs', '--app', app, '--out', out, '--check']);
    /** Records the copy as it is now as what `zip` was built from (as package.mjs does after a build). */
    const record = (tools = 'toolchain()'): Promise<{ code: number; out: string }> =>
        node([
            '--input-type=module',
            '-e',
            `import { shippedFiles, toolchain, writeManifest } from ${JSON.stringify(path.join(ROOT, 'scripts', 'stage.mjs'))};
             writeManifest(${JSON.stringify(zip)}, shippedFiles(${JSON.stringify(app)}), ${tools});`,
        ]);

    beforeAll(async () => {
        app = path.join(dir, 'app');
        out = path.join(dir, 'out');
        zip = path.join(out, ZIP);
        for (const entry of SHIPPED) {
            cpSync(path.join(ROOT, entry), path.join(app, entry), { recursive: true });
        }
        mkdirSync(out, { recursive: true });
        writeFileSync(zip, 'a zip');
        expect((await record()).code).toBe(0);
    });

    test('recorded and unchanged: up to date; --if-changed reuses it without building', async () => {
        expect(await check()).toEqual({ code: 0, out: expect.stringMatching(/is up to date \(nothing it is built from changed\): reused$/) });
        const reuse = await node(['scripts/package.mjs', '--app', app, '--out', out, '--if-changed']);
        expect(reuse.code).toBe(0);
        expect(reuse.out).toMatch(/reused$/);
        expect(readFileSync(zip, 'utf8')).toBe('a zip');
    });

    test.each([
        ['a source file', 'src/GroupAdminApp.ts'],
        ['a translation', 'i18n/de.json'],
        ['app.json', 'app.json'],
        ['package.json', 'package.json'],
        ['the icon', 'icon.png'],
    ])('%s changed: rebuild, naming it; undone: up to date again', async (_what, file) => {
        const full = path.join(app, file);
        const before = readFileSync(full);
        appendFileSync(full, ' ');
        try {
            expect(await check()).toEqual({ code: 1, out: expect.stringContaining(`would be rebuilt (app sources changed: ${file})`) });
        } finally {
            writeFileSync(full, before);
        }
        expect((await check()).code).toBe(0);
    });

    test('a file added or removed: rebuild', async () => {
        const added = path.join(app, 'src', 'extra.ts');
        writeFileSync(added, 'export const x = 1;\n');
        expect((await check()).out).toContain('(app sources changed: src/extra.ts)');
        rmSync(added);
        const removed = path.join(app, 'i18n', 'es.json');
        const away = path.join(dir, 'es.json.away');
        renameSync(removed, away);
        try {
            expect((await check()).out).toContain('(app sources changed: i18n/es.json)');
        } finally {
            renameSync(away, removed);
        }
        expect((await check()).code).toBe(0);
    });

    test('another toolchain: rebuild, naming the package and both versions', async () => {
        const older = `(() => { const t = toolchain(); t.packages['@rocket.chat/apps-cli'] = '1.8.0 sha512-old'; return t; })()`;
        expect((await record(older)).code).toBe(0);
        expect(await check()).toEqual({ code: 1, out: expect.stringContaining('(toolchain changed: @rocket.chat/apps-cli 1.8.0 → 1.9.0)') });
        const scripts = `(() => { const t = toolchain(); t.scripts['scripts/package.mjs'] = 'old'; return t; })()`;
        expect((await record(scripts)).code).toBe(0);
        expect((await check()).out).toContain('(the packaging scripts changed)');
        expect((await record()).code).toBe(0);
        expect((await check()).code).toBe(0);
    });

    test('a zip that is not the one recorded, no record, no zip: rebuild', async () => {
        writeFileSync(zip, 'another zip');
        expect((await check()).out).toContain('(the zip is not the one last built)');
        writeFileSync(zip, 'a zip');
        expect((await check()).code).toBe(0);
        rmSync(`${zip}.inputs.json`);
        expect((await check()).out).toContain('(no record of what the package was built from)');
        rmSync(zip);
        expect((await check()).out).toContain('(no package yet)');
    });
});
