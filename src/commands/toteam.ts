import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { requestChange } from '../ui/requestChange';
import type { ChangeEnv } from '../ui/requestChange';
import { historyReply } from './history';
import { orPublicChannel } from './publicChannel';
import type { CommandRequest, CommandSpec } from './runCommand';
import { undoReply } from './undo';

type ToTeamAction = 'convert' | 'history' | 'undo';

function toTeam(action: ToTeamAction, request: CommandRequest, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    if (action === 'history') {
        return historyReply(request, ctx, t, env);
    }
    if (action === 'undo') {
        return undoReply('convertToTeam', request, ctx, t, env);
    }
    return orPublicChannel(() => requestChange('team', request, ctx, t, env), 'public_channel_team', request, ctx, t, env);
}

export const TOTEAM_SPEC: CommandSpec<ToTeamAction> = {
    name: 'toteam',
    grammar: { verbs: { convert: [], history: ['history'], undo: ['undo'], help: ['help'] }, bare: 'convert', verbFirst: false },
    usageKey: 'usage_toteam',
    descriptionKey: 'command_toteam_description',
    paramsExampleKey: 'command_toteam_params',
    run: toTeam,
};
