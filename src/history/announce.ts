import type { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import { getAppUser } from '../workspace/appUser';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import { serverLanguage } from '../i18n/language';
import { translator } from '../i18n/translate';
import type { OperationContext } from '../operations/context';
import type { ChangeKind } from '../operations/changeKind';
import { changeSentence } from './describe';
import type { ChangeDoor } from './store';
import { toRoomView } from '../workspace/roomView';

/** The `announce_changes` setting (interface.md §4). */
export const ANNOUNCE_CHANGES = SETTING_IDS.announceChanges;

/** On unless an administrator turned it off (its default when it cannot be read); kept in module memory (`onSettingUpdated`). */
export async function announcementWanted(read: IRead): Promise<boolean> {
    try {
        return (await getAppSetting(read.getEnvironmentReader().getSettings(), SETTING_IDS.announceChanges)) !== false;
    } catch {
        return true;
    }
}

/**
 * Whether the bot may post in the room as the change left it (interface.md §9): in an encrypted room only when the
 * workspace allows unencrypted messages (`E2E_Allow_Unencrypted_Messages`), which the bot's are; otherwise the change
 * is only recorded.
 */
export async function mayPostAfter(ctx: OperationContext, room: IRoom, kind: ChangeKind): Promise<boolean> {
    const encrypted = kind === 'encrypt-on' ? true : kind === 'encrypt-off' ? false : toRoomView(room).encrypted === true;
    return !encrypted || (await ctx.serverSettings.isTrue('E2E_Allow_Unencrypted_Messages'));
}

/**
 * The app's bot posts one visible message in `room`, in the server's language, naming who made the change and how
 * (interface.md §7): "@alice made this group public (/settype)." — unless the room is encrypted after the change and
 * the workspace allows no unencrypted messages (see {@link mayPostAfter}). Answers whether it posted.
 */
export async function announceChange(read: IRead, modify: IModify, ctx: OperationContext, room: IRoom, kind: ChangeKind, username: string, door: ChangeDoor): Promise<boolean> {
    if (!(await mayPostAfter(ctx, room, kind))) {
        return false;
    }
    const tag = await ctx.serverSettings.get('Language');
    const language = serverLanguage(tag);
    const creator = modify.getCreator();
    const builder = creator.startMessage().setRoom(room).setText(changeSentence(kind, username, door, translator(language)));
    const bot = await getAppUser(read);
    if (bot) {
        builder.setSender(bot);
    }
    await creator.finish(builder);
    return true;
}
