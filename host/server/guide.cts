/**
 * The short guide `npm start` prints once the workspace is ready: who you are, the users and how each logs in, the
 * rooms, and curl lines that work as they are when pasted (with a real login token of the chat user), broken with
 * ` \` continuations so that no line is wider than 100 columns.
 */
import { isAppAccount, roomKind, table, teamLabel, userLabel } from '../chat/render.cjs';
import { isGeneratedGroup } from '../workspace/demo.cjs';
import type { WsRoom, WsUser } from '../workspace/model.cjs';
import type { Workspace } from '../workspace/Workspace.cjs';

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
    /** The app's API endpoints that answer GET (paths), for the examples that need one (`groups.history`). */
    endpoints?: string[];
    /** A room that user owns or moderates, for the examples (default project-x). */
    exampleRoom?: string;
    confirmChanges: boolean;
    /** The front proxy's `__proto__` rule is on (`npm start` without --no-proto-guard); undefined = not mentioned. */
    protoGuard?: boolean;
    dataFile?: string;
    seedFile?: string;
    loadedFromData: boolean;
}

/** Longest line of a printed shell command (continuation lines included), so it never wraps mid-token. */
export const SHELL_WIDTH = 100;

function shellQuote(text: string): string {
    return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell command as lines of at most {@link SHELL_WIDTH} columns: `units` (each one or more already-quoted words that
 * belong together, such as `-H 'X-User-Id: …'`) are packed onto lines ending in ` \`, continued with a deeper indent.
 * The result pastes into any POSIX shell as one command. A unit longer than a line stands alone on its line.
 */
export function shellLines(units: string[], indent = '', width = SHELL_WIDTH): string[] {
    const lines: string[] = [];
    const more = `${indent}  `;
    let current = '';
    for (const unit of units) {
        if (!current) {
            current = `${indent}${unit}`;
        } else if (`${current} ${unit} \\`.length <= width) {
            current += ` ${unit}`;
        } else {
            lines.push(`${current} \\`);
            current = `${more}${unit}`;
        }
    }
    if (current) {
        lines.push(current);
    }
    return lines;
}

function members(workspace: Workspace, room: WsRoom, serviceUserId: string): string {
    const all = workspace.getMembers(room._id);
    const list = all.map((u) => {
        const roles = workspace.getSubscription(room._id, u._id)?.roles ?? [];
        const label = userLabel(u, serviceUserId);
        return roles.length ? `${label} (${roles.join(', ')})` : label;
    });
    if (list.length <= 5) {
        return list.join(', ');
    }
    const apps = all.filter((u) => isAppAccount(u, serviceUserId)).map((u) => userLabel(u, serviceUserId));
    return `${list.length} members${apps.length ? `, among them ${apps.join(', ')}` : ''}`;
}

/** How each person logs in: `password "demo": alice, bob`, `no password …: yann`, `inactive …: zed`. */
function loginLines(people: WsUser[]): string[] {
    const label = (u: WsUser): string => {
        const roles = u.roles.filter((r) => r !== 'user');
        return roles.length ? `${u.username} (${roles.join(', ')})` : u.username;
    };
    const groups = new Map<string, WsUser[]>();
    for (const user of people) {
        const key = !user.active
            ? 'inactive: cannot log in'
            : user.password === undefined || user.password === ''
              ? 'no password, so no HTTP login (give them a "password" in the seed; the chat\'s :user works)'
              : `password ${JSON.stringify(user.password)}`;
        groups.set(key, [...(groups.get(key) ?? []), user]);
    }
    if (groups.size === 1 && [...groups.keys()][0].startsWith('password ')) {
        const [key, users] = [...groups][0];
        return [`Users (${key}): ${users.map(label).join(', ')}`];
    }
    if (!groups.size) {
        return ['Users: none (only the app\'s service account)'];
    }
    return ['Users and how they log in (POST /api/v1/login):', ...[...groups].map(([key, users]) => `  ${key}: ${users.map(label).join(', ')}`)];
}

export function guideText(input: GuideInput): string {
    const { workspace, baseUrl, appId } = input;
    const people = workspace.listUsers().filter((u) => u._id !== input.serviceUserId && u.type === 'user');
    const service = workspace.getUser(input.serviceUserId);

    // Generated groups (--seed-groups) are summed up in one line, not listed one by one.
    const all = workspace.listRooms();
    const rooms = all.filter((room) => !isGeneratedGroup(room.name)).sort((a, b) => a.name.localeCompare(b.name));
    const generated = all.length - rooms.length;
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
            input.confirmChanges ? 'on (the app asks in a dialog first: answer it with :confirm or :close)' : 'off (--confirm turns it on; bulk changes always ask in a dialog: answer it with :confirm or :close)'
        }`,
    );
    lines.push('');
    lines.push(...loginLines(people));
    if (service) {
        lines.push(
            `Service account: ${service.username} (${service.roles.join(', ') || 'no roles'}), the account the app makes its changes as,`,
            "  so Rocket.Chat's system messages name it (it counts as a member where it is one)",
        );
    }
    lines.push('Rooms:');
    lines.push(table(roomRows, '  '));
    if (generated) {
        lines.push(`  and ${generated} generated private groups (#group-…, --seed-groups), owned in turn by the plain users`);
    }
    lines.push('');

    const example = input.exampleRoom ?? 'project-x';
    if (input.curlUser) {
        const { username, userId, token } = input.curlUser;
        const password = people.find((u) => u.username === username)?.password;
        const auth = [`-H ${shellQuote(`X-User-Id: ${userId}`)}`, `-H ${shellQuote(`X-Auth-Token: ${token}`)}`];
        const appUrl = `${baseUrl}/api/apps/public/${appId}`;
        const json = ['-H', shellQuote('Content-Type: application/json')].join(' ');
        lines.push(`Over HTTP, as ${username} (these headers already work; log in for a token of your own):`);
        if (password) {
            lines.push(...shellLines(['curl -s', `${baseUrl}/api/v1/login`, json, `-d ${shellQuote(JSON.stringify({ user: username, password }))}`]));
        } else {
            lines.push(`# ${username} has no password, so no login line: the token below was made for this run`);
        }
        lines.push(
            ...shellLines(['curl -s', `${appUrl}/groups.setEncrypted`, ...auth, json, `-d ${shellQuote(JSON.stringify({ roomName: example, encrypted: true }))}`]),
        );
        if (input.endpoints?.includes('groups.history')) {
            lines.push(`# who changed #${example}, newest first (GET groups.history: roomId or roomName, offset, count)`);
            lines.push(...shellLines(['curl -s -G', `${appUrl}/groups.history`, `-d ${shellQuote(`roomName=${example}`)}`, ...auth]));
        }
        lines.push(...shellLines(['curl -s -G', `${baseUrl}/api/v1/groups.info`, `-d ${shellQuote(`roomName=${example}`)}`, ...auth]));
        if (workspace.getSetting('API_Enable_Rate_Limiter') !== false) {
            const calls = workspace.getSetting('API_Enable_Rate_Limiter_Limit_Calls_Default');
            const ms = workspace.getSetting('API_Enable_Rate_Limiter_Limit_Time_Default');
            if (typeof calls === 'number' && typeof ms === 'number') {
                lines.push(`# Rocket.Chat's rate limiter is on: ${calls} calls per ${ms / 1000} s per /api/v1 endpoint and address, then 429`);
            }
        }
        if (input.protoGuard === true) {
            lines.push('# The front proxy (not Rocket.Chat) is on: 400 to /api/apps/ bodies with a "__proto__" key');
        } else if (input.protoGuard === false) {
            lines.push('# Front proxy off (--no-proto-guard): an app request body with a "__proto__" key stops the app ~50 s');
        }
        lines.push('');
    }
    if (input.chatUser) {
        lines.push(
            `Chat: you are ${input.chatUser.username}${input.chatRoom ? ` in #${input.chatRoom.name}` : ''}. Try /encrypt on, then :log` +
                ` — :help lists the chat commands, Tab completes, Ctrl-C stops.`,
        );
        lines.push('Messages of your rooms appear as they arrive, with their time and room.');
    } else {
        lines.push('No chat (--no-chat): Ctrl-C or SIGTERM stops the workspace.');
    }
    return lines.join('\n');
}

/** The line tests and scripts wait for. */
export function readyLine(baseUrl: string): string {
    return `Group Admin workspace ready on ${baseUrl}`;
}
