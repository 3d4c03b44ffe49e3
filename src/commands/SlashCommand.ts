import type { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { App } from '@rocket.chat/apps-engine/definition/App';
import type { ISlashCommand, SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { runCommand } from './runCommand';
import type { CommandSpec } from './runCommand';

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
        await runCommand(this.spec, { context, read, modify, http, persistence, logger: this.app.getLogger(), appId: this.app.getID() });
    }
}
