import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { setType } from '../operations/setType';
import { typeStatus } from '../operations/status';
import type { CommandRequest, CommandSpec } from './runCommand';

type SetTypeAction = 'public' | 'private' | 'status';

async function changeType(action: SetTypeAction, request: CommandRequest, ctx: OperationContext, t: Translator): Promise<string> {
    if (action === 'status') {
        const status = await typeStatus(request, ctx);
        return `${t(status.type === 'c' ? 'status_type_public' : 'status_type_private', { room: status.label })}\n${t('usage_settype')}`;
    }
    const toPublic = action === 'public';
    const outcome = await setType({ ...request, type: toPublic ? 'c' : 'p' }, ctx);
    const params = { room: outcome.label };
    if (outcome.dryRun) {
        return t(toPublic ? 'dryrun_type_public' : 'dryrun_type_private', params);
    }
    return t(toPublic ? 'done_type_public' : 'done_type_private', params);
}

export const SETTYPE_SPEC: CommandSpec<SetTypeAction> = {
    name: 'settype',
    grammar: {
        verbs: { public: ['public', 'c'], private: ['private', 'p'], status: ['status'], help: ['help'] },
        bare: 'status',
        verbFirst: true,
    },
    usageKey: 'usage_settype',
    descriptionKey: 'command_settype_description',
    paramsExampleKey: 'command_settype_params',
    run: changeType,
};

