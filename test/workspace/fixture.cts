/**
 * A small workspace for the semantics tests: every kind of room the edge cases need, users in every role, and a
 * `call` helper that sends a REST request as a given user.
 */
import { Workspace } from '../../host/workspace/Workspace.cjs';
import type { RestResponse, WsRoom, WsUser } from '../../host/workspace/model.cjs';

export { D_E2E, D_EDIT, D_TYPE, GROUP_NOT_FOUND, NOT_LOGGED_IN, PARAM_NOT_PROVIDED, actionNotAllowed } from '../rocketchat.cjs';

export class Fixture {
    readonly ws: Workspace;
    readonly users: Record<
        'admin' | 'owner' | 'mod' | 'member' | 'outsider' | 'guest' | 'service' | 'teamOwner' | 'teamMod' | 'teamMember' | 'inactive',
        WsUser
    >;
    readonly rooms: Record<
        'group' | 'archived' | 'channel' | 'archivedChannel' | 'dm' | 'livechat' | 'teamMain' | 'teamChild' | 'teamChannel' | 'discussion',
        WsRoom
    >;
    readonly teamId: string;
    private readonly tokens = new Map<string, string>();

    constructor() {
        const ws = Workspace.empty();
        ws.setSetting('E2E_Enable', true);
        this.ws = ws;
        const u = (username: string, roles: string[] = ['user'], extra: Partial<Parameters<Workspace['addUser']>[0]> = {}): WsUser =>
            ws.addUser({ username, roles, ...extra });
        this.users = {
            admin: u('admin', ['admin', 'user']),
            owner: u('olivia'),
            mod: u('mo'),
            member: u('mel'),
            outsider: u('otto'),
            guest: u('gus', ['guest']),
            service: u('svc', ['admin', 'user']),
            teamOwner: u('tom'),
            teamMod: u('tim'),
            teamMember: u('tam'),
            inactive: u('ina', ['user'], { active: false }),
        };
        const { owner, mod, member, admin, teamOwner, teamMod, teamMember, outsider } = this.users;
        const group = ws.addRoom({ name: 'secret', t: 'p', owner: owner._id, members: [mod._id, member._id] });
        ws.setRoomRoles(group._id, mod._id, ['moderator']);
        const archived = ws.addRoom({ name: 'attic', t: 'p', owner: owner._id, members: [member._id], archived: true });
        const channel = ws.addRoom({ name: 'lobby', t: 'c', owner: owner._id, members: [member._id], default: true });
        const archivedChannel = ws.addRoom({ name: 'museum', t: 'c', owner: owner._id, archived: true });
        const dm = ws.addRoom({ name: 'olivia-mel', t: 'd', owner: owner._id, members: [member._id] });
        const livechat = ws.addRoom({ name: 'visitor-chat', t: 'l', owner: owner._id });
        const teamMain = ws.addRoom({ name: 'crew', t: 'p', owner: teamOwner._id, members: [teamMod._id, teamMember._id, owner._id] });
        ws.setRoomRoles(teamMain._id, teamMod._id, ['moderator']);
        const team = ws.addTeam({ name: 'crew', type: 1, mainRoomId: teamMain._id, ownerId: teamOwner._id, memberIds: [teamMod._id, teamMember._id, owner._id] });
        this.teamId = team._id;
        const teamChild = ws.addRoom({ name: 'crew-ops', t: 'p', owner: owner._id, members: [teamMod._id, teamMember._id] });
        ws.addRoomToTeam(teamChild._id, team._id);
        const teamChannel = ws.addRoom({ name: 'crew-hall', t: 'c', owner: owner._id, members: [teamMod._id] });
        ws.addRoomToTeam(teamChannel._id, team._id);
        const discussion = ws.addRoom({ name: 'd-k2Jx9', fname: 'Launch plan', t: 'p', owner: owner._id, prid: group._id, members: [member._id] });
        void admin;
        void outsider;
        this.rooms = {
            group: ws.getRoom(group._id) as WsRoom,
            archived,
            channel,
            archivedChannel,
            dm,
            livechat,
            teamMain: ws.getRoom(teamMain._id) as WsRoom,
            teamChild: ws.getRoom(teamChild._id) as WsRoom,
            teamChannel: ws.getRoom(teamChannel._id) as WsRoom,
            discussion,
        };
    }

    headers(user: WsUser): Record<string, string> {
        let token = this.tokens.get(user._id);
        if (!token) {
            token = this.ws.createAuthToken(user._id);
            this.tokens.set(user._id, token);
        }
        return { 'X-User-Id': user._id, 'X-Auth-Token': token };
    }

    /** Pre-creates the tokens so that "nothing changed" snapshots are not disturbed by token creation. */
    login(...users: WsUser[]): void {
        for (const user of users) this.headers(user);
    }

    post(user: WsUser, endpoint: string, body: unknown): Promise<RestResponse> {
        return this.ws.handle({ method: 'POST', path: `/api/v1/${endpoint}`, headers: this.headers(user), body });
    }

    get(user: WsUser, endpoint: string, query: Record<string, string> = {}): Promise<RestResponse> {
        return this.ws.handle({ method: 'GET', path: `/api/v1/${endpoint}`, headers: this.headers(user), query });
    }

    room(id: string): WsRoom {
        return this.ws.getRoom(id) as WsRoom;
    }

    /**
     * Runs `action` and asserts the answer, and that the workspace did not change at all.
     */
    async expectRejected(action: () => Promise<RestResponse>, status: number, body: unknown): Promise<void> {
        const before = this.ws.snapshot();
        const res = await action();
        expect(res).toEqual({ status, body });
        expectSameSnapshot(this.ws.snapshot(), before);
    }
}

/** Asserts two `snapshot()` strings are equal, naming the collections that differ instead of dumping them. */
export function expectSameSnapshot(after: string, before: string): void {
    if (after === before) return;
    const a = JSON.parse(after) as Record<string, unknown>;
    const b = JSON.parse(before) as Record<string, unknown>;
    const changed = Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    throw new Error(`the workspace changed (collections: ${changed.join(', ')})`);
}
