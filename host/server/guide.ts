/**
 * The short guide `npm start` prints once the workspace is ready: who you are, the users and their password, the
 * rooms, and curl lines that work as they are (with a real login token of the chat user).
 */
import { roomKind, table, teamLabel } from '../chat/render';
import type { WsRoom, WsUser } from '../workspace/model';
import type { Workspace } from '../workspace/Workspace';

export interface GuideInput {
    workspace: Workspace;
    baseUrl: string;
    appId: string;
    serviceUserId: string;
    commands: string[];
    /** The chat identity (undefined with --no-chat). */
    chatUser?: WsUser;
    chatRoom?: WsRoom;
    /** The user the curl examples act as, with a fresh login token. */
    curlUser?: { username: string; userId: string; token: string };
    /** A room that user owns or moderates, for the examples (default project-x). */
    exampleRoom?: string;
    confirmChanges: boolean;
    dataFile?: string;
    seedFile?: string;
    loadedFromData: boolean;
}

function shellQuote(text: string): string {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}

function members(workspace: Workspace, room: WsRoom, serviceUserId: string): string {
    const list = workspace
        .getMembers(room._id)
        .filter((u) => u._id !== serviceUserId)
        .map((u) => {
            const roles = workspace.getSubscription(room._id, u._id)?.roles ?? [];
            return roles.length ? `${u.username} (${roles.join(', ')})` : u.username;
        });
    return list.length > 5 ? `${list.length} members` : list.join(', ');
}

export function guideText(input: GuideInput): string {
    const { workspace, baseUrl, appId } = input;
    const people = workspace.listUsers().filter((u) => u._id !== input.serviceUserId && u.type === 'user');
    const passwords = new Set(people.map((u) => u.password).filter((p): p is string => !!p));
    const userList = people
        .map((u) => {
            const roles = u.roles.filter((r) => r !== 'user');
            const label = roles.length ? `${u.username} (${roles.join(', ')})` : u.username;
            return passwords.size > 1 && u.password ? `${label} [${u.password}]` : label;
        })
        .join(', ');
    const passwordNote =
        passwords.size === 1 ? `password "${[...passwords][0]}"` : passwords.size > 1 ? 'password in brackets' : 'no passwords: login disabled';

    const rooms = [...workspace.listRooms()].sort((a, b) => a.name.localeCompare(b.name));
    const roomRows = rooms.map((room) => [
        `#${room.name}`,
        roomKind(room) + (room.archived ? ', archived' : '') + (room.encrypted ? ', encrypted' : ''),
        room.teamId && !room.teamMain ? `in team ${teamLabel(room, workspace.getTeam(room.teamId))}` : '',
        members(workspace, room, input.serviceUserId),
    ]);

    const lines: string[] = [];
    lines.push('');
    lines.push(`Group Admin in a local Rocket.Chat workspace (the real Apps-Engine runs the packaged app; no server needed)`);
    if (input.loadedFromData) {
        lines.push(`Workspace: loaded from ${input.dataFile} (saved after every change)`);
    } else if (input.dataFile) {
        lines.push(`Workspace: ${input.seedFile ? `from ${input.seedFile}` : 'the demo'}, saved to ${input.dataFile} after every change`);
    } else {
        lines.push(`Workspace: ${input.seedFile ? `from ${input.seedFile}` : 'the demo'}, in memory (--data <file> keeps it)`);
    }
    lines.push(`App id ${appId}; commands ${input.commands.map((c) => `/${c}`).join(' ') || '(none registered)'}`);
    lines.push(
        `E2E_Enable is ${workspace.getSetting('E2E_Enable') === true ? 'on' : 'off'}; confirm_changes is ${
            input.confirmChanges ? 'on (the app will ask in a modal, which a terminal cannot show)' : 'off (a terminal cannot show the confirmation modal; --confirm turns it on)'
        }`,
    );
    lines.push('');
    lines.push(`Users (${passwordNote}): ${userList}`);
    lines.push('Rooms:');
    lines.push(table(roomRows, '  '));
    lines.push('');

    const example = input.exampleRoom ?? 'project-x';
    if (input.curlUser) {
        const { username, userId, token } = input.curlUser;
        const password = people.find((u) => u.username === username)?.password ?? 'demo';
        const auth = `-H 'X-User-Id: ${userId}' -H 'X-Auth-Token: ${token}'`;
        lines.push(`Over HTTP, as ${username} (log in for your own token; these headers already work):`);
        lines.push(
            `  curl -s ${baseUrl}/api/v1/login -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify({ user: username, password }))}`,
        );
        lines.push(
            `  curl -s ${baseUrl}/api/apps/public/${appId}/groups.setEncrypted ${auth} -H 'Content-Type: application/json' -d ${shellQuote(
                JSON.stringify({ roomName: example, encrypted: true }),
            )}`,
        );
        lines.push(`  curl -s '${baseUrl}/api/v1/groups.info?roomName=${encodeURIComponent(example)}' ${auth}`);
        lines.push('');
    }
    if (input.chatUser) {
        lines.push(
            `Chat: you are ${input.chatUser.username}${input.chatRoom ? ` in #${input.chatRoom.name}` : ''}. Try /encrypt on, then :log` +
                ` — :help lists the chat commands, Tab completes, Ctrl-C stops.`,
        );
    } else {
        lines.push('No chat (--no-chat): Ctrl-C or SIGTERM stops the workspace.');
    }
    return lines.join('\n');
}

/** The line tests and scripts wait for. */
export function readyLine(baseUrl: string): string {
    return `Group Admin workspace ready on ${baseUrl}`;
}
