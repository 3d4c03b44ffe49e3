import type {
    IAppAccessors,
    IConfigurationExtend,
    IConfigurationModify,
    IEnvironmentRead,
    IHttp,
    ILogger,
    IModify,
    IPersistence,
    IRead,
} from '@rocket.chat/apps-engine/definition/accessors';
import { ApiSecurity, ApiVisibility } from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';
import type { IMessage, IPostSystemMessageSent } from '@rocket.chat/apps-engine/definition/messages';
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import { SettingType } from '@rocket.chat/apps-engine/definition/settings';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { ISettingUpdateContext } from '@rocket.chat/apps-engine/definition/settings/ISettingUpdateContext';
import type {
    IUIKitInteractionHandler,
    IUIKitResponse,
    UIKitActionButtonInteractionContext,
    UIKitViewCloseInteractionContext,
    UIKitViewSubmitInteractionContext,
} from '@rocket.chat/apps-engine/definition/uikit';
import { forgetAccessMemory } from './access/forget';
import { ENCRYPT_SPEC } from './commands/encrypt';
import { SETTYPE_SPEC } from './commands/settype';
import { SlashCommand } from './commands/SlashCommand';
import { TOTEAM_SPEC } from './commands/toteam';
import { BulkCancelEndpoint, BulkEndpointMain, BulkUndoEndpoint } from './endpoints/bulkEndpoints';
import { ConvertToTeamEndpoint, SetEncryptedEndpoint, SetTypeEndpoint } from './endpoints/groupEndpoints';
import { AuditEndpoint } from './endpoints/auditEndpoint';
import { HistoryEndpoint } from './endpoints/historyEndpoint';
import { UndoEndpoint } from './endpoints/undoEndpoint';
import { onSystemMessage } from './events/systemMessage';
import { EncryptionReportEndpoint } from './endpoints/reportEndpoint';
import { ANNOUNCE_CHANGES } from './history/announce';
import { bulkProcessors, reportProcessor } from './jobs/processors';
import { RUN_PROCESSOR } from './jobs/runner';
import { isWatchedType } from './history/observe';
import { ALERT_ROOM_SETTING, markEnabled, watchChange, watchTick } from './history/policy';
import { REPORT_SCHEDULES, REPORT_SCHEDULE_SETTING, applyReportSchedule, notASchedule, parseReportSchedule } from './history/reportSchedule';
import { HISTORY_LIMIT, HISTORY_LIMIT_MAX, HISTORY_LIMIT_SETTING, parseHistoryLimit } from './history/store';
import { SERVICE_SETTING_IDS, checkServiceAccount } from './setup/serviceAccount';
import { ROOM_BUTTONS } from './ui/buttons';
import { onConfirm, onRoomButton } from './ui/interactions';
import type { InteractionCall } from './ui/interactions';
import { SETTING_IDS, forgetAppSettings, rememberAppSetting } from './workspace/appSettings';

/**
 * What `onPreSettingUpdate` answers: nothing. The engine then saves the setting as the administrator entered it
 * (`decorated || setting`) — and the engine logs this answer, so echoing the setting would put the service
 * account's token into the app's log.
 */
const KEEP_SETTING_AS_ENTERED = null as unknown as ISetting;

/** Group Admin: wiring only (settings, slash commands, API, room buttons, modals); the work is in `operations/`. */
export default class GroupAdminApp extends App implements IUIKitInteractionHandler, IPostSystemMessageSent {
    constructor(info: IAppInfo, logger: ILogger, accessors?: IAppAccessors) {
        super(info, logger, accessors);
    }

    public async onEnable(environment: IEnvironmentRead, configurationModify: IConfigurationModify): Promise<boolean> {
        forgetAppSettings();
        forgetAccessMemory();
        // The first door call with persistence records the gap since the app was last known to listen (§9).
        markEnabled();
        const { reader, http } = this.getAccessors();
        await checkServiceAccount(reader, http, this.getLogger());
        try {
            // A one-time run that fired while the app was disabled is lost (upstream-governance-notes.md §1): go on now.
            await configurationModify.scheduler.scheduleOnce({ id: RUN_PROCESSOR, when: new Date() });
        } catch (error) {
            this.getLogger().warn(`bulk jobs: no run could be scheduled on enable (the recurring tick will go on): ${error instanceof Error ? error.message : String(error)}`);
        }
        // After install, update and every server start: the report's job as the setting says (an upsert, never a run now).
        const schedule: unknown = await environment.getSettings().getValueById(REPORT_SCHEDULE_SETTING).catch(() => undefined);
        await applyReportSchedule(configurationModify.scheduler, schedule, this.getLogger());
        return true;
    }

    public async onDisable(_configurationModify: IConfigurationModify): Promise<void> {
        forgetAppSettings();
        forgetAccessMemory();
    }

    public async onPreSettingUpdate(context: ISettingUpdateContext, _configurationModify: IConfigurationModify, read: IRead, _http: IHttp): Promise<ISetting> {
        const { oldSetting, newSetting } = context;
        if (newSetting.id === ALERT_ROOM_SETTING && typeof newSetting.value === 'string' && newSetting.value.trim()) {
            // Kept by id, so that a rename does not lose it: a name entered is resolved now.
            const entered = newSetting.value.trim();
            const rooms = read.getRoomReader();
            const room = (await rooms.getById(entered)) || (await rooms.getByName(entered.replace(/^#/, '')));
            if (room && room.id !== entered) {
                return { ...newSetting, value: room.id };
            }
            if (!room) {
                this.getLogger().warn(`alert_room: no room "${entered}": kept as entered; no alert is posted until it names a private group`);
            }
            return KEEP_SETTING_AS_ENTERED;
        }
        if (newSetting.id === HISTORY_LIMIT_SETTING && parseHistoryLimit(newSetting.value) === undefined) {
            // Not a limit: the setting keeps its last valid value (the engine saves what this answers).
            this.getLogger().warn(`history_limit: ${JSON.stringify(newSetting.value)} is not a whole number from 1 to ${HISTORY_LIMIT_MAX}; the last valid value (${JSON.stringify(oldSetting.value ?? oldSetting.packageValue)}) is kept`);
            return oldSetting;
        }
        if (newSetting.id === REPORT_SCHEDULE_SETTING && parseReportSchedule(newSetting.value) === undefined) {
            this.getLogger().warn(`${notASchedule(newSetting.value)}; the last valid value (${JSON.stringify(oldSetting.value ?? oldSetting.packageValue)}) is kept`);
            return oldSetting;
        }
        return KEEP_SETTING_AS_ENTERED;
    }

    public async onSettingUpdated(setting: ISetting, configurationModify: IConfigurationModify, read: IRead, http: IHttp): Promise<void> {
        if (rememberAppSetting(setting)) {
            // Possibly another workspace: its permission table is read in full again, its users' changes counted afresh.
            forgetAccessMemory();
        }
        if (SERVICE_SETTING_IDS.indexOf(setting.id) >= 0) {
            await checkServiceAccount(read, http, this.getLogger());
        }
        if (setting.id === REPORT_SCHEDULE_SETTING) {
            await applyReportSchedule(configurationModify.scheduler, setting.value, this.getLogger());
        }
    }

    /**
     * Every system message of the workspace (Rocket.Chat fires this without waiting for it): the changes the app keeps on
     * record are recorded once (interface.md §9); any other message costs one type check.
     */
    public async executePostSystemMessageSent(message: IMessage, read: IRead, http: IHttp, persistence: IPersistence, modify: IModify): Promise<void> {
        if (!isWatchedType(message.type)) {
            return;
        }
        const env = { read, http, modify, logger: this.getLogger() };
        const observed = await onSystemMessage(message, read, persistence, env.logger);
        if (observed && message.room) {
            await watchChange(env, observed.record, message.room);
        }
        await watchTick(env, persistence);
    }

    /** A click on one of the app's room buttons. */
    public async executeActionButtonHandler(context: UIKitActionButtonInteractionContext, read: IRead, http: IHttp, persistence: IPersistence, modify: IModify): Promise<IUIKitResponse> {
        await onRoomButton(context.getInteractionData(), this.interactionCall(read, modify, http, persistence));
        return context.getInteractionResponder().successResponse();
    }

    /** Confirm in a confirmation modal. */
    public async executeViewSubmitHandler(context: UIKitViewSubmitInteractionContext, read: IRead, http: IHttp, persistence: IPersistence, modify: IModify): Promise<IUIKitResponse> {
        await onConfirm(context.getInteractionData(), this.interactionCall(read, modify, http, persistence));
        return context.getInteractionResponder().successResponse();
    }

    /** Cancel (or closing the modal): nothing was kept, so nothing to undo. */
    public async executeViewClosedHandler(context: UIKitViewCloseInteractionContext): Promise<IUIKitResponse> {
        return context.getInteractionResponder().successResponse();
    }

    protected async extendConfiguration(configuration: IConfigurationExtend, _environmentRead: IEnvironmentRead): Promise<void> {
        const settings: Array<ISetting> = [
            { id: SETTING_IDS.serviceUserId, type: SettingType.STRING, packageValue: '' },
            { id: SETTING_IDS.serviceUserToken, type: SettingType.PASSWORD, packageValue: '' },
            { id: SETTING_IDS.serverUrl, type: SettingType.STRING, packageValue: '' },
            { id: SETTING_IDS.confirmChanges, type: SettingType.BOOLEAN, packageValue: true },
            { id: ANNOUNCE_CHANGES, type: SettingType.BOOLEAN, packageValue: true },
            { id: HISTORY_LIMIT_SETTING, type: SettingType.NUMBER, packageValue: HISTORY_LIMIT },
            { id: ALERT_ROOM_SETTING, type: SettingType.STRING, packageValue: '' },
            {
                id: REPORT_SCHEDULE_SETTING,
                type: SettingType.SELECT,
                packageValue: 'off',
                values: REPORT_SCHEDULES.map((key) => ({ key, i18nLabel: `setting_report_schedule_${key}` })),
            },
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
            try {
                await configuration.slashCommands.provideSlashCommand(new SlashCommand<string>(this, spec));
            } catch (error) {
                // Disabling an app keeps its slash commands registered (Apps-Engine `AppManager.disable`,
                // `keepSlashcommands`), so enabling it again finds them there: carry on, or the endpoints and buttons
                // below would never be provided.
                if (!(error instanceof Error) || error.message.indexOf('already exists') < 0) {
                    throw error;
                }
                this.getLogger().warn(`/${spec.name} was already registered (kept from before the app was disabled, or another app's command of that name): ${error.message}`);
            }
        }
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: [
                new SetEncryptedEndpoint(this),
                new SetTypeEndpoint(this),
                new ConvertToTeamEndpoint(this),
                new HistoryEndpoint(this),
                new BulkEndpointMain(this),
                new BulkCancelEndpoint(this),
                new BulkUndoEndpoint(this),
                new EncryptionReportEndpoint(this),
                new AuditEndpoint(this),
                new UndoEndpoint(this),
            ],
        });
        for (const { descriptor } of ROOM_BUTTONS) {
            // Typed `void`, but the Deno runtime's accessor answers with a promise: wait for it.
            await Promise.resolve<unknown>(configuration.ui.registerButton(descriptor));
        }
        // Last: bulk jobs and the scheduled report run through the scheduler (a host without one still gets everything above).
        await configuration.scheduler.registerProcessors([...bulkProcessors(this.getLogger()), reportProcessor(this.getLogger(), this.getID())]);
    }

    private interactionCall(read: IRead, modify: IModify, http: IHttp, persistence: IPersistence): InteractionCall {
        return { read, modify, http, persistence, logger: this.getLogger(), appId: this.getID() };
    }
}
