import { GovernanceScope } from '../access/scope';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import { encryptionDigest } from '../operations/encryptionReport';
import type { ChangeEnv } from '../ui/requestChange';
import type { CommandRequest } from './runCommand';
import { inertName } from '../i18n/inert';

/** How many groups `/encrypt report` names. */
const REPORT_NAMES_IN_CHAT = 20;

/**
 * `/encrypt report` (interface.md §8): one private reply — how many of the private groups the person can change are not
 * encrypted, how many more they govern but cannot change, the first {@link REPORT_NAMES_IN_CHAT} by name, where the
 * rest are listed, and the next step. With the workspace's `E2E_Enable` off it says only that. Takes no room.
 */
export async function reportReply(request: CommandRequest, ctx: OperationContext, t: Translator, env: Pick<ChangeEnv, 'appId'>): Promise<string> {
    if (request.room.kind !== 'room') {
        return `${t('report_no_room')}\n${t('usage_encrypt')}`;
    }
    const scope = await GovernanceScope.of(request.user, ctx);
    if (!scope.e2eEnabled) {
        return t('report_e2e_disabled');
    }
    const { summary, toEncrypt, firstNames } = await encryptionDigest(scope, REPORT_NAMES_IN_CHAT);
    if (summary.privateGroups === 0) {
        return t('report_nothing_governed');
    }
    const m = summary.changeable;
    const k = summary.privateGroups - m;
    const lines = [toEncrypt > 0 || m === 0 ? t('report_counts', { n: toEncrypt, m }) : t('report_all_encrypted', { m })];
    if (k > 0) {
        lines.push(t('report_cannot_change', { k }));
    }
    if (firstNames.length) {
        lines.push(t('report_first', { rooms: firstNames.map((name) => `#${inertName(name)}`).join(', ') }));
    }
    if (toEncrypt > firstNames.length) {
        lines.push(t('report_more', { j: toEncrypt - firstNames.length, endpoint: `/api/apps/public/${env.appId}/groups.encryptionReport` }));
    }
    if (toEncrypt > 0) {
        lines.push(t('report_next'));
    }
    return lines.join('\n');
}
