import type { IHttp, ILogger, IRead, ISettingRead } from '@rocket.chat/apps-engine/definition/accessors';
import { AppError } from '../errors/AppError';
import { logFailure } from '../errors/log';
import { translator } from '../i18n/translate';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import type { AppSettingId } from '../workspace/appSettings';
import { WorkspaceGateway } from '../workspace/gateway';
import { ServerSettings } from '../workspace/serverSettings';

/** The settings that make up the service account; a change of any of them is checked again. */
export const SERVICE_SETTING_IDS: ReadonlyArray<string> = [SETTING_IDS.serviceUserId, SETTING_IDS.serviceUserToken, SETTING_IDS.serverUrl];

/** The server log is in English, as Rocket.Chat's: settings are named by id and their English label (i18n/en.json). */
const english = translator('en');

const named = (id: AppSettingId): string => `${id} ("${english(`setting_${id}_label` as const)}")`;

const listed = (items: ReadonlyArray<string>): string => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join(''));

async function isEmpty(settings: ISettingRead, id: AppSettingId): Promise<boolean> {
    try {
        const value = await getAppSetting(settings, id);
        return typeof value !== 'string' || value.trim() === '';
    } catch {
        return true;
    }
}

/** Which settings an administrator still has to fill in (the URL only when the server has no `Site_Url` either). */
async function missingSettings(settings: ISettingRead): Promise<string[]> {
    const missing: string[] = [];
    for (const id of [SETTING_IDS.serviceUserId, SETTING_IDS.serviceUserToken]) {
        if (await isEmpty(settings, id)) {
            missing.push(named(id));
        }
    }
    return missing.length ? missing : [`${named(SETTING_IDS.serverUrl)} (the server has no Site_Url)`];
}

function usernameOf(data: unknown): string | undefined {
    const { _id, username } = (data && typeof data === 'object' ? data : {}) as { _id?: unknown; username?: unknown };
    return typeof _id === 'string' && _id ? (typeof username === 'string' ? username : _id) : undefined;
}

/**
 * The setup check (on enable and whenever a service account setting changes): asks Rocket.Chat who the service
 * account is (`GET /api/v1/me`) and logs an info line when it answers, or a warning that says what is wrong and
 * which settings to fix. Never throws, never logs the token.
 */
export async function checkServiceAccount(read: IRead, http: IHttp, logger: ILogger): Promise<void> {
    const environment = read.getEnvironmentReader();
    const settings = environment.getSettings();
    const settingsToCheck = listed([named(SETTING_IDS.serviceUserId), named(SETTING_IDS.serviceUserToken)]);
    try {
        const gateway = new WorkspaceGateway(http, settings, new ServerSettings(environment.getServerSettings()));
        const { baseUrl } = await gateway.getConfig();
        const answer = await gateway.read('/api/v1/me');
        const username = answer.status === 200 ? usernameOf(answer.data) : undefined;
        if (username) {
            logger.info(`Group Admin is set up: Rocket.Chat at ${baseUrl} accepts the service account @${username}.`);
        } else {
            logger.warn(`Group Admin: Rocket.Chat at ${baseUrl} answered ${answer.status} when asked for the service account; check ${settingsToCheck}.`);
        }
    } catch (error) {
        if (!(error instanceof AppError)) {
            logFailure(logger, 'warn', 'Group Admin could not check its service account', error);
        } else if (error.code === 'app-not-configured') {
            const missing = await missingSettings(settings);
            logger.warn(`Group Admin is not set up: an administrator must fill in ${listed(missing)} in the app's settings. Until then every command and endpoint answers that the app is not configured.`);
        } else if (error.code === 'service-account-rejected') {
            logger.warn(`Group Admin: Rocket.Chat rejected the service account's credentials; check ${settingsToCheck}.`);
        } else {
            logger.warn(`Group Admin could not reach Rocket.Chat to check the service account (it may still be starting); check ${named(SETTING_IDS.serverUrl)} or the server's Site_Url.`);
        }
    }
}
