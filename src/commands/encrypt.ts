import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { encryptionStatus } from '../operations/status';
import { requestChange } from '../ui/requestChange';
import type { ChangeEnv } from '../ui/requestChange';
import type { CommandRequest, CommandSpec } from './runCommand';
import { statusReply } from './statusReply';

type EncryptAction = 'on' | 'off' | 'status';

async function encrypt(action: EncryptAction, request: CommandRequest, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    if (action === 'status') {
        const status = await encryptionStatus(request, ctx);
        const state = t(status.encrypted ? 'status_encrypt_on' : 'status_encrypt_off', { room: status.label });
        return statusReply(state, status.encrypted ? 'encrypt-off' : 'encrypt-on', request, ctx, t, 'usage_encrypt');
    }
    return requestChange(action === 'on' ? 'encrypt-on' : 'encrypt-off', request, ctx, t, env);
}

export const ENCRYPT_SPEC: CommandSpec<EncryptAction> = {
    name: 'encrypt',
    grammar: {
        verbs: { on: ['on', 'true', 'enable', 'yes'], off: ['off', 'false', 'disable', 'no'], status: ['status'], help: ['help'] },
        bare: 'status',
        verbFirst: true,
    },
    usageKey: 'usage_encrypt',
    descriptionKey: 'command_encrypt_description',
    paramsExampleKey: 'command_encrypt_params',
    run: encrypt,
};
