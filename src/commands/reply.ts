import type { IModify, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

/** The app's bot user, read once: the notifier would otherwise look it up on every reply. */
let appUser: IUser | undefined;

export async function getAppUser(read: IRead): Promise<IUser | undefined> {
    if (!appUser) {
        try {
            appUser = await read.getUserReader().getAppUser();
        } catch {
            appUser = undefined;
        }
    }
    return appUser;
}

/** Forget the cached app user (tests). */
export function forgetAppUser(): void {
    appUser = undefined;
}

/** One ephemeral message to the invoker, in the room the command was typed in; only they see it. */
export async function replyPrivately(read: IRead, modify: IModify, user: IUser, room: IRoom, text: string): Promise<void> {
    const builder = modify.getCreator().startMessage().setRoom(room).setText(text);
    const sender = await getAppUser(read);
    if (sender) {
        builder.setSender(sender);
    }
    await modify.getNotifier().notifyUser(user, builder.getMessage());
}
