import type { IHttp, ILogger, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { logFailure } from '../errors/log';
import { serverLanguage } from '../i18n/language';
import { translator } from '../i18n/translate';
import type { Translator } from '../i18n/translate';
import type { MessageKey } from '../i18n/catalog.generated';
import { createOperationContext } from '../operations/context';
import type { OperationContext } from '../operations/context';
import { getAppUser } from '../workspace/appUser';
import { SETTING_IDS, getAppSetting } from '../workspace/appSettings';
import { doorText, kindOfRecord, whenText } from './describe';
import { recordChange } from './store';
import type { ChangeRecord } from './store';

/** The `alert_room` setting (interface.md §4, §9): a room id (a name entered is resolved to the id when saved). */
export const ALERT_ROOM_SETTING = SETTING_IDS.alertRoom;

/** Why an alert could not be posted (the setup warning names it). */
type AlertBlock = 'missing' | 'public' | 'member-without-permission' | 'permissions-unavailable' | 'cannot-post';

const WHY: Readonly<Record<AlertBlock, string>> = {
    missing: 'the room does not exist',
    public: 'the room is not a private group (alerts name private groups)',
    'member-without-permission': 'a member of the room does not hold view-room-administration (alerts name private groups)',
    'permissions-unavailable': "the workspace's permission table cannot be read, so the members' permissions cannot be checked",
    'cannot-post': "the app's bot cannot post there",
};

/** The room `alert_room` names, by id or (not resolved when saved) by name. */
async function alertRoom(read: IRead): Promise<{ value: string; room?: IRoom }> {
    let value = '';
    try {
        const raw: unknown = await getAppSetting(read.getEnvironmentReader().getSettings(), SETTING_IDS.alertRoom);
        value = typeof raw === 'string' ? raw.trim() : '';
    } catch {
        value = '';
    }
    if (!value) {
        return { value };
    }
    const rooms = read.getRoomReader();
    const room = (await rooms.getById(value)) || (await rooms.getByName(value.replace(/^#/, '')));
    return { value, room: room || undefined };
}

/** Every member but the app's own bot (other apps' bots too) holds `view-room-administration` — decided live. */
async function everyMemberMaySee(read: IRead, room: IRoom, ctx: OperationContext): Promise<AlertBlock | undefined> {
    const members: Array<IUser> = await read.getRoomReader().getMembers(room.id);
    const bot = await getAppUser(read);
    try {
        for (const member of members) {
            if (!member || (bot && member.id === bot.id)) {
                continue;
            }
            if (!(await ctx.access.hasPermission(member, 'view-room-administration'))) {
                return 'member-without-permission';
            }
        }
    } catch {
        return 'permissions-unavailable';
    }
    return undefined;
}

export interface AlertEnv {
    readonly read: IRead;
    readonly http: IHttp;
    readonly modify: IModify;
    readonly logger: ILogger;
}

/** `alert_room`, checked now and fit for what names private groups: the room, and the server's language. */
export interface AlertTarget {
    readonly value: string;
    readonly room: IRoom;
    readonly t: Translator;
}

/**
 * The room `alert_room` names, checked now (interface.md §9): a private group every member of which holds
 * `view-room-administration`. Otherwise undefined and a setup warning in the app's log naming why (`what`: what is not
 * posted); an empty `alert_room` is off: undefined, and a warning only when `warnWhenOff` says who needs the room.
 */
export async function alertTarget(env: AlertEnv, what: string, warnWhenOff?: string): Promise<AlertTarget | undefined> {
    const { read, logger } = env;
    const { value, room } = await alertRoom(read);
    if (!value) {
        if (warnWhenOff) {
            logger.warn(`alert_room is empty: no ${what} posted (${warnWhenOff})`);
        }
        return undefined;
    }
    const ctx = createOperationContext(read, env.http, logger);
    const blocked: AlertBlock | undefined = !room ? 'missing' : String(room.type) !== 'p' ? 'public' : await everyMemberMaySee(read, room, ctx);
    if (blocked || !room) {
        logger.warn(`alert_room (${value}): no ${what} posted: ${WHY[blocked || 'missing']}`);
        return undefined;
    }
    const tag = await ctx.serverSettings.get('Language');
    return { value, room, t: translator(serverLanguage(tag)) };
}

/** Posts `text` as the app's bot in a checked {@link alertTarget}; when the bot cannot post, a setup warning. Answers whether it posted. */
export async function postInAlertRoom(env: AlertEnv, target: AlertTarget, what: string, text: string): Promise<boolean> {
    const creator = env.modify.getCreator();
    const builder = creator.startMessage().setRoom(target.room).setText(text);
    const bot = await getAppUser(env.read);
    if (bot) {
        builder.setSender(bot);
    }
    try {
        await creator.finish(builder);
    } catch (error) {
        logFailure(env.logger, 'warn', `alert_room (${target.value}): no ${what} posted: ${WHY['cannot-post']}`, error);
        return false;
    }
    return true;
}

/**
 * Posts one alert line in `alert_room` (interface.md §9) — only while that room is a private group every member of
 * which holds `view-room-administration`; otherwise (or when the bot cannot post) no alert, and a setup warning in
 * the app's log naming why. Never throws. Answers whether it posted.
 */
export async function postAlert(env: AlertEnv, key: MessageKey, params: Readonly<Record<string, string>>): Promise<boolean> {
    try {
        const target = await alertTarget(env, 'alert');
        return !!target && (await postInAlertRoom(env, target, 'alert', target.t(key, params)));
    } catch (error) {
        logFailure(env.logger, 'warn', 'alert_room: the alert could not be posted', error);
        return false;
    }
}

/**
 * A recorded change the policy watch reports: encryption turned off in a private group, or a private group made
 * public — by any door. Answers the alert's key, or undefined.
 */
export function alertOf(record: ChangeRecord, room: IRoom): MessageKey | undefined {
    if (record.operation === 'setEncrypted' && record.to === false && String(room.type) === 'p') {
        return 'alert_encrypt_off';
    }
    if (record.operation === 'setType' && record.to === 'c' && record.from !== 'c') {
        return 'alert_public';
    }
    return undefined;
}

/** The alert of a recorded change, if the watch reports it. */
export async function watchChange(env: AlertEnv, record: ChangeRecord, room: IRoom): Promise<void> {
    const key = alertOf(record, room);
    if (!key) {
        return;
    }
    const tag = await env.read.getEnvironmentReader().getServerSettings().getValueById('Language').catch(() => undefined);
    const t = translator(serverLanguage(tag));
    await postAlert(env, key, { room: record.roomName || room.slugifiedName, user: record.actor.username, how: doorText(record.door, kindOfRecord(record), t), when: whenText(record.at) });
}

const WATCH = 'group-admin-watch';

function watchAssociation(what: 'alive' | 'e2e'): RocketChatAssociationRecord {
    return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `${WATCH}:${what}`);
}

/** When this process's app was enabled, and whether its first tick (which records a gap) has run. */
let enabledAt = 0;
let firstTickDone = true;
let lastTick = 0;

/** How often a process notes that it is alive and checks `E2E_Enable` (each tick reads two small records). */
export const TICK_MS = 60 * 1000;

/** The app was enabled (this process): the next tick records the gap since the app was last known to listen. */
export function markEnabled(now: number = Date.now()): void {
    enabledAt = now;
    firstTickDone = false;
    lastTick = 0;
}

async function readValue(read: IRead, what: 'alive' | 'e2e'): Promise<unknown> {
    const found = (await read.getPersistenceReader().readByAssociation(watchAssociation(what))) as Array<{ value?: unknown }>;
    return found.length ? found[0].value : undefined;
}

/**
 * The watch's tick, run by the doors that have persistence (watched system messages, commands, the audit read), at
 * most once a minute per process:
 * - the first tick after the app was enabled records a `gap` (interface.md §9) from the last time the app was known to
 *   be listening to the enable: Rocket.Chat delivers no events to a disabled app, so that time is not on record;
 * - the app notes it is alive;
 * - `E2E_Enable` is compared with the value last seen (Rocket.Chat gives apps no event for server settings): turned
 *   off since → an alert.
 * Never throws.
 */
export async function watchTick(env: AlertEnv, persistence: IPersistence, now: number = Date.now()): Promise<void> {
    if (firstTickDone && now - lastTick < TICK_MS) {
        return;
    }
    lastTick = now;
    try {
        if (!firstTickDone) {
            firstTickDone = true;
            const alive = await readValue(env.read, 'alive');
            if (typeof alive === 'number' && alive < enabledAt) {
                await recordChange(env.read, persistence, {
                    roomId: '',
                    roomName: '',
                    operation: 'gap',
                    from: new Date(alive).toISOString(),
                    to: new Date(enabledAt).toISOString(),
                    actor: { _id: '', username: '' },
                    door: 'rocket.chat',
                });
            }
        }
        await persistence.updateByAssociations([watchAssociation('alive')], { value: now }, true);
        const e2e = (await env.read.getEnvironmentReader().getServerSettings().getValueById('E2E_Enable').catch(() => undefined)) === true;
        const before = await readValue(env.read, 'e2e');
        if (before !== e2e) {
            await persistence.updateByAssociations([watchAssociation('e2e')], { value: e2e }, true);
        }
        if (before === true && !e2e) {
            await postAlert(env, 'alert_e2e_off', { when: whenText(new Date(now).toISOString()) });
        }
    } catch (error) {
        logFailure(env.logger, 'warn', 'the policy watch could not run its check', error);
    }
}

/** Forget this process's tick state (tests). */
export function forgetWatch(): void {
    enabledAt = 0;
    firstTickDone = true;
    lastTick = 0;
}
