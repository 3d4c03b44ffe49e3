import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { WorkspaceGateway } from '../workspace/gateway';
import type { AccessService } from './AccessService';
import type { Permission } from './defaults';

export interface TeamInfo {
    readonly id: string;
    /** The team's main room. */
    readonly mainRoomId?: string;
    /** 0 = public, 1 = private. */
    readonly type?: number;
}

/** Teams by id, read with `GET /api/v1/teams.info?teamId=` as the service account, once per operation. */
export class TeamDirectory {
    private readonly teams = new Map<string, Promise<TeamInfo | undefined>>();

    constructor(private readonly gateway: WorkspaceGateway) {}

    /** The team, or undefined when Rocket.Chat does not find it (any 4xx). */
    public get(teamId: string): Promise<TeamInfo | undefined> {
        let team = this.teams.get(teamId);
        if (!team) {
            team = this.read(teamId);
            this.teams.set(teamId, team);
        }
        return team;
    }

    private async read(teamId: string): Promise<TeamInfo | undefined> {
        const answer = await this.gateway.read('/api/v1/teams.info', { teamId });
        const info = answer.status === 200 && answer.data && typeof answer.data === 'object' ? (answer.data as { teamInfo?: unknown }).teamInfo : undefined;
        if (!info || typeof info !== 'object') {
            return undefined;
        }
        const { roomId, type } = info as { roomId?: unknown; type?: unknown };
        return {
            id: teamId,
            mainRoomId: typeof roomId === 'string' && roomId ? roomId : undefined,
            type: typeof type === 'number' ? type : undefined,
        };
    }
}

/**
 * Rule §2.3 as newest Rocket.Chat has it (`saveRoomSettings`' `roomType` validator, upstream audit F7): a room inside
 * a team (not its main room) needs only the team permission — `create-team-channel` to become public,
 * `create-team-group` to become private — evaluated with the roles of the team's main room; the global `create-c` /
 * `create-p` do not apply there. A team that cannot be found leaves global roles only (`team?.roomId` undefined).
 */
export async function teamRuleAllows(
    access: AccessService,
    teams: TeamDirectory,
    user: IUser,
    teamId: string,
    permission: Extract<Permission, 'create-team-channel' | 'create-team-group'>,
): Promise<boolean> {
    const team = await teams.get(teamId);
    return access.hasPermission(user, permission, team ? team.mainRoomId : undefined);
}
