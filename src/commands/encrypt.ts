import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { setEncrypted } from '../operations/setEncrypted';
import { encryptionStatus } from '../operations/status';
import type { CommandRequest, CommandSpec } from './runCommand';

type EncryptAction = 'on' | 'off' | 'status';

async function encrypt(action: EncryptAction, request: CommandRequest, ctx: OperationContext, t: Translator): Promise<string> {
    if (action === 'status') {
        const status = await encryptionStatus(request, ctx);
        return `${t(status.encrypted ? 'status_encrypt_on' : 'status_encrypt_off', { room: status.label })}\n${t('usage_encrypt')}`;
    }
    const on = action === 'on';
    const outcome = await setEncrypted({ ...request, encrypted: on }, ctx);
    const changed = 'encrypted' in (outcome.dryRun ? outcome.plan.changes : outcome.result.changes);
    const params = { room: outcome.label };
    if (outcome.dryRun) {
        return t(changed ? (on ? 'dryrun_encrypt_on' : 'dryrun_encrypt_off') : on ? 'dryrun_encrypt_unchanged_on' : 'dryrun_encrypt_unchanged_off', params);
    }
    return t(changed ? (on ? 'done_encrypt_on' : 'done_encrypt_off') : on ? 'done_encrypt_unchanged_on' : 'done_encrypt_unchanged_off', params);
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

