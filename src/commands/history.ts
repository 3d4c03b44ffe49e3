import { resolveHistoryRoom } from '../history/access';
import { recordLine } from '../history/describe';
import { readHistory } from '../history/store';
import type { Translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import type { ChangeEnv } from '../ui/requestChange';
import type { CommandRequest } from './runCommand';

/** How many changes `/<command> history` lists. */
export const HISTORY_IN_CHAT = 10;

/**
 * `/encrypt history [room]` (and `/settype`, `/toteam`): the room's newest recorded changes, newest first, each with
 * when, who, what and how — for whoever may change the room's settings (interface.md §7).
 */
export async function historyReply(request: CommandRequest, ctx: OperationContext, t: Translator, env: Pick<ChangeEnv, 'read' | 'appId'>): Promise<string> {
    const view = await resolveHistoryRoom(request.room, request.user, ctx);
    const page = await readHistory(env.read, view.id, 0, HISTORY_IN_CHAT);
    if (page.total === 0) {
        return t('history_empty', { room: view.label });
    }
    const heading = t('history_heading', { room: view.label, shown: page.records.length, total: page.total });
    const lines = [heading, ...page.records.map((record) => `• ${recordLine(record, t)}`)];
    const more = page.total - page.records.length;
    if (more > 0) {
        // Where the rest is: the app's own endpoint, from where this page ends.
        const path = `/api/apps/public/${env.appId}/groups.history?roomId=${encodeURIComponent(view.id)}&offset=${page.records.length}`;
        lines.push(t('history_more', { more, path }));
    }
    return lines.join('\n');
}
