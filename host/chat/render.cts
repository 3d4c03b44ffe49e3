/**
 * Text rendering for the terminal chat: messages (system messages in Rocket.Chat's English wording), room
 * descriptions and simple tables. Pure functions over the workspace's documents.
 */
import type { WsMessage, WsRoom, WsTeam, WsUser } from '../workspace/model.cjs';

/** Rocket.Chat's English text of a system message (`t`), with the sender's username. */
export function systemMessageText(message: Pick<WsMessage, 't' | 'msg' | 'u'>): string {
    const by = message.u?.username ?? 'someone';
    const msg = message.msg ?? '';
    switch (message.t) {
        case 'room_e2e_enabled':
            return `This room's encryption has been enabled by ${msg || by}`;
        case 'room_e2e_disabled':
            return `This room's encryption has been disabled by ${msg || by}`;
        case 'room_changed_privacy':
            return `${by} changed the room type to ${msg}`;
        case 'user-converted-to-team':
            return `${by} converted #${msg} to a team`;
        case 'user-converted-to-channel':
            return `${by} converted #${msg} to a channel`;
        case 'user-added-room-to-team':
            return `${by} added #${msg} to this team`;
        case 'user-removed-room-from-team':
            return `${by} removed #${msg} from this team`;
        case 'ujt':
            return `${by} joined the team`;
        case 'ult':
            return `${by} left the team`;
        case 'uj':
            return `${by} joined the room`;
        case 'ul':
            return `${by} left the room`;
        case 'au':
            return `${by} added ${msg}`;
        case 'ru':
            return `${by} removed ${msg}`;
        case 'r':
            return `${by} changed the room name to ${msg}`;
        case 'room_changed_topic':
            return `${by} changed the room topic to: ${msg}`;
        case 'room_changed_description':
            return `${by} changed the room description to: ${msg}`;
        case 'room-archived':
            return `${by} archived the room`;
        case 'room-unarchived':
            return `${by} unarchived the room`;
        case 'subscription-role-added':
            return `${msg} was given a role by ${by}`;
        case 'subscription-role-removed':
            return `${msg} lost a role, removed by ${by}`;
        default:
            return msg ? `${by} [${message.t}] ${msg}` : `${by} [${message.t}]`;
    }
}

export function clock(ts: Date | string): string {
    const date = ts instanceof Date ? ts : new Date(ts);
    if (Number.isNaN(date.getTime())) {
        return '--:--:--';
    }
    return date.toTimeString().slice(0, 8);
}

/** One message as a chat line: `alice: hello` or `* This room's encryption has been enabled by …`. */
export function messageLine(message: WsMessage, options: { time?: boolean; room?: string } = {}): string {
    const parts: string[] = [];
    if (options.time) {
        parts.push(clock(message.ts));
    }
    if (options.room) {
        parts.push(options.room.startsWith('@') ? options.room : `#${options.room}`);
    }
    parts.push(message.t ? `* ${systemMessageText(message)}` : `${message.u?.username ?? '?'}: ${message.msg}`);
    return parts.join(' ');
}

export function roomKind(room: WsRoom): string {
    if (room.teamMain) {
        return room.t === 'c' ? 'team (public)' : 'team (private)';
    }
    if (room.prid) {
        return 'discussion';
    }
    switch (room.t) {
        case 'c':
            return 'public channel';
        case 'p':
            return 'private group';
        case 'd':
            return 'direct messages';
        case 'l':
            return 'omnichannel';
        default:
            return room.t;
    }
}

/** `eng` (main room) / `eng` / `-`. */
export function teamLabel(room: WsRoom, team: WsTeam | undefined): string {
    if (!room.teamId) {
        return '-';
    }
    const name = team?.name ?? room.teamId;
    return room.teamMain ? `${name} (main)` : name;
}

/** Left-aligned columns, two spaces apart; the first row is the header. */
export function table(rows: string[][], indent = '  '): string {
    const widths: number[] = [];
    for (const row of rows) {
        row.forEach((cell, i) => {
            widths[i] = Math.max(widths[i] ?? 0, cell.length);
        });
    }
    return rows
        .map((row) =>
            (indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).trimEnd(),
        )
        .join('\n');
}

/** Indents every line but the first by `pad`. */
export function hang(text: string, pad: string): string {
    return text.split('\n').join(`\n${pad}`);
}

/** Whether `user` is one of the app's own accounts: its service account or an app's bot. */
export function isAppAccount(user: Pick<WsUser, '_id' | 'type'>, serviceUserId: string | undefined): boolean {
    return user._id === serviceUserId || user.type === 'app';
}

/** `group-admin.service (the app's service account)`, `group-admin.bot (the app's bot)`, else the username. */
export function userLabel(user: Pick<WsUser, '_id' | 'username' | 'type'>, serviceUserId: string | undefined): string {
    if (user._id === serviceUserId) {
        return `${user.username} (the app's service account)`;
    }
    if (user.type === 'app') {
        return `${user.username} (the app's bot)`;
    }
    return user.username;
}
