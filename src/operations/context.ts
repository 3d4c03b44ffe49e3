import type { IHttp, ILogger, IRead, IRoomRead } from '@rocket.chat/apps-engine/definition/accessors';
import { AccessService } from '../access/AccessService';
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
    const workspace = new WorkspaceGateway(http, environment.getSettings(), serverSettings);
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
