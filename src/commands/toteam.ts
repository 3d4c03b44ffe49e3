import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { convertToTeam } from '../operations/convertToTeam';
import type { CommandRequest, CommandSpec } from './runCommand';

type ToTeamAction = 'convert';

async function toTeam(_action: ToTeamAction, request: CommandRequest, ctx: OperationContext, t: Translator): Promise<string> {
    const outcome = await convertToTeam(request, ctx);
    if (outcome.dryRun) {
        return t('dryrun_team', { room: outcome.label, team: outcome.plan.team ? outcome.plan.team.name : outcome.label });
    }
    return t('done_team', { room: outcome.label });
}

export const TOTEAM_SPEC: CommandSpec<ToTeamAction> = {
    name: 'toteam',
    grammar: { verbs: { convert: [], help: ['help'] }, bare: 'convert', verbFirst: false },
    usageKey: 'usage_toteam',
    descriptionKey: 'command_toteam_description',
    paramsExampleKey: 'command_toteam_params',
    run: toTeam,
};

