import type { IAppAccessors, IConfigurationExtend, IConfigurationModify, IEnvironmentRead, IHttp, ILogger, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import { SettingType } from '@rocket.chat/apps-engine/definition/settings';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import { ENCRYPT_SPEC } from './commands/encrypt';
import { SETTYPE_SPEC } from './commands/settype';
import { SlashCommand } from './commands/SlashCommand';
import { TOTEAM_SPEC } from './commands/toteam';
import { ConvertToTeamEndpoint, SetEncryptedEndpoint, SetTypeEndpoint } from './endpoints/groupEndpoints';
import { SETTING_IDS, forgetAppSettings, rememberAppSetting } from './workspace/appSettings';

/** Group Admin: wiring only (settings, slash commands, API); the work is in `operations/`. */
export default class GroupAdminApp extends App {
    constructor(info: IAppInfo, logger: ILogger, accessors?: IAppAccessors) {
        super(info, logger, accessors);
    }

    public async onEnable(_environment: IEnvironmentRead, _configurationModify: IConfigurationModify): Promise<boolean> {
        forgetAppSettings();
        return true;
    }

    public async onDisable(_configurationModify: IConfigurationModify): Promise<void> {
        forgetAppSettings();
    }

    public async onSettingUpdated(setting: ISetting, _configurationModify: IConfigurationModify, _read: IRead, _http: IHttp): Promise<void> {
        rememberAppSetting(setting);
    }

    protected async extendConfiguration(configuration: IConfigurationExtend, _environmentRead: IEnvironmentRead): Promise<void> {
        const settings: Array<ISetting> = [
            { id: SETTING_IDS.serviceUserId, type: SettingType.STRING, packageValue: '' },
            { id: SETTING_IDS.serviceUserToken, type: SettingType.PASSWORD, packageValue: '' },
            { id: SETTING_IDS.serverUrl, type: SettingType.STRING, packageValue: '' },
            { id: SETTING_IDS.confirmChanges, type: SettingType.BOOLEAN, packageValue: true },
        ].map((setting) => ({
            ...setting,
            required: false,
            public: false,
            i18nLabel: `setting_${setting.id}_label`,
            i18nDescription: `setting_${setting.id}_description`,
        }));
        for (const setting of settings) {
            await configuration.settings.provideSetting(setting);
        }
        for (const spec of [ENCRYPT_SPEC, SETTYPE_SPEC, TOTEAM_SPEC]) {
            await configuration.slashCommands.provideSlashCommand(new SlashCommand<string>(this, spec));
        }
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: [new SetEncryptedEndpoint(this), new SetTypeEndpoint(this), new ConvertToTeamEndpoint(this)],
        });
    }
}
