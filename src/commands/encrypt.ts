import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { encryptionStatus } from '../operations/status';
import { requestChange } from '../ui/requestChange';
import type { ChangeEnv } from '../ui/requestChange';
import { bulkCommand } from './bulk';
import { historyReply } from './history';
import { orPublicChannel } from './publicChannel';
import { reportReply } from './report';
import type { CommandRequest, CommandSpec } from './runCommand';
import { statusReply } from './statusReply';
import { undoReply } from './undo';

type EncryptAction = 'on' | 'off' | 'status' | 'history' | 'report' | 'job' | 'cancel' | 'undo';

async function encrypt(action: EncryptAction, request: CommandRequest, ctx: OperationContext, t: Translator, env: ChangeEnv): Promise<string | undefined> {
    if (action === 'history') {
        return historyReply(request, ctx, t, env);
    }
    if (action === 'report') {
        return reportReply(request, ctx, t, env);
    }
    if (action === 'job' || action === 'cancel' || request.all || request.jobId) {
        if (action === 'status') {
            return t('usage_encrypt');
        }
        return bulkCommand(action, request, ctx, t, env);
    }
    if (action === 'undo') {
        return undoReply('setEncrypted', request, ctx, t, env);
    }
    return orPublicChannel(
        async () => {
            if (action === 'status') {
                const status = await encryptionStatus(request, ctx);
                const state = t(status.encrypted ? 'status_encrypt_on' : 'status_encrypt_off', { room: status.label });
                return statusReply(state, status.encrypted ? 'encrypt-off' : 'encrypt-on', 'setEncrypted', request, ctx, t, env);
            }
            return requestChange(action === 'on' ? 'encrypt-on' : 'encrypt-off', request, ctx, t, env);
        },
        'public_channel_encrypt',
        request,
        ctx,
        t,
        env,
    );
}

export const ENCRYPT_SPEC: CommandSpec<EncryptAction> = {
    name: 'encrypt',
    grammar: {
        verbs: {
            on: ['on', 'true', 'enable', 'yes'],
            off: ['off', 'false', 'disable', 'no'],
            status: ['status'],
            history: ['history'],
            report: ['report'],
            job: ['job'],
            cancel: ['cancel'],
            undo: ['undo'],
            help: ['help'],
        },
        bare: 'status',
        verbFirst: true,
        bulk: true,
    },
    usageKey: 'usage_encrypt',
    descriptionKey: 'command_encrypt_description',
    paramsExampleKey: 'command_encrypt_params',
    run: encrypt,
};
