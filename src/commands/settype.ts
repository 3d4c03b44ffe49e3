import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { typeStatus } from '../operations/status';
import { requestChange } from '../ui/requestChange';
import type { ChangeEnv } from '../ui/requestChange';
import { historyReply } from './history';
import { orPublicChannel } from './publicChannel';
import type { CommandRequest, CommandSpec } from './runCommand';
import { statusReply } from './statusReply';
import { undoReply } from './undo';

type SetTypeAction = 'public' | 'private' | 'status' | 'history' | 'undo';

async function changeType(action: SetTypeAction, request: CommandRequest, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    if (action === 'history') {
        return historyReply(request, ctx, t, env);
    }
    if (action === 'undo') {
        return undoReply('setType', request, ctx, t, env);
    }
    if (action === 'status') {
        const status = await typeStatus(request, ctx);
        const isPublic = status.type === 'c';
        const keys = status.teamMain ? (['status_type_public_team', 'status_type_private_team'] as const) : (['status_type_public', 'status_type_private'] as const);
        const state = t(isPublic ? keys[0] : keys[1], { room: status.label });
        return statusReply(state, isPublic ? 'private' : 'public', 'setType', request, ctx, t, env);
    }
    if (action === 'public') {
        // A public channel the invoker can access: it already is one (Rocket.Chat's groups.setType would not find it).
        return orPublicChannel(() => requestChange(action, request, ctx, t, env), 'already_public_channel', request, ctx, t, env);
    }
    return requestChange(action, request, ctx, t, env);
}

export const SETTYPE_SPEC: CommandSpec<SetTypeAction> = {
    name: 'settype',
    grammar: {
        verbs: { public: ['public', 'c'], private: ['private', 'p'], status: ['status'], history: ['history'], undo: ['undo'], help: ['help'] },
        bare: 'status',
        verbFirst: true,
    },
    usageKey: 'usage_settype',
    descriptionKey: 'command_settype_description',
    paramsExampleKey: 'command_settype_params',
    run: changeType,
};
