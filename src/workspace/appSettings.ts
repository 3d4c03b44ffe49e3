import type { ISettingRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { mapJson } from './json';
import { forgetServerSettings } from './serverSettings';

/** Ids of the app's settings (interface.md §4). */
export const SETTING_IDS = {
    serviceUserId: 'service_user_id',
    serviceUserToken: 'service_user_token',
    serverUrl: 'server_url',
    confirmChanges: 'confirm_changes',
    /** Read at every change before 0.3.0; kept in module memory like the others (a setting read per change is not needed). */
    historyLimit: 'history_limit',
    announceChanges: 'announce_changes',
    alertRoom: 'alert_room',
} as const;

export type AppSettingId = (typeof SETTING_IDS)[keyof typeof SETTING_IDS];

/**
 * The app's own setting values, kept in module memory: each is read once through the settings accessor
 * (a host round trip) and then kept current by `onSettingUpdated` (see GroupAdminApp).
 */
const known = new Map<string, unknown>();

export async function getAppSetting(reader: ISettingRead, id: AppSettingId): Promise<unknown> {
    if (known.has(id)) {
        return known.get(id);
    }
    const value: unknown = await reader.getValueById(id);
    known.set(id, value);
    return value;
}

/** The settings that may point the app at another workspace (or another service account there). */
const WORKSPACE_SETTING_IDS: ReadonlyArray<string> = [SETTING_IDS.serviceUserId, SETTING_IDS.serviceUserToken, SETTING_IDS.serverUrl];

/**
 * Called when Rocket.Chat reports a changed setting. Answers whether the app may now talk to another workspace: the
 * wiring then has the access layer forget what it keeps of the old one (permission table, change counts).
 */
export function rememberAppSetting(setting: Pick<ISetting, 'id' | 'value' | 'packageValue'>): boolean {
    const value: unknown = setting.value === undefined || setting.value === null ? setting.packageValue : setting.value;
    known.set(setting.id, value);
    // A new server_url (or service account) may point elsewhere: read Site_Url and Language again.
    forgetServerSettings();
    return WORKSPACE_SETTING_IDS.indexOf(setting.id) >= 0;
}

/** Forget every remembered value (app enabled or disabled; tests). */
export function forgetAppSettings(): void {
    known.clear();
    forgetServerSettings();
}

const REDACTED = '[redacted]';

function currentToken(): string {
    const token = known.get(SETTING_IDS.serviceUserToken);
    return typeof token === 'string' ? token.trim() : '';
}

/** Replaces every occurrence of the service account's token in a text meant for a log line. */
export function redactSecrets(text: string): string {
    const token = currentToken();
    return token ? text.split(token).join(REDACTED) : text;
}

/** A copy of a JSON value with the token replaced in every string (keys included); the rest unchanged. */
export function redactValue(value: unknown): unknown {
    return mapJson(value, (leaf) => (typeof leaf === 'string' ? redactSecrets(leaf) : leaf), redactSecrets);
}
