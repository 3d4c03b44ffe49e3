import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { App } from '@rocket.chat/apps-engine/definition/App';
import type { ISlashCommand, SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { runCommand } from './runCommand';
import type { CommandSpec } from './runCommand';
import { watchTick } from '../history/policy';

/** A slash command of the app, described by its spec (`/encrypt`, `/settype`, `/toteam`). No `permission`: checks run inside. */
export class SlashCommand<A extends string> implements ISlashCommand {
    public readonly command: string;

    public readonly i18nDescription: string;

    public readonly i18nParamsExample: string;

    public readonly providesPreview = false;

    constructor(
        private readonly app: App,
        private readonly spec: CommandSpec<A>,
    ) {
        this.command = spec.name;
        this.i18nDescription = spec.descriptionKey;
        this.i18nParamsExample = spec.paramsExampleKey;
    }

    public async executor(context: SlashCommandContext, read: IRead, modify: IModify, http: IHttp, persistence: IPersistence): Promise<void> {
        const logger = this.app.getLogger();
        await runCommand(this.spec, { context, read, modify, http, persistence, logger, appId: this.app.getID() });
        // The policy watch's tick (a gap after an enable, E2E_Enable turned off), at most once a minute.
        await watchTick({ read, http, modify, logger }, persistence);
    }
}
