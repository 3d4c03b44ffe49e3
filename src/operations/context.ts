import type { IHttp, ILogger, IRead, IRoomRead } from '@rocket.chat/apps-engine/definition/accessors';
import { AccessService } from '../access/AccessService';
import { AnswerTimes } from '../access/answerTimes';
import { TeamDirectory } from '../access/teams';
import { WorkspaceGateway } from '../workspace/gateway';
import { ServerSettings } from '../workspace/serverSettings';

/** Everything an operation core reads and writes through; one per operation (its reads are memoized). */
export interface OperationContext {
    readonly rooms: IRoomRead;
    readonly serverSettings: ServerSettings;
    readonly workspace: WorkspaceGateway;
    readonly access: AccessService;
    readonly teams: TeamDirectory;
}

/** `logger` gets the warnings of the operation's reads (the permission table unreadable). */
export function createOperationContext(read: IRead, http: IHttp, logger: ILogger): OperationContext {
    const environment = read.getEnvironmentReader();
    const serverSettings = new ServerSettings(environment.getServerSettings());
    // The gateway's answers carry no headers: the times Rocket.Chat answered (`Date`) are noted on the way.
    const answers = new AnswerTimes();
    const workspace = answers.attach(new WorkspaceGateway(answers.wrap(http), environment.getSettings(), serverSettings));
    const rooms = read.getRoomReader();
    const teams = new TeamDirectory(workspace);
    return {
        rooms,
        serverSettings,
        workspace,
        access: new AccessService(rooms, read.getUserReader(), workspace, serverSettings, teams, logger),
        teams,
    };
}
