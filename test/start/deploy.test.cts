/**
 * The local workspace takes a deploy as a Rocket.Chat server does (contract §10): the real `rc-apps deploy --update`
 * (apps-cli 1.9.0), run from the root of a copy of this repository, against a started `npm start` replaces the running
 * app live, and a bad upload gets Rocket.Chat's error and leaves the running app as it was. `npm run deploy` logs in
 * with a token, and stopped meanwhile leaves no credential on disk and no rc-apps running. The route rules (401, 403,
 * the licence rule, `/api/info`) are checked without a server against host/server/appsRest.cts.
 */
import { spawn, spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import http from 'http';
import { tmpdir } from 'os';
import path from 'path';

import AdmZip from 'adm-zip';

import { appsRoute, serverInfo } from '../../host/server/appsRest.cjs';
import type { AppsEngine, AppsWorkspace } from '../../host/server/appsRest.cjs';
import { SettingType } from '@rocket.chat/apps-engine/definition/settings';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { ZIP_PATH } from '../engine/harness.cjs';
import { APP_ID, descendants, isAlive, ROOT, started } from './child.cjs';
import type { StartedWorkspace } from './child.cjs';

const RC_APPS = path.join(ROOT, 'node_modules', '.bin', 'rc-apps');

/** A Group Admin that answers one endpoint, `groups.log`: what the token deploy below replaces the app with. */
const ONE_ENDPOINT_APP = `import { App } from '@rocket.chat/apps-engine/definition/App';
import type { IConfigurationExtend } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint, ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';
import type { IApiResponse } from '@rocket.chat/apps-engine/definition/api';

class LogEndpoint extends ApiEndpoint {
    public path = 'groups.log';

    public async get(): Promise<IApiResponse> {
        return this.success({ deployed: 'with a token' });
    }
}

export default class GroupAdminApp extends App {
    protected async extendConfiguration(configuration: IConfigurationExtend): Promise<void> {
        await configuration.api.provideApi({ visibility: ApiVisibility.PUBLIC, security: ApiSecurity.UNSECURE, endpoints: [new LogEndpoint(this)] });
    }
}
`;

/**
 * A copy of the repository as a fresh clone has it (everything but node_modules/, .git/ and dist/), in a temporary
 * folder a test may edit: `rc-apps deploy` runs from its root exactly as a developer runs it from this repository's.
 */
function repositoryCopy(): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'group-admin-deploy-'));
    const skipped = new Set(['node_modules', '.git', 'dist', 'coverage']);
    cpSync(ROOT, dir, { recursive: true, filter: (source) => !skipped.has(path.basename(source)) && !path.basename(source).startsWith('.staging-') });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
}

/** `POST <url>` with a multipart body holding `file` as field `app` (what rc-apps and the admin UI send). */
function upload(url: string, headers: Record<string, string>, file: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
    const boundary = `----group-admin-${Date.now()}`;
    const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="app"; filename="app.zip"\r\nContent-Type: application/zip\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return new Promise((resolve, reject) => {
        const request = http.request(
            url,
            { method: 'POST', headers: { ...headers, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length) }, agent: false },
            (response) => {
                const chunks: Buffer[] = [];
                response.on('data', (chunk: Buffer) => chunks.push(chunk));
                response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
                response.on('error', reject);
            },
        );
        request.on('error', reject);
        request.end(body);
    });
}

function zipWith(change: (zip: AdmZip) => void): Buffer {
    const zip = new AdmZip(readFileSync(ZIP_PATH));
    change(zip);
    return zip.toBuffer();
}

describe('rc-apps deploy against npm start', () => {
    let ws: StartedWorkspace;
    let admin: Record<string, string>;
    let alice: Record<string, string>;
    let copy: string;

    beforeAll(async () => {
        ws = await started(['--no-chat']);
        admin = await ws.login('admin');
        alice = await ws.login('alice');
        copy = repositoryCopy();
    }, 90000);

    afterAll(async () => {
        await ws?.kill();
        if (copy) rmSync(copy, { recursive: true, force: true });
    });

    const history = (endpoint: string): Promise<number> =>
        ws.get(`/api/apps/public/${APP_ID}/${endpoint}?roomName=project-x`, alice).then((answer) => answer.status);

    test('GET /api/info answers the version rc-apps reads, without a login', async () => {
        const answer = await ws.get('/api/info');
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ version: '8.4', success: true });
    });

    test('GET /api/apps/<id> shows the running app to an admin', async () => {
        const answer = await ws.get(`/api/apps/${APP_ID}`, admin);
        expect(answer.status).toBe(200);
        expect(answer.body.app).toMatchObject({ id: APP_ID, status: expect.stringMatching(/enabled/) });
        expect((await ws.get('/api/apps/00000000-0000-4000-8000-000000000000', admin)).status).toBe(404);
    });

    test('a bad upload gets Rocket.Chat\'s error and the running app keeps answering', async () => {
        const url = `${ws.baseUrl}/api/apps/${APP_ID}`;
        const notZip = await upload(url, admin, Buffer.from('not a zip'));
        expect(notZip.status).toBe(400);
        expect(notZip.body.success).toBe(false);

        const otherId = zipWith((zip) => {
            const info = JSON.parse(zip.readAsText('app.json')) as Record<string, unknown>;
            zip.updateFile('app.json', Buffer.from(JSON.stringify({ ...info, id: '11111111-1111-4111-8111-111111111111' })));
        });
        const wrongId = await upload(url, admin, otherId);
        expect(wrongId).toMatchObject({ status: 400, body: { success: false, error: 'Can not update an App that does not currently exist.' } });

        const broken = zipWith((zip) => zip.updateFile('src/GroupAdminApp.js', Buffer.from("throw new Error('the class file fails to load');\n")));
        const failed = await upload(url, admin, broken);
        expect(failed.status).toBe(400);
        expect(failed.body.success).toBe(false);

        expect(await history('groups.history')).toBe(200);
        expect((await ws.get(`/api/apps/${APP_ID}`, admin)).body.app).toMatchObject({ status: expect.stringMatching(/enabled/) });
    }, 60000);

    test('edit src/, `rc-apps deploy --update` from the repository root: the new code answers at once, no restart', async () => {
        const file = path.join(copy, 'src', 'endpoints', 'historyEndpoint.ts');
        writeFileSync(file, readFileSync(file, 'utf8').replace("public path = 'groups.history';", "public path = 'groups.changes';"));
        const run = spawnSync(RC_APPS, ['deploy', `--url=${ws.baseUrl}`, '--username=admin', '--password=demo', '--update'], {
            cwd: copy,
            encoding: 'utf8',
            env: { ...process.env, FORCE_COLOR: '0' },
            // rc-apps compiles the app first: about 20 s of CPU, minutes on a loaded machine.
            timeout: 240000,
        });
        expect(run.status === 0 ? 0 : `exit ${String(run.status)}:\n${run.stdout}${run.stderr}`).toBe(0);
        expect(await history('groups.changes')).toBe(200);
        expect(await history('groups.history')).toBe(404);
        expect(ws.running).toBe(true);
    }, 300000);

    test('`npm run deploy -- --update` with a token (RC_USER_ID, RC_TOKEN) replaces the app; no credential is printed', async () => {
        // The token path is the one apps-cli 1.9.0 breaks (it ignores --userid): scripts/deploy.mjs hands rc-apps the
        // credentials in a .rcappsconfig instead. A password goes the same way; the test above logs in with one.
        // What this test checks is the login, so it deploys a one-file app under Group Admin's id, app.json, icon,
        // i18n/ and package.json (rc-apps compiles it in a few seconds): compiling and deploying Group Admin itself, about
        // 35 s of CPU, is the test above.
        const app = mkdtempSync(path.join(tmpdir(), 'group-admin-token-deploy-'));
        for (const entry of ['app.json', 'icon.png', 'i18n', 'package.json']) {
            cpSync(path.join(ROOT, entry), path.join(app, entry), { recursive: true });
        }
        mkdirSync(path.join(app, 'src'));
        writeFileSync(path.join(app, 'src', 'GroupAdminApp.ts'), ONE_ENDPOINT_APP);
        const before = (await history('groups.changes')) === 200 ? 'groups.changes' : 'groups.history';
        const token = admin['X-Auth-Token'];
        try {
            const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'deploy.mjs'), '--update', '--app', app], {
                cwd: ROOT,
                encoding: 'utf8',
                env: { ...process.env, FORCE_COLOR: '0', RC_URL: ws.baseUrl, RC_USER_ID: admin['X-User-Id'], RC_TOKEN: token },
                timeout: 240000,
            });
            const output = `${run.stdout}${run.stderr}`;
            expect(run.status === 0 ? 0 : `exit ${String(run.status)}:\n${output}`).toBe(0);
            expect(output).not.toContain(token);
        } finally {
            rmSync(app, { recursive: true, force: true });
        }
        const deployed = await ws.get(`/api/apps/public/${APP_ID}/groups.log`, alice);
        expect(deployed).toMatchObject({ status: 200, body: { deployed: 'with a token' } });
        expect(await history(before)).toBe(404);
        expect(ws.running).toBe(true);
    }, 300000);

    test.each([
        ['Ctrl-C', 'deploy'],
        ['the npm that started it killed', 'parent'],
    ])('`npm run deploy` stopped meanwhile (%s): rc-apps stops with it, the staging copy and the token written there are gone, the app is unchanged', async (_how, target) => {
        const stagings = (): string[] => readdirSync(ROOT).filter((name) => name.startsWith('.staging-') && existsSync(path.join(ROOT, name, '.rcappsconfig')));
        const before = new Set(stagings());
        const answering = (await history('groups.log')) === 200 ? 'groups.log' : (await history('groups.changes')) === 200 ? 'groups.changes' : 'groups.history';
        const command = [process.execPath, path.join(ROOT, 'scripts', 'deploy.mjs'), '--update', '--app', copy];
        const options = {
            cwd: ROOT,
            env: { ...process.env, FORCE_COLOR: '0', RC_URL: ws.baseUrl, RC_USER_ID: admin['X-User-Id'], RC_TOKEN: admin['X-Auth-Token'] },
            stdio: 'ignore' as const,
        };
        // The script itself for Ctrl-C; for its npm killed, through a shell as npm runs it (`; :` keeps the shell from
        // replacing itself with node), and the shell is what gets killed.
        const started = target === 'deploy' ? spawn(command[0], command.slice(1), options) : spawn('sh', ['-c', `${command.map((a) => JSON.stringify(a)).join(' ')}; :`], options);
        const ended = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
        // While rc-apps compiles (about 35 s of CPU), with the credentials in the staging copy.
        const deadline = Date.now() + 60000;
        let below = descendants(started.pid ?? 0);
        while (!(below.some((p) => /rc-apps deploy/.test(p.cmd)) && stagings().some((name) => !before.has(name))) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            below = descendants(started.pid ?? 0);
        }
        const staged = stagings().filter((name) => !before.has(name));
        expect({ staged: staged.length, cli: below.some((p) => /rc-apps deploy/.test(p.cmd)) }).toEqual({ staged: 1, cli: true });
        if (target === 'deploy') {
            started.kill('SIGINT');
            expect(await ended).toBe(130); // 128 + SIGINT, as a shell reports it
        } else {
            // npm and its shell end; the script, orphaned, notices its parent gone.
            expect(below.some((p) => /scripts\/deploy\.mjs/.test(p.cmd))).toBe(true);
            started.kill('SIGKILL');
            await ended;
        }
        const gone = Date.now() + 15000;
        while ((existsSync(path.join(ROOT, staged[0])) || below.some((p) => isAlive(p.pid))) && Date.now() < gone) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(existsSync(path.join(ROOT, staged[0]))).toBe(false);
        expect(below.filter((p) => isAlive(p.pid))).toEqual([]);
        expect(await history(answering)).toBe(200);
    }, 120000);
});

describe('the deploy routes\' rules (host/server/appsRest.cts)', () => {
    const users: Record<string, { _id: string; permissions: string[] }> = {
        admin: { _id: 'admin', permissions: ['manage-apps', 'view-statistics'] },
        alice: { _id: 'alice', permissions: [] },
    };
    const workspace = (licensed: boolean): AppsWorkspace => ({
        authenticate: (headers) => users[headers['x-user-id'] ?? ''],
        hasPermission: (userId, permission) => users[userId]?.permissions.includes(permission) ?? false,
        isEnterprise: () => licensed,
    });
    const updates: Buffer[] = [];
    const engine: AppsEngine = {
        id: APP_ID,
        update: async (zip) => {
            updates.push(zip);
            return { app: { id: APP_ID }, implemented: {}, licenseValidation: {} };
        },
        describe: async () => ({ id: APP_ID }),
    };
    const multipart = (content: string): { headers: Record<string, string>; raw: Buffer } => ({
        headers: { 'content-type': 'multipart/form-data; boundary=boundary' },
        raw: Buffer.from(`--boundary\r\nContent-Disposition: form-data; name="app"; filename="a.zip"\r\nContent-Type: application/zip\r\n\r\n${content}\r\n--boundary--\r\n`),
    });
    const post = (who: string, licensed = true) => {
        const body = multipart('zip bytes');
        return appsRoute(workspace(licensed), engine, { method: 'POST', pathname: `/api/apps/${APP_ID}`, headers: { ...body.headers, 'x-user-id': who }, raw: body.raw });
    };

    it('/api/info: the full version only with view-statistics', () => {
        expect(serverInfo(workspace(true), {}).body).toEqual({ version: '8.4', success: true });
        expect(serverInfo(workspace(true), { 'x-user-id': 'admin' }).body).toMatchObject({ version: '8.4.5', info: { version: '8.4.5' } });
    });

    it('no login: 401; no manage-apps: 403; nothing reaches the engine', async () => {
        expect((await post('nobody')).status).toBe(401);
        expect(await post('alice')).toMatchObject({ status: 403, body: { success: false } });
        expect(updates).toHaveLength(0);
    });

    it('an unlicensed workspace refuses to update an uploaded app (Cannot_Update_Exempt_App)', async () => {
        expect(await post('admin', false)).toEqual({ status: 400, body: { success: false, error: 'Cannot_Update_Exempt_App' } });
        expect(updates).toHaveLength(0);
    });

    it('a licensed one hands the uploaded file to the engine', async () => {
        expect(await post('admin')).toMatchObject({ status: 200, body: { success: true, app: { id: APP_ID } } });
        expect(updates.map((zip) => zip.toString())).toEqual(['zip bytes']);
    });

    it('a body that is not multipart, or without the app field, is a 400', async () => {
        const json = await appsRoute(workspace(true), engine, { method: 'POST', pathname: `/api/apps/${APP_ID}`, headers: { 'x-user-id': 'admin', 'content-type': 'application/json' }, raw: Buffer.from('{}') });
        expect(json.status).toBe(400);
        const other = Buffer.from('--boundary\r\nContent-Disposition: form-data; name="permissions"\r\n\r\n[]\r\n--boundary--\r\n');
        const noApp = await appsRoute(workspace(true), engine, { method: 'POST', pathname: `/api/apps/${APP_ID}`, headers: { 'x-user-id': 'admin', 'content-type': 'multipart/form-data; boundary=boundary' }, raw: other });
        expect(noApp).toMatchObject({ status: 400, body: { error: 'Failed to get a file to install for the App. ' } });
    });
    describe('/api/apps/<id>/settings (what Administration → Apps → Settings uses)', () => {
        const saved: ISetting[] = [];
        const stored: Record<string, ISetting> = {
            alert_room: { id: 'alert_room', type: SettingType.STRING, packageValue: '', value: '', required: false, public: false, i18nLabel: 'a' },
            secret: { id: 'secret', type: SettingType.STRING, packageValue: '', required: false, public: false, hidden: true, i18nLabel: 's' },
        };
        const withSettings: AppsEngine = { ...engine, settings: () => stored, updateSetting: async (setting) => void saved.push(setting) };
        const call = (who: string, method: string, pathname: string, body?: unknown) =>
            appsRoute(workspace(true), withSettings, {
                method,
                pathname,
                headers: { 'x-user-id': who, 'content-type': 'application/json' },
                raw: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
            });
        const base = `/api/apps/${APP_ID}/settings`;

        it('manage-apps only: 401 without a login, 403 without the permission; nothing saved', async () => {
            expect((await call('nobody', 'GET', base)).status).toBe(401);
            expect((await call('alice', 'GET', base)).status).toBe(403);
            expect((await call('alice', 'POST', `${base}/alert_room`, { setting: { ...stored.alert_room, value: 'x' } })).status).toBe(403);
            expect(saved).toHaveLength(0);
        });

        it('GET: every setting but hidden ones, one setting, or 404 for an unknown one or app', async () => {
            expect((await call('admin', 'GET', base)).body).toEqual({ settings: { alert_room: stored.alert_room }, success: true });
            expect((await call('admin', 'GET', `${base}/alert_room`)).body).toEqual({ setting: stored.alert_room, success: true });
            expect(await call('admin', 'GET', `${base}/nope`)).toEqual({ status: 404, body: { success: false, error: 'No Setting found on the App by the id of: "nope"' } });
            expect((await call('admin', 'GET', '/api/apps/other-app/settings')).status).toBe(404);
        });

        it('POST: the setting saved as posted; only changed values of a list; a body without it is a 400', async () => {
            expect(await call('admin', 'POST', `${base}/alert_room`, {})).toMatchObject({ status: 400, body: { error: 'Setting to update to must be present on the posted body.' } });
            expect(await call('admin', 'POST', base, {})).toMatchObject({ status: 400, body: { error: 'The settings to update must be present.' } });
            expect(saved).toHaveLength(0);
            expect((await call('admin', 'POST', `${base}/alert_room`, { setting: { ...stored.alert_room, value: 'security' } })).body).toEqual({ success: true });
            const list = await call('admin', 'POST', base, { settings: [{ ...stored.alert_room, value: '' }, { ...stored.alert_room, value: 'ops' }] });
            expect(list.body).toEqual({ updated: [{ ...stored.alert_room, value: 'ops' }], success: true });
            expect(saved.map((s) => s.value)).toEqual(['security', 'ops']);
        });
    });
});
