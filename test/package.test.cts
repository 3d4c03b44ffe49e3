/**
 * The packaged zip (built by `npm run package` in global setup) is what a server installs: it must hold only what
 * ships, declare the engine range and class file of interface.md §1, stay under 160 KB, and carry a real icon. And what
 * `rc-apps package` / `rc-apps deploy` compile when run from the repository root: exactly the app's code (src/).
 */
import { readFileSync, readdirSync, statSync } from 'fs';
import path from 'path';

import AdmZip from 'adm-zip';

import { ZIP_PATH } from './engine/harness.cjs';

const root = path.resolve(__dirname, '..');
const committed = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8'));

/** Every `.ts` file under `folder` (relative to the repository root, sorted). */
function typeScriptUnder(folder: string): string[] {
    return readdirSync(path.join(root, folder), { withFileTypes: true })
        .flatMap((entry) => {
            const name = `${folder}/${entry.name}`;
            return entry.isDirectory() ? typeScriptUnder(name) : name.endsWith('.ts') ? [name] : [];
        })
        .sort();
}

function pngSize(buffer: Buffer): { width: number; height: number } {
    expect(buffer.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

describe('packaged zip', () => {
    const zip = new AdmZip(ZIP_PATH);
    const names = zip.getEntries().map((e) => e.entryName);
    const zippedAppJson = JSON.parse(zip.readAsText('app.json'));

    it('is under the packaging budget (scripts/package.mjs: 160 KB since 0.3.0)', () => {
        expect(statSync(ZIP_PATH).size).toBeLessThan(160 * 1024);
    });

    it('holds only shipped files: compiled src/, app.json, icon, i18n, package.json', () => {
        for (const name of names) {
            expect(name).toMatch(/^(\.packagedby|app\.json|icon\.png|package\.json|i18n\/(en|pt-BR|es|de)\.json|src\/.+\.js)$/);
        }
        expect(names).toEqual(expect.arrayContaining(['app.json', 'icon.png', 'src/GroupAdminApp.js', 'i18n/en.json', 'i18n/pt-BR.json', 'i18n/es.json', 'i18n/de.json']));
        expect(names.some((n) => /test|spec|\.ts$|package-lock|tsconfig|jest|eslint/i.test(n))).toBe(false);
    });

    it('declares requiredApiVersion ^1.62.0 and classFile src/GroupAdminApp.ts, identical to the committed app.json', () => {
        expect(zippedAppJson.requiredApiVersion).toBe('^1.62.0');
        expect(zippedAppJson.classFile).toBe('src/GroupAdminApp.ts');
        for (const key of ['id', 'name', 'nameSlug', 'version', 'requiredApiVersion', 'classFile', 'permissions']) {
            expect(zippedAppJson[key]).toEqual(committed[key]);
        }
        expect(committed.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it('declares exactly the permissions of interface.md §6', () => {
        const declared = (committed.permissions as Array<{ name: string }>).map((p) => p.name).sort();
        // Since 0.3.0: `scheduler` (bulk jobs) and `room.write` (the bot's direct message to a job's starter).
        const base = ['slashcommand', 'api', 'room.read', 'user.read', 'message.write', 'networking', 'server-setting.read', 'persistence', 'scheduler', 'room.write'];
        const ui = ['ui.interact', 'ui.registerButtons'];
        const withUi = declared.includes('ui.interact');
        expect(declared).toEqual([...base, ...(withUi ? ui : [])].sort());
    });

    it('ships the Marketplace icon: a 256×256 PNG without transparency (docs/marketplace.md)', () => {
        const icon = zip.readFile('icon.png') as Buffer;
        expect(pngSize(icon)).toEqual({ width: 256, height: 256 });
        // PNG colour type (byte 25): 2 = RGB; 4 and 6 carry an alpha channel, and a tRNS chunk would add transparency.
        expect(icon[25]).toBe(2);
        expect(icon.includes(Buffer.from('tRNS'))).toBe(false);
    });

    it('keeps the engine devDependency exact and agreeing with requiredApiVersion (rc-apps would rewrite app.json otherwise)', () => {
        const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
        expect(pkg.devDependencies['@rocket.chat/apps-engine']).toBe('1.62.0');
        expect(pkg.devDependencies['@rocket.chat/apps-cli']).toBe('1.9.0');
        expect(pkg.devDependencies['@types/node']).toBe('18.15.0');
        expect(pkg.devDependencies.deno).toBe('2.3.1');
    });
});

describe('rc-apps from the repository root', () => {
    it('app.json is committed byte for byte as rc-apps rewrites it (4-space JSON, no final newline): a root run changes no file', () => {
        // apps-compiler's packager writes `JSON.stringify(info, null, 4)` over app.json on every run (misc/appPackager.js).
        const text = readFileSync(path.join(root, 'app.json'), 'utf8');
        expect(text).toBe(JSON.stringify(JSON.parse(text), null, 4));
    });

    it('compiles exactly src/**/*.ts: the file walk of apps-compiler 0.1.7 itself (what rc-apps package and deploy run)', async () => {
        // The compiler turns every `.ts` file under the folder into the app (only node_modules/, .git and top-level
        // dot-folders are skipped) and refuses the class file when one of them does not compile under its options:
        // tests, the stand-in and the benchmarks are `.cts` for that reason (docs/development.md, "Layout").
        const { getAppSource } = (await import('@rocket.chat/apps-compiler/compiler/getAppSource')) as {
            getAppSource: (folder: string) => Promise<{ sourceFiles: Record<string, unknown> }>;
        };
        const compiled = Object.keys((await getAppSource(root)).sourceFiles).sort();
        expect(compiled).toEqual(typeScriptUnder('src'));
        expect(compiled).toContain('src/GroupAdminApp.ts');
    });
});
