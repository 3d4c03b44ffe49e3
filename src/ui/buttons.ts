import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUIActionButtonDescriptor } from '@rocket.chat/apps-engine/definition/ui';
import { RoomTypeFilter } from '@rocket.chat/apps-engine/definition/ui/IUIActionButtonDescriptor';
import { UIActionButtonContext } from '@rocket.chat/apps-engine/definition/ui/UIActionButtonContext';
import type { MessageKey } from '../i18n/catalog.generated';
import { toRoomView } from '../workspace/roomView';
import type { ChangeKind } from '../operations/changeKind';

/**
 * Who sees the buttons: workspace admins and the room's owners and moderators (Rocket.Chat checks the room roles in
 * the room the button is shown in). Only a filter for the menu: the server checks everything again on a click.
 */
export const BUTTON_ROLES = ['admin', 'owner', 'moderator'];

interface RoomButton {
    readonly descriptor: IUIActionButtonDescriptor;
    /** The change a click in `room` asks for. */
    kindIn(room: IRoom): ChangeKind;
}

function roomAction(actionId: string, labelI18n: MessageKey, roomTypes: RoomTypeFilter[]): IUIActionButtonDescriptor {
    return { actionId, labelI18n, context: UIActionButtonContext.ROOM_ACTION, when: { roomTypes, hasOneRole: [...BUTTON_ROLES] } };
}

const { PRIVATE_CHANNEL, PRIVATE_TEAM, PRIVATE_DISCUSSION, PUBLIC_CHANNEL, PUBLIC_TEAM } = RoomTypeFilter;

/** The app's room buttons: each asks for the change its command would make in that room. */
export const ROOM_BUTTONS: ReadonlyArray<RoomButton> = [
    {
        descriptor: roomAction('group-admin.encryption', 'button_encryption', [PRIVATE_CHANNEL, PRIVATE_TEAM, PRIVATE_DISCUSSION]),
        kindIn: (room) => (toRoomView(room).encrypted === true ? 'encrypt-off' : 'encrypt-on'),
    },
    { descriptor: roomAction('group-admin.make-public', 'button_make_public', [PRIVATE_CHANNEL, PRIVATE_TEAM]), kindIn: () => 'public' },
    { descriptor: roomAction('group-admin.make-private', 'button_make_private', [PUBLIC_CHANNEL, PUBLIC_TEAM]), kindIn: () => 'private' },
    { descriptor: roomAction('group-admin.convert-to-team', 'button_convert_to_team', [PRIVATE_CHANNEL]), kindIn: () => 'team' },
];

/** Whether `actionId` is one of the app's room buttons. */
export function isRoomButton(actionId: string): boolean {
    return ROOM_BUTTONS.some((candidate) => candidate.descriptor.actionId === actionId);
}

/** The change a click on the button `actionId` in `room` asks for (undefined for a button that is not the app's). */
export function buttonChange(actionId: string, room: IRoom): ChangeKind | undefined {
    const button = ROOM_BUTTONS.find((candidate) => candidate.descriptor.actionId === actionId);
    return button ? button.kindIn(room) : undefined;
}
