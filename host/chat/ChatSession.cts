/**
 * The terminal chat's logic, independent of the terminal: who you are, which room you are in, what a typed line does
 * and what it prints. A line starting with `/` runs the app's slash command as that user in that room (through the
 * real engine) and prints the ephemeral reply plus every new message (Rocket.Chat's system messages); a line starting
 * with `:` is a chat command (`:help`); anything else is posted as a chat message.
 *
 * Messages that arrive in a room the current user can see (a room they are a member of, or the room they are in) are
 * shown as they arrive — with their time and room — and so are ephemeral messages the app sends them outside a command
 * (`liveUpdate`, called by the terminal on every workspace change and delivery). A command's own output includes the
 * messages it caused.
 *
 * The terminal wiring (readline, history, completion display) is in terminal.cts.
 */
import { randomUUID } from 'crypto';

import type { IUIKitSurface } from '@rocket.chat/apps-engine/definition/uikit';

import type { CommandRun, Delivery, InteractionRun } from '../engine/EngineHost.cjs';
import type { WsMessage, WsRoom, WsUser } from '../workspace/model.cjs';
import type { Workspace } from '../workspace/Workspace.cjs';
import { clock, hang, isAppAccount, messageLine, roomKind, table, teamLabel, userLabel } from './render.cjs';

/** What the chat needs from the engine host. */
export interface ChatEngine {
    runCommand(line: string, userId: string, roomId: string, triggerId?: string): Promise<CommandRun>;
    commands(): string[];
    /** Waits until the apps handled every system message posted so far (see EngineHost.settled). */
    settled?(): Promise<void>;
    /** The user presses a modal's submit button / closes it (Rocket.Chat's `viewSubmit` / `viewClosed`). */
    submitView?(view: IUIKitSurface, userId: string): Promise<InteractionRun>;
    closeView?(view: IUIKitSurface, userId: string): Promise<InteractionRun>;
}

export interface ChatSessionOptions {
    engine: ChatEngine;
    /** The current workspace (looked up on every use). */
    workspace: () => Workspace;
    /** Posts a plain chat message as `userId` in `roomId`. */
    postMessage: (roomId: string, userId: string, text: string) => void;
    /** Where output goes: one call per block of lines, no trailing newline. */
    print: (text: string) => void;
    /** Starting user and room (names); fall back to a sensible user/room when absent or unknown. */
    user?: string;
    room?: string;
    /** The app's service account (hidden from user lists and completion). */
    serviceUserId?: string;
    /** Whether the app asks for confirmation in modals (for the hint printed when it opens one). */
    confirmChanges?: boolean;
}

/** The app's commands and their first words (for completion and help). */
export const COMMAND_WORDS: Readonly<Record<string, readonly string[]>> = {
    encrypt: ['on', 'off', 'status', 'history', 'report', 'undo', 'job', 'cancel', 'help'],
    settype: ['public', 'private', 'status', 'history', 'undo', 'help'],
    toteam: ['history', 'undo', 'help'],
};

export const META_COMMANDS: ReadonlyArray<{ name: string; args: string; help: string }> = [
    { name: ':user', args: '<name>', help: 'become another user (stays in the room if they are a member)' },
    { name: ':room', args: '<name>', help: 'go to another room' },
    { name: ':rooms', args: '', help: 'list the rooms: type, encryption, team, members, your role' },
    { name: ':log', args: '[room] [n]', help: "show a room's last n messages (default 10), system messages included" },
    { name: ':who', args: '', help: 'who you are, where, and who else is in the room' },
    { name: ':users', args: '', help: 'list the users' },
    { name: ':rest', args: '<GET|POST> <endpoint> [json]', help: "call Rocket.Chat's own REST API (/api/v1/<endpoint>) as you, e.g. :rest POST groups.setEncrypted {\"roomName\":\"project-x\",\"encrypted\":true}" },
    { name: ':confirm', args: '', help: "press the submit button of the dialog the app opened for you last (e.g. a bulk change's plan)" },
    { name: ':close', args: '', help: 'close that dialog instead (nothing is changed)' },
    { name: ':help', args: '', help: 'this help' },
    { name: ':quit', args: '', help: 'stop the workspace (also Ctrl-D, Ctrl-C)' },
];

const META_ALIASES: Readonly<Record<string, string>> = {
    ':as': ':user',
    ':u': ':user',
    ':r': ':room',
    ':join': ':room',
    ':ls': ':rooms',
    ':l': ':log',
    ':whoami': ':who',
    ':h': ':help',
    ':?': ':help',
    ':submit': ':confirm',
    ':cancel': ':close',
    ':q': ':quit',
    ':exit': ':quit',
};

export type LineResult = 'continue' | 'quit';

/** The workspace's people: every user but the app's service account, bots and apps. */
export function people(ws: Workspace, serviceUserId: string | undefined): WsUser[] {
    return ws.listUsers().filter((u) => u._id !== serviceUserId && u.type === 'user');
}

/** `name`, or the default chat user: alice, else the first active plain user, else the first user. */
export function pickUser(ws: Workspace, serviceUserId: string | undefined, name?: string): WsUser {
    if (name) {
        const user = ws.getUserByUsername(name.replace(/^@/, ''));
        if (!user) {
            throw new Error(`there is no user "${name}" in the workspace`);
        }
        return user;
    }
    const candidates = people(ws, serviceUserId);
    const user =
        ws.getUserByUsername('alice') ??
        candidates.find((u) => u.active && !u.roles.includes('admin')) ??
        candidates.find((u) => u.active) ??
        ws.listUsers()[0];
    if (!user) {
        throw new Error('the workspace has no users');
    }
    return user;
}

export function roomsOf(ws: Workspace, user: WsUser): WsRoom[] {
    return ws.listRooms().filter((room) => !!ws.getSubscription(room._id, user._id));
}

export function findRoom(ws: Workspace, name: string): WsRoom | undefined {
    const bare = name.replace(/^#/, '');
    return ws.getRoomByName(bare) ?? ws.getRoom(bare);
}

/** `name`, or the default chat room of `user`: project-x, else their first private group, else their first room. */
export function pickRoom(ws: Workspace, user: WsUser, name?: string): WsRoom | undefined {
    if (name) {
        const room = findRoom(ws, name);
        if (!room) {
            throw new Error(`there is no room "${name}" in the workspace`);
        }
        return room;
    }
    const mine = roomsOf(ws, user).filter((r) => !r.archived);
    return mine.find((r) => r.name === 'project-x') ?? mine.find((r) => r.t === 'p') ?? mine[0] ?? ws.listRooms()[0];
}

function interactionTitle(delivery: Delivery): string {
    const interaction = delivery.interaction as unknown as { view?: { title?: { text?: unknown } } } | undefined;
    const title = interaction?.view?.title?.text;
    return typeof title === 'string' && title ? `"${title}"` : 'a dialog';
}

export class ChatSession {
    private userId = '';
    private roomId = '';
    /** Ids of messages already shown or present at start: only newer ones are printed. */
    private readonly seen = new Set<string>();
    /** Messages that arrived and were not taken yet (`takeNews`). */
    private arrived: WsMessage[] = [];
    private readonly stopListening: () => void;
    /** Ephemeral messages and dialogs the app sent outside a command run, not shown yet. */
    private pending: Delivery[] = [];
    /** Deliveries a command run already showed (the engine reports them both live and in the run). */
    private readonly handled = new WeakSet<Delivery>();
    private busy = false;
    /** The newest dialog the app opened per user (user id → view), until it is submitted or closed. */
    private readonly openViews = new Map<string, IUIKitSurface>();

    constructor(private readonly options: ChatSessionOptions) {
        const ws = this.ws;
        for (const room of ws.listRooms()) {
            for (const message of ws.getMessages(room._id)) {
                this.seen.add(message._id);
            }
        }
        // Every new message of any room, in order (chat lines, the app bot's, Rocket.Chat's system messages).
        this.stopListening = ws.onMessage((message) => this.arrived.push(message));
        const user = this.pickUser(options.user);
        this.userId = user._id;
        this.roomId = this.pickRoom(user, options.room)?._id ?? '';
    }

    /** Stops listening to the workspace. */
    close(): void {
        this.stopListening();
    }

    private get ws(): Workspace {
        return this.options.workspace();
    }

    private print(text: string): void {
        this.options.print(text);
    }

    get user(): WsUser {
        const user = this.ws.getUser(this.userId);
        if (!user) {
            throw new Error(`the user ${this.userId} no longer exists`);
        }
        return user;
    }

    get room(): WsRoom | undefined {
        return this.roomId ? this.ws.getRoom(this.roomId) : undefined;
    }

    /** `alice@project-x> ` */
    get prompt(): string {
        const room = this.room;
        return `${this.user.username}@${room ? room.name || room._id : '(no room)'}> `;
    }

    /** True while a line is being handled (live updates wait). */
    get isBusy(): boolean {
        return this.busy;
    }

    // ------------------------------------------------------------------ identity

    private people(): WsUser[] {
        return people(this.ws, this.options.serviceUserId);
    }

    private pickUser(name: string | undefined): WsUser {
        return pickUser(this.ws, this.options.serviceUserId, name);
    }

    private roomsOf(user: WsUser): WsRoom[] {
        return roomsOf(this.ws, user);
    }

    private pickRoom(user: WsUser, name: string | undefined): WsRoom | undefined {
        return pickRoom(this.ws, user, name);
    }

    private findRoom(name: string): WsRoom | undefined {
        return findRoom(this.ws, name);
    }

    private findUser(name: string): WsUser | undefined {
        const bare = name.replace(/^@/, '');
        return this.ws.getUserByUsername(bare) ?? this.ws.getUser(bare);
    }

    private roleIn(room: WsRoom, user: WsUser): string {
        const sub = this.ws.getSubscription(room._id, user._id);
        if (!sub) {
            return '-';
        }
        const roles = sub.roles ?? [];
        return roles.length ? roles.join(', ') : 'member';
    }

    // ------------------------------------------------------------------ lines

    /** Handles one typed line. Errors are printed, never thrown. */
    async handleLine(input: string): Promise<LineResult> {
        const line = input.trim();
        if (!line) {
            return 'continue';
        }
        this.busy = true;
        try {
            if (line.startsWith('/')) {
                await this.slashCommand(line);
                return 'continue';
            }
            if (line.startsWith(':')) {
                return await this.metaCommand(line);
            }
            this.postChat(line);
            return 'continue';
        } catch (error) {
            this.print(`! ${error instanceof Error ? error.message : String(error)}`);
            return 'continue';
        } finally {
            this.busy = false;
        }
    }

    private async slashCommand(line: string): Promise<void> {
        const room = this.room;
        if (!room) {
            this.print('! You are in no room: pick one with :room <name>');
            return;
        }
        const name = line.slice(1).split(/\s+/)[0].toLowerCase();
        if (!this.options.engine.commands().includes(name)) {
            const known = this.options.engine.commands().map((c) => `/${c}`);
            this.print(`! No such command: /${name}${known.length ? ` (the app's commands: ${known.join(', ')})` : ''}`);
            return;
        }
        // Rocket.Chat's client sends a trigger id with every command: it is what lets the app open a modal.
        const run = await this.options.engine.runCommand(line, this.userId, room._id, randomUUID());
        const out: string[] = [];
        for (const delivery of run.deliveries) {
            this.handled.add(delivery);
            if (delivery.toUserId === this.userId) {
                out.push(this.deliveryText(delivery));
            }
        }
        if (run.error) {
            out.push(`! The command failed: ${run.error}`);
        }
        if (!out.length) {
            out.push('(no reply)');
        }
        out.push(...this.takeNews());
        this.print(out.join('\n'));
    }

    /** `(only you) …`: an ephemeral reply, or the note that the app opened a dialog (answered with `:confirm` / `:close`). */
    private deliveryText(delivery: Delivery): string {
        const label = '(only you) ';
        if (delivery.kind === 'ephemeral') {
            return `${label}${hang(delivery.text ?? '', ' '.repeat(label.length))}`;
        }
        const interaction = delivery.interaction as { type?: string; view?: IUIKitSurface } | undefined;
        const view = interaction?.view;
        if (interaction?.type?.endsWith('.close')) {
            this.openViews.delete(delivery.toUserId);
            return `${label}(the app closed the dialog)`;
        }
        if (view && this.options.engine.submitView) {
            this.openViews.set(delivery.toUserId, view);
            return `${label}The app opened ${interactionTitle(delivery)} to confirm; nothing is changed yet. :confirm presses its submit button, :close closes it.`;
        }
        return (
            `${label}The app opened ${interactionTitle(delivery)} to confirm. A terminal cannot show it: ` +
            (this.options.confirmChanges ? 'restart without --confirm to act at once.' : 'nothing was changed.')
        );
    }

    /**
     * `:confirm` / `:close`: what Rocket.Chat's client sends when the user presses the dialog's submit button or closes
     * it (`viewSubmit` / `viewClosed` with the view the app opened), for the newest dialog the app opened for this user.
     */
    private async answerView(submit: boolean): Promise<void> {
        const view = this.openViews.get(this.userId);
        const engine = this.options.engine;
        if (!view || !engine.submitView || !engine.closeView) {
            this.print(`! The app has no dialog open for ${this.user.username}`);
            return;
        }
        this.openViews.delete(this.userId);
        const run = submit ? await engine.submitView(view, this.userId) : await engine.closeView(view, this.userId);
        const out: string[] = [];
        for (const delivery of run.deliveries) {
            this.handled.add(delivery);
            if (delivery.toUserId === this.userId) {
                out.push(this.deliveryText(delivery));
            }
        }
        const errors = (run.response as { errors?: Record<string, string> } | undefined)?.errors;
        if (errors) {
            out.push(...Object.values(errors).map((e) => `! ${e}`));
        }
        if (run.error) {
            out.push(`! The dialog failed: ${run.error}`);
        }
        await engine.settled?.();
        out.push(...this.takeNews());
        this.print(out.length ? out.join('\n') : submit ? '(submitted; no reply)' : '(closed)');
    }

    /** The engine reports every ephemeral message and dialog the app sends; those outside a command run wait here. */
    noteDelivery(delivery: Delivery): void {
        if (!this.handled.has(delivery)) {
            this.pending.push(delivery);
        }
    }

    private postChat(text: string): void {
        const room = this.room;
        if (!room) {
            this.print('! You are in no room: pick one with :room <name>');
            return;
        }
        if (!this.ws.getSubscription(room._id, this.userId)) {
            this.print(`! ${this.user.username} is not a member of #${room.name}: messages cannot be posted here`);
            return;
        }
        if (room.archived) {
            this.print(`! #${room.name} is archived: messages cannot be posted`);
            return;
        }
        this.options.postMessage(room._id, this.userId, text);
        // Your own message is not echoed back; anything else that appeared meanwhile is.
        const others = this.takeNews((m) => !(m.u?._id === this.userId && !m.t && m.msg === text));
        if (others.length) {
            this.print(others.join('\n'));
        }
    }

    /**
     * A room as the chat names it: its name, or for a direct message `@` and the other members' usernames, as
     * Rocket.Chat's client names a DM (`IRoom.usernames`).
     */
    private roomLabel(room: WsRoom): string {
        if (room.name) {
            return room.name;
        }
        const others = (room.usernames ?? []).filter((u) => u !== this.user.username);
        return room.t === 'd' && others.length ? `@${others.join(', @')}` : room._id;
    }

    /** Whether the current user sees `room`'s messages: a member, or it is the room they are in. */
    private sees(room: WsRoom): boolean {
        return room._id === this.roomId || !!this.ws.getSubscription(room._id, this.userId);
    }

    /**
     * What arrived since it was last asked, oldest first, as lines with time and room (`12:04:05 #project-x * …`):
     * new messages of the rooms the current user sees, and ephemeral messages the app sent them outside a command.
     * Everything new is marked as seen, shown or not (messages of other rooms never come later in a burst: `:log` shows
     * them). `keep` drops messages not to show (your own line, just typed).
     */
    takeNews(keep: (message: WsMessage) => boolean = () => true): string[] {
        const ws = this.ws;
        const fresh: Array<{ at: number; text: string }> = [];
        const arrived = this.arrived;
        this.arrived = [];
        for (const message of arrived) {
            if (this.seen.has(message._id)) {
                continue;
            }
            this.seen.add(message._id);
            const room = ws.getRoom(message.rid);
            if (room && this.sees(room) && keep(message)) {
                fresh.push({ at: new Date(message.ts).getTime(), text: messageLine(message, { time: true, room: this.roomLabel(room) }) });
            }
        }
        const deliveries = this.pending.filter((d) => !this.handled.has(d));
        this.pending = [];
        for (const delivery of deliveries) {
            this.handled.add(delivery);
            if (delivery.toUserId !== this.userId) {
                continue;
            }
            const room = delivery.roomId ? ws.getRoom(delivery.roomId) : undefined;
            const label = room ? this.roomLabel(room) : '';
            const where = room ? `${label.startsWith('@') ? label : `#${label}`} ` : '';
            fresh.push({ at: delivery.at.getTime(), text: `${clock(delivery.at)} ${where}${this.deliveryText(delivery)}` });
        }
        return fresh.sort((x, y) => x.at - y.at).map((f) => f.text);
    }

    /** What arrived while idle (see {@link takeNews}), or undefined when nothing did or a line is being handled. */
    liveUpdate(): string | undefined {
        if (this.busy) {
            return undefined;
        }
        const fresh = this.takeNews();
        return fresh.length ? fresh.join('\n') : undefined;
    }

    // ------------------------------------------------------------------ meta commands

    private async metaCommand(line: string): Promise<LineResult> {
        const [word, ...args] = line.split(/\s+/);
        const name = META_ALIASES[word.toLowerCase()] ?? word.toLowerCase();
        switch (name) {
            case ':rest':
                await this.rest(line.slice(word.length).trim());
                break;
            case ':confirm':
            case ':close':
                await this.answerView(name === ':confirm');
                break;
            case ':user':
                this.switchUser(args);
                break;
            case ':room':
                this.switchRoom(args);
                break;
            case ':rooms':
                this.print(this.roomsTable());
                break;
            case ':log':
                this.showLog(args);
                break;
            case ':who':
                this.print(this.whoText());
                break;
            case ':users':
                this.print(this.usersTable());
                break;
            case ':help':
                this.print(this.helpText());
                break;
            case ':quit':
                return 'quit';
            default:
                this.print(`! Unknown chat command ${word}: :help lists them`);
        }
        return 'continue';
    }

    /** Login tokens the chat made for its users' `:rest` calls (one per user). */
    private readonly restTokens = new Map<string, string>();

    /**
     * `:rest <GET|POST> <endpoint> [json]`: Rocket.Chat's own REST endpoint `/api/v1/<endpoint>` called as the current
     * user (their `X-User-Id` / `X-Auth-Token`, as a script or `curl` would), its status and body printed — so a change
     * made outside the app (Rocket.Chat decides, posts its system message) can be seen reaching the app's history.
     */
    private async rest(rest: string): Promise<void> {
        const match = /^(GET|POST)\s+\/?(?:api\/v1\/)?(\S+)\s*([\s\S]*)$/i.exec(rest);
        if (!match) {
            this.print('! Usage: :rest <GET|POST> <endpoint> [json]   e.g. :rest POST groups.setEncrypted {"roomName":"project-x","encrypted":true}');
            return;
        }
        const [, method, endpoint, json] = match;
        let body: unknown;
        const query: Record<string, string> = {};
        if (method.toUpperCase() === 'POST') {
            try {
                body = json ? JSON.parse(json) : {};
            } catch {
                this.print(`! Not JSON: ${json}`);
                return;
            }
        } else if (json) {
            for (const pair of new URLSearchParams(json.replace(/^\?/, ''))) {
                query[pair[0]] = pair[1];
            }
        }
        const user = this.user;
        let token = this.restTokens.get(user._id);
        if (!token) {
            token = this.ws.createAuthToken(user._id);
            this.restTokens.set(user._id, token);
        }
        const [path, inlineQuery] = endpoint.split('?');
        if (inlineQuery) {
            for (const pair of new URLSearchParams(inlineQuery)) {
                query[pair[0]] = pair[1];
            }
        }
        const response = await this.ws.handle({
            method: method.toUpperCase() as 'GET' | 'POST',
            path: `/api/v1/${path}`,
            ...(Object.keys(query).length ? { query } : {}),
            ...(body !== undefined ? { body } : {}),
            headers: { 'X-User-Id': user._id, 'X-Auth-Token': token },
        });
        await this.options.engine.settled?.();
        this.print(`${response.status} ${JSON.stringify(response.body)}`);
    }

    private switchUser(args: string[]): void {
        if (args.length !== 1) {
            this.print(`! Usage: :user <name>   (users: ${this.people().map((u) => u.username).join(', ')})`);
            return;
        }
        const user = this.findUser(args[0]);
        if (!user) {
            this.print(`! There is no user "${args[0]}" (users: ${this.people().map((u) => u.username).join(', ')})`);
            return;
        }
        this.userId = user._id;
        const room = this.room;
        let note = '';
        if (room && !this.ws.getSubscription(room._id, user._id) && room.t !== 'c') {
            const next = this.pickRoom(user, undefined);
            note = next
                ? ` ${user.username} is not a member of #${room.name}, so you are now in #${next.name}.`
                : ` ${user.username} is not a member of #${room.name}.`;
            this.roomId = next?._id ?? this.roomId;
        }
        const where = this.room;
        this.print(`You are now ${user.username}${where ? ` in #${where.name} (${this.roleIn(where, user)})` : ''}.${note}`);
    }

    private switchRoom(args: string[]): void {
        if (args.length !== 1) {
            this.print(`! Usage: :room <name>   (your rooms: ${this.roomsOf(this.user).map((r) => r.name).join(', ')})`);
            return;
        }
        const room = this.findRoom(args[0]);
        if (!room) {
            this.print(`! There is no room "${args[0]}" — :rooms lists them`);
            return;
        }
        const member = !!this.ws.getSubscription(room._id, this.userId);
        if (!member && room.t !== 'c') {
            this.print(`! ${this.user.username} is not a member of #${room.name} (${roomKind(room)}); switch user with :user <name>`);
            return;
        }
        this.roomId = room._id;
        this.print(
            `Now in #${room.name}: ${this.describeRoom(room)}` +
                (member ? `; you are ${this.roleIn(room, this.user)}` : '; you are not a member (public channel preview)'),
        );
    }

    private describeRoom(room: WsRoom): string {
        const parts = [roomKind(room), room.encrypted ? 'encrypted' : 'not encrypted'];
        if (room.teamId) {
            parts.push(`team ${teamLabel(room, this.ws.getTeam(room.teamId))}`);
        }
        if (room.archived) {
            parts.push('archived');
        }
        return parts.join(', ');
    }

    roomsTable(): string {
        const ws = this.ws;
        const rows = [['', 'room', 'type', 'encrypted', 'team', 'members', 'you']];
        const rooms = [...ws.listRooms()].sort((a, b) => (a.name || a._id).localeCompare(b.name || b._id));
        for (const room of rooms) {
            rows.push([
                room._id === this.roomId ? '*' : '',
                `#${room.name || room._id}`,
                roomKind(room) + (room.archived ? ', archived' : ''),
                room.encrypted ? 'on' : 'off',
                teamLabel(room, room.teamId ? ws.getTeam(room.teamId) : undefined),
                String(ws.getMembers(room._id).length),
                this.roleIn(room, this.user),
            ]);
        }
        // Members are everyone subscribed, as Rocket.Chat counts them: say where the app's own accounts are among them.
        const notes: string[] = [];
        for (const user of ws.listUsers().filter((u) => isAppAccount(u, this.options.serviceUserId))) {
            const where = rooms.filter((r) => ws.getSubscription(r._id, user._id)).map((r) => `#${r.name || r._id}`);
            if (where.length) {
                notes.push(`members include ${userLabel(user, this.options.serviceUserId)} in ${where.join(', ')}`);
            }
        }
        return [table(rows, ''), ...notes.map((n) => `(${n})`)].join('\n');
    }

    private showLog(args: string[]): void {
        const usage = ':log [room] [n]';
        if (args.length > 2) {
            this.print(`! Usage: ${usage}`);
            return;
        }
        // The count is the argument that looks like a number (`0`, `-3`, `2.5`); with two, the second unless only the
        // first does. A room named like a number is written `#2024`.
        const numeric = (arg: string): boolean => /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(arg);
        let roomArg: string | undefined;
        let countArg: string | undefined;
        if (args.length === 2) {
            [roomArg, countArg] = numeric(args[0]) && !numeric(args[1]) ? [args[1], args[0]] : [args[0], args[1]];
        } else if (args.length === 1) {
            [roomArg, countArg] = numeric(args[0]) ? [undefined, args[0]] : [args[0], undefined];
        }
        let count = 10;
        if (countArg !== undefined) {
            count = /^\d+$/.test(countArg) ? Number(countArg) : NaN;
            if (!Number.isSafeInteger(count) || count < 1) {
                this.print(`! ${usage}: the number of messages must be a positive whole number, not "${countArg}"`);
                return;
            }
        }
        let room = this.room;
        if (roomArg !== undefined) {
            room = this.findRoom(roomArg);
            if (!room) {
                this.print(`! There is no room "${roomArg}" — :rooms lists them`);
                return;
            }
        }
        if (!room) {
            this.print('! You are in no room: :log <room>');
            return;
        }
        if (room.t !== 'c' && !this.ws.getSubscription(room._id, this.userId)) {
            this.print(`! ${this.user.username} is not a member of #${room.name}, so cannot read it`);
            return;
        }
        const messages = this.ws.getMessages(room._id);
        for (const message of messages) {
            this.seen.add(message._id);
        }
        const shown = messages.slice(-count);
        const header = `#${room.name} — ${this.describeRoom(room)} — ${shown.length} of ${messages.length} message(s)`;
        this.print([header, ...shown.map((m) => `  ${messageLine(m, { time: true })}`)].join('\n'));
    }

    private whoText(): string {
        const user = this.user;
        const room = this.room;
        // A user may have no name at all (Rocket.Chat allows it): then only the roles.
        const name = (user.name as string | undefined) ? `${user.name}; ` : '';
        const lines = [`You are ${user.username} (${name}roles: ${user.roles.join(', ') || '-'}).`];
        if (room) {
            lines.push(`Room #${room.name}: ${this.describeRoom(room)}; you are ${this.roleIn(room, user)}.`);
            const members = this.ws.getMembers(room._id).map((m) => {
                const role = this.roleIn(room, m);
                const label = userLabel(m, this.options.serviceUserId);
                return role === 'member' ? label : `${label} (${role})`;
            });
            lines.push(`Members: ${members.join(', ') || '-'}`);
        }
        return lines.join('\n');
    }

    private usersTable(): string {
        const rows = [['user', 'name', 'roles', 'rooms']];
        for (const user of this.ws.listUsers()) {
            rows.push([userLabel(user, this.options.serviceUserId), user.name ?? '', user.roles.join(', '), String(this.roomsOf(user).length)]);
        }
        return table(rows, '');
    }

    helpText(): string {
        const commands = this.options.engine.commands();
        const lines = [
            'Type a slash command to run it in this room as this user, e.g.:',
            ...['/encrypt on', '/encrypt status', '/settype public', '/toteam --dry-run', '/encrypt help']
                .filter((l) => commands.includes(l.slice(1).split(' ')[0]))
                .map((l) => `  ${l}`),
            '  (--dry-run anywhere after the command checks everything and changes nothing; a room name acts on that room)',
            'Any other line is posted as a chat message. Chat commands:',
            table(
                META_COMMANDS.map((m) => [`${m.name}${m.args ? ` ${m.args}` : ''}`, m.help]),
                '  ',
            ),
            'Messages of your rooms (and the app\'s private replies to you) appear as they arrive, with their time and room.',
            'Tab completes commands, room names and user names; ↑/↓ browse the history.',
        ];
        return lines.join('\n');
    }

    // ------------------------------------------------------------------ completion

    /** readline completer: [candidates, the word they complete]. */
    complete(line: string): [string[], string] {
        const words = line.split(/\s+/);
        const current = words[words.length - 1];
        const position = words.length - 1;
        const first = words[0].toLowerCase();
        const rooms = this.ws.listRooms().map((r) => r.name).filter((n) => !!n);
        const roomWords = current.startsWith('#') ? rooms.map((n) => `#${n}`) : rooms;
        let candidates: string[] = [];
        if (position === 0) {
            if (current.startsWith('/')) {
                candidates = this.options.engine.commands().map((c) => `/${c}`);
            } else if (current.startsWith(':')) {
                candidates = [...META_COMMANDS.map((m) => m.name)];
            }
        } else if (first.startsWith('/')) {
            const sub = COMMAND_WORDS[first.slice(1)] ?? [];
            candidates = [...(position === 1 ? sub : []), ...roomWords, '--dry-run', ...(first === '/encrypt' ? ['--all', '--job'] : [])];
        } else if (position === 1 && (first === ':user' || META_ALIASES[first] === ':user')) {
            candidates = this.people().map((u) => u.username);
        } else if (position >= 1 && [':room', ':log'].includes(META_ALIASES[first] ?? first)) {
            candidates = roomWords;
        }
        const hits = candidates.filter((c) => c.toLowerCase().startsWith(current.toLowerCase()));
        // A single match is completed with a space after it, ready for the next word.
        return [hits.length === 1 ? [`${hits[0]} `] : hits, current];
    }
}
