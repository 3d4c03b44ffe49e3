import { convertToTeam } from '../operations/convertToTeam';
import type { OperationContext } from '../operations/context';
import { setEncrypted } from '../operations/setEncrypted';
import { setType } from '../operations/setType';
import type { GroupResult, OperationInput, Outcome, TeamResult } from '../operations/types';
import { GroupAdminEndpoint } from './GroupAdminEndpoint';
import type { RequestBody } from './GroupAdminEndpoint';

/** Endpoints answering `{ group, success }`. */
abstract class GroupEndpoint extends GroupAdminEndpoint<GroupResult> {
    protected async present(result: GroupResult): Promise<Record<string, unknown>> {
        return { group: await result.readGroup() };
    }
}

/** `POST groups.setEncrypted { roomId | roomName, encrypted, dryRun? }`. */
export class SetEncryptedEndpoint extends GroupEndpoint {
    public path = 'groups.setEncrypted';

    protected run(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<GroupResult>> {
        return setEncrypted({ ...input, encrypted: body.encrypted }, ctx);
    }
}

/** `POST groups.setType { roomId | roomName, type, dryRun? }`. */
export class SetTypeEndpoint extends GroupEndpoint {
    public path = 'groups.setType';

    protected run(body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<GroupResult>> {
        return setType({ ...input, type: body.type }, ctx);
    }
}

/** `POST groups.convertToTeam { roomId | roomName, dryRun? }`. */
export class ConvertToTeamEndpoint extends GroupAdminEndpoint<TeamResult> {
    public path = 'groups.convertToTeam';

    protected run(_body: RequestBody, input: OperationInput, ctx: OperationContext): Promise<Outcome<TeamResult>> {
        return convertToTeam(input, ctx);
    }

    protected async present(result: TeamResult): Promise<Record<string, unknown>> {
        return { team: result.team };
    }
}
