import type { IRead } from '@rocket.chat/apps-engine/definition/accessors';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';

/** The app's bot user, read once: every reply and announcement would otherwise look it up again. */
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
