/**
 * What a Rocket.Chat server answers to the tools that deploy an app, for the local workspace (`npm start`):
 *
 * - `GET /api/info` — upstream `apps/meteor/app/api/server/default/info.ts`: `{ version, success }` for anyone (the
 *   version trimmed to major.minor), plus `info` for a caller with `view-statistics`. `rc-apps deploy` reads `version`
 *   to choose how to package.
 * - `/api/apps…` — upstream `apps/meteor/ee/server/apps/communication/rest.ts` (`AppsRestApi.addManagementRoutes`):
 *   `GET /api/apps` (the installed apps), `POST /api/apps` (install: multipart field `app`, optional `permissions`),
 *   `GET /api/apps/<id>` (the app or 404), `POST /api/apps/<id>` (update: the zip's own app id decides, the URL's is
 *   ignored; a workspace without a licence refuses it, `Cannot_Update_Exempt_App`). Every route needs a login; the
 *   writes and `GET /api/apps/<id>` need `manage-apps` (403 otherwise, as `permissionsRequired`).
 *
 * - `/api/apps/<id>/settings` and `/api/apps/<id>/settings/<settingId>` (`GET`, `POST`, `manage-apps`): what
 *   Administration → Apps → <app> → Settings uses; see {@link settingsRoute}.
 *
 * The local workspace runs one app, the one `npm start` installed: `POST /api/apps` with another app's package is
 * refused, with the same package it answers as upstream's `manager.add` for an app already there (400).
 */
import type { IPermission } from '@rocket.chat/apps-engine/definition/permissions/IPermission';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';

import type { RestResponse } from '../workspace/model.cjs';

/** The Rocket.Chat release the local workspace stands in for (8.4.x ships Apps-Engine 1.62.0). */
export const ROCKET_CHAT_VERSION = '8.4.5';

/** What these routes need from the workspace. */
export interface AppsWorkspace {
    /** The user `X-User-Id` + `X-Auth-Token` authenticate, if any. */
    authenticate(headers: Record<string, string>): { _id: string } | undefined;
    hasPermission(userId: string, permission: string): boolean;
    /** A licence is installed (`License.hasValidLicense()`). */
    isEnterprise(): boolean;
}

/** What these routes need from the engine host. */
export interface AppsEngine {
    readonly id: string;
    update(zip: Buffer, permissionsGranted?: IPermission[]): Promise<{ app: Record<string, unknown>; implemented: unknown; licenseValidation: unknown }>;
    describe(appId?: string): Promise<Record<string, unknown> | undefined>;
    /** The app's settings as the engine holds them (`manager.getSettingsManager().getAppSettings`). */
    settings?(): Record<string, ISetting>;
    /** `manager.getSettingsManager().updateAppSetting(appId, setting)`: the app's `onPreSettingUpdate` / `onSettingUpdated` run. */
    updateSetting?(setting: ISetting): Promise<void>;
}

const NOT_LOGGED_IN = 'You must be logged in to do this.';

function failure(status: number, error: string, extra: Record<string, unknown> = {}): RestResponse {
    return { status, body: { success: false, error, ...extra } };
}

/** `GET /api/info` (upstream `default/info.ts`). */
export function serverInfo(workspace: AppsWorkspace, headers: Record<string, string>): RestResponse {
    const user = workspace.authenticate(headers);
    if (user && workspace.hasPermission(user._id, 'view-statistics')) {
        return { status: 200, body: { info: { version: ROCKET_CHAT_VERSION }, version: ROCKET_CHAT_VERSION, success: true } };
    }
    return { status: 200, body: { version: ROCKET_CHAT_VERSION.split('.').slice(0, 2).join('.'), success: true } };
}

interface Upload {
    file?: Buffer;
    fields: Record<string, string>;
}

interface FormDataLike {
    forEach(callback: (value: unknown, key: string) => void): void;
}
type ResponseConstructor = new (body: Uint8Array, init: { headers: Record<string, string> }) => { formData(): Promise<FormDataLike> };

/**
 * The multipart body as upstream's `getUploadFormData({ field: 'app' })` gives it: the file of field `field` and the
 * other fields as text. Parsed by Node's own fetch implementation (undici's `Response.formData()`), no hand-written
 * multipart parser.
 */
export async function uploadFormData(raw: Buffer, contentType: string | undefined, field: string): Promise<Upload> {
    if (!(contentType ?? '').toLowerCase().startsWith('multipart/form-data')) {
        throw new Error('Invalid content type: the app must be sent as multipart/form-data');
    }
    const NodeResponse = (globalThis as unknown as { Response: ResponseConstructor }).Response;
    const form = await new NodeResponse(new Uint8Array(raw), { headers: { 'content-type': contentType as string } }).formData();
    const upload: Upload = { fields: {} };
    const files: Array<Promise<void>> = [];
    form.forEach((value, key) => {
        if (typeof value === 'string') {
            upload.fields[key] = value;
        } else if (key === field && value && typeof (value as Blob).arrayBuffer === 'function') {
            files.push(
                (value as Blob).arrayBuffer().then((bytes) => {
                    upload.file = Buffer.from(bytes);
                }),
            );
        }
    });
    await Promise.all(files);
    return upload;
}

/** The `permissions` form field as upstream reads it: a non-empty JSON array, else undefined (the app's declared ones). */
function grantedPermissions(fields: Record<string, string>): IPermission[] | undefined {
    try {
        const permissions = JSON.parse(fields.permissions || '') as unknown;
        return Array.isArray(permissions) && permissions.length ? (permissions as IPermission[]) : undefined;
    } catch {
        return undefined;
    }
}

/** One request to `/api/apps` or `/api/apps/<id>` (not `/api/apps/public/…`, the app's own endpoints). */
export async function appsRoute(
    workspace: AppsWorkspace,
    engine: AppsEngine | undefined,
    request: { method: string; pathname: string; headers: Record<string, string>; raw: Buffer },
): Promise<RestResponse> {
    const id = request.pathname.replace(/^\/api\/apps\/?/, '').replace(/\/$/, '');
    const settings = /^([^/]+)\/settings(?:\/([^/]+))?$/.exec(id);
    if (settings && ['GET', 'POST'].includes(request.method)) {
        return settingsRoute(workspace, engine, { ...request, appId: settings[1], settingId: settings[2] });
    }
    if (id.includes('/') || !['GET', 'POST'].includes(request.method)) {
        return failure(404, 'Not found');
    }
    const user = workspace.authenticate(request.headers);
    if (!user) {
        return { status: 401, body: { success: false, status: 'error', message: NOT_LOGGED_IN, error: NOT_LOGGED_IN } };
    }
    if (id === '' && request.method === 'GET') {
        // `GET /api/apps` (authRequired only): the installed apps.
        const app = engine ? await engine.describe() : undefined;
        return { status: 200, body: { apps: app ? [app] : [], success: true } };
    }
    if (!workspace.hasPermission(user._id, 'manage-apps')) {
        return failure(403, 'User does not have the permissions required for this action [error-unauthorized]');
    }
    if (!engine) {
        return failure(503, 'The app is still starting, try again in a moment [error-app-starting]', { errorType: 'error-app-starting' });
    }
    if (request.method === 'GET') {
        const app = await engine.describe(id);
        return app ? { status: 200, body: { app, success: true } } : failure(404, `No App found by the id of: ${id}`);
    }

    let upload: Upload;
    try {
        upload = await uploadFormData(request.raw, request.headers['content-type'], 'app');
    } catch (error) {
        return failure(400, error instanceof Error ? error.message : String(error));
    }
    if (!upload.file) {
        return failure(400, 'Failed to get a file to install for the App. ');
    }
    if (id === '') {
        // Install: the local workspace holds the one app `npm start` installed (see the file comment).
        return failure(400, `The local workspace runs one app, ${engine.id}: deploy it with --update (POST /api/apps/${engine.id})`);
    }
    // Update of an uploaded (private) app: refused on a workspace without a licence, as upstream's exempt-app rule.
    if (!workspace.isEnterprise()) {
        return failure(400, 'Cannot_Update_Exempt_App');
    }
    try {
        const result = await engine.update(upload.file, grantedPermissions(upload.fields));
        return { status: 200, body: { ...result, success: true } };
    } catch (error) {
        return failure(400, error instanceof Error ? error.message : String(error));
    }
}

/**
 * `/api/apps/<id>/settings` and `/api/apps/<id>/settings/<settingId>`, as upstream's `AppsRestApi` routes them
 * (`apps/meteor/ee/server/apps/communication/rest.ts` @ 003dfc8d, `authRequired`, `permissionsRequired: ['manage-apps']`):
 *
 * - `GET …/settings` → `{ settings }` (the app's settings by id, hidden ones left out);
 * - `POST …/settings { settings: [setting, …] }` → each posted setting whose value differs from the stored one is
 *   saved as posted (`updateAppSetting`: the whole setting object, as the admin page sends it) → `{ updated: [ … ] }`;
 *   no `settings` → 400 "The settings to update must be present.";
 * - `GET …/settings/<settingId>` → `{ setting }`, or 404 `No Setting found on the App by the id of: "<settingId>"`;
 * - `POST …/settings/<settingId> { setting }` → saved as posted (its own `id` decides) → `{ success: true }`;
 *   no `setting` → 400 "Setting to update to must be present on the posted body.".
 *
 * An unknown app id is a 404 `No App found by the id of: <id>`.
 */
async function settingsRoute(
    workspace: AppsWorkspace,
    engine: AppsEngine | undefined,
    request: { method: string; headers: Record<string, string>; raw: Buffer; appId: string; settingId?: string },
): Promise<RestResponse> {
    const user = workspace.authenticate(request.headers);
    if (!user) {
        return { status: 401, body: { success: false, status: 'error', message: NOT_LOGGED_IN, error: NOT_LOGGED_IN } };
    }
    if (!workspace.hasPermission(user._id, 'manage-apps')) {
        return failure(403, 'User does not have the permissions required for this action [error-unauthorized]');
    }
    if (!engine?.settings || !engine.updateSetting) {
        return failure(503, 'The app is still starting, try again in a moment [error-app-starting]', { errorType: 'error-app-starting' });
    }
    if (request.appId !== engine.id) {
        return failure(404, `No App found by the id of: ${request.appId}`);
    }
    const stored = engine.settings();
    const { settingId } = request;
    if (request.method === 'GET') {
        if (settingId !== undefined) {
            return stored[settingId] ? { status: 200, body: { setting: stored[settingId], success: true } } : failure(404, `No Setting found on the App by the id of: "${settingId}"`);
        }
        const visible = Object.fromEntries(Object.entries(stored).filter(([, setting]) => !setting.hidden));
        return { status: 200, body: { settings: visible, success: true } };
    }
    let body: { settings?: unknown; setting?: unknown };
    try {
        body = (request.raw.length ? JSON.parse(request.raw.toString('utf8')) : {}) as typeof body;
    } catch {
        return failure(400, 'The request body is not JSON');
    }
    try {
        if (settingId !== undefined) {
            if (!body?.setting) {
                return failure(400, 'Setting to update to must be present on the posted body.');
            }
            await engine.updateSetting(body.setting as ISetting);
            return { status: 200, body: { success: true } };
        }
        if (!body?.settings) {
            return failure(400, 'The settings to update must be present.');
        }
        const updated: ISetting[] = [];
        for (const setting of body.settings as ISetting[]) {
            if (stored[setting.id] && stored[setting.id].value !== setting.value) {
                await engine.updateSetting(setting);
                updated.push(setting);
            }
        }
        return { status: 200, body: { updated, success: true } };
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message.includes('No setting found')) {
            return failure(404, `No Setting found on the App by the id of: "${settingId ?? ''}"`);
        }
        return failure(400, message);
    }
}
