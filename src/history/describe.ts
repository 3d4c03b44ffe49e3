import type { MessageKey } from '../i18n/catalog.generated';
import type { Translator } from '../i18n/translate';
import type { ChangeKind } from '../operations/changeKind';
import type { RoomView } from '../workspace/roomView';
import type { ChangeDoor, ChangeOperation, ChangeRecord } from './store';

/** The command whose change a kind is. */
export function commandOf(kind: ChangeKind): string {
    switch (kind) {
        case 'encrypt-on':
        case 'encrypt-off':
            return '/encrypt';
        case 'public':
        case 'private':
            return '/settype';
        default:
            return '/toteam';
    }
}

export function operationOf(kind: ChangeKind): ChangeOperation {
    switch (kind) {
        case 'encrypt-on':
        case 'encrypt-off':
            return 'setEncrypted';
        case 'public':
        case 'private':
            return 'setType';
        default:
            return 'convertToTeam';
    }
}

/** The change a record is about. */
export function kindOfRecord(record: Pick<ChangeRecord, 'operation' | 'to'>): ChangeKind {
    switch (record.operation) {
        case 'setEncrypted':
            return record.to === true ? 'encrypt-on' : 'encrypt-off';
        case 'setType':
            return record.to === 'p' ? 'private' : 'public';
        default:
            return record.to === false ? 'unteam' : 'team';
    }
}

/**
 * Whether the room is in the state a change of `operation` to `to` leaves it in: encryption on or off, that type, a
 * team's main room or in no team. (Undo asks it of a record; the system-message door of a message, before recording it.)
 */
export function roomIsAsLeft(view: RoomView, change: Pick<ChangeRecord, 'operation' | 'to'>): boolean {
    switch (change.operation) {
        case 'setEncrypted':
            return (view.encrypted === true) === (change.to === true);
        case 'setType':
            return view.type === change.to;
        default:
            return change.to === false ? !view.teamId : view.teamMain;
    }
}

const SENTENCE: Readonly<Record<ChangeKind, MessageKey>> = {
    'encrypt-on': 'announce_encrypt_on',
    'encrypt-off': 'announce_encrypt_off',
    public: 'announce_public',
    private: 'announce_private',
    team: 'announce_team',
    unteam: 'announce_unteam',
};

/** How a change was asked for: the command, a room button, the HTTP API. */
export function doorText(door: ChangeDoor, kind: ChangeKind, t: Translator): string {
    switch (door) {
        case 'command':
            return commandOf(kind);
        case 'button':
            return t('door_button');
        case 'bulk':
            return t('door_bulk');
        case 'rocket.chat':
            return t('door_rocketchat');
        default:
            return t('door_endpoint');
    }
}

/** "@alice made this group public (/settype)." */
export function changeSentence(kind: ChangeKind, username: string, door: ChangeDoor, t: Translator): string {
    return t(SENTENCE[kind], { user: username, how: doorText(door, kind, t) });
}

/** A record's time for people: `2026-12-01 23:10 UTC` (the same in every language). */
export function whenText(at: string): string {
    const date = new Date(at);
    return Number.isNaN(date.getTime()) ? at : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One record as a chat line: when, who, what, how. */
export function recordLine(record: ChangeRecord, t: Translator): string {
    return t('history_entry', { when: whenText(record.at), change: changeSentence(kindOfRecord(record), record.actor.username, record.door, t) });
}
