import type { IHttp, ILogger, IRead, ISettingRead } from '@rocket.chat/apps-engine/definition/accessors';
import { SERVICE_ACCOUNT_PERMISSIONS, isRestrictedForRoles } from '../access/defaults';
import { loadPermissionTable } from '../access/permissionTable';
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

interface Account {
    readonly username: string;
    readonly name?: string;
    readonly roles: ReadonlyArray<string>;
}

function accountOf(data: unknown): Account | undefined {
    const { _id, username, name, roles } = (data && typeof data === 'object' ? data : {}) as { _id?: unknown; username?: unknown; name?: unknown; roles?: unknown };
    if (typeof _id !== 'string' || !_id) {
        return undefined;
    }
    return {
        username: typeof username === 'string' ? username : _id,
        name: typeof name === 'string' && name.trim() ? name : undefined,
        roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [],
    };
}

/**
 * What the account lacks for the chat doors (least privilege, interface.md §5): each permission of
 * `SERVICE_ACCOUNT_PERMISSIONS` its global roles do not hold in the workspace's table (a `guest` holds none of them),
 * and a display `name` (Rocket.Chat refuses encryption changes by an account without one).
 */
async function checkPrivileges(account: Account, gateway: WorkspaceGateway, logger: ILogger): Promise<void> {
    const table = await loadPermissionTable(gateway);
    const missing = SERVICE_ACCOUNT_PERMISSIONS.filter(({ id }) => {
        if (isRestrictedForRoles(account.roles, id)) {
            return true;
        }
        const granted = table.get(id) || [];
        return !account.roles.some((role) => granted.indexOf(role) >= 0);
    });
    if (missing.length) {
        logger.warn(
            `Group Admin: the service account @${account.username} lacks ${missing.length === 1 ? 'a permission' : 'permissions'} the chat doors need: ` +
                `${missing.map(({ id, why }) => `${id} (${why})`).join('; ')}. Give its role ${missing.length === 1 ? 'this permission' : 'these permissions'} ` +
                `(see docs/settings.md: the role to create); until then Rocket.Chat refuses those changes.`,
        );
    }
    if (!account.name) {
        logger.warn(
            `Group Admin: the service account @${account.username} has no display name: Rocket.Chat refuses encryption changes (/encrypt) ` +
                'by an account without one. Give it a name in Administration > Users.',
        );
    }
}

/**
 * The setup check (on enable and whenever a service account setting changes): asks Rocket.Chat who the service
 * account is (`GET /api/v1/me`) and logs an info line when it answers, or a warning that says what is wrong and
 * which settings to fix; then reads the permission table and warns about each permission the account lacks and a
 * missing display name. Never throws, never logs the token.
 */
export async function checkServiceAccount(read: IRead, http: IHttp, logger: ILogger): Promise<void> {
    const environment = read.getEnvironmentReader();
    const settings = environment.getSettings();
    const settingsToCheck = listed([named(SETTING_IDS.serviceUserId), named(SETTING_IDS.serviceUserToken)]);
    try {
        const gateway = new WorkspaceGateway(http, settings, new ServerSettings(environment.getServerSettings()));
        const { baseUrl } = await gateway.getConfig();
        const answer = await gateway.read('/api/v1/me');
        const account = answer.status === 200 ? accountOf(answer.data) : undefined;
        if (account) {
            logger.info(`Group Admin is set up: Rocket.Chat at ${baseUrl} accepts the service account @${account.username}.`);
            await checkPrivileges(account, gateway, logger);
        } else {
            logger.warn(`Group Admin: Rocket.Chat at ${baseUrl} answered ${answer.status} when asked for the service account; check ${settingsToCheck}.`);
        }
    } catch (error) {
        if (!(error instanceof AppError)) {
            logFailure(logger, 'warn', 'Group Admin could not check its service account', error);
        } else if (error.code === 'app-not-configured') {
            const missing = await missingSettings(settings);
            logger.warn(`Group Admin is not set up: an administrator must fill in ${listed(missing)} in the app's settings. Until then every command and endpoint answers that the app is not configured.`);
        } else if (error.code === 'permissions-unavailable') {
            logger.warn(`Group Admin could not read the workspace's permission table (GET /api/v1/permissions.listAll) to check the service account's permissions; until it can, every change through chat is refused.`);
        } else if (error.code === 'service-account-rejected') {
            logger.warn(`Group Admin: Rocket.Chat rejected the service account's credentials; check ${settingsToCheck}.`);
        } else {
            logger.warn(`Group Admin could not reach Rocket.Chat to check the service account (it may still be starting); check ${named(SETTING_IDS.serverUrl)} or the server's Site_Url.`);
        }
    }
}
