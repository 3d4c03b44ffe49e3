/**
 * What Rocket.Chat's own end-to-end tests (`apps/meteor/tests/end-to-end/api/*.ts`) need, against the in-memory
 * workspace instead of a server: the admin's `credentials` (upstream `getCredentials`), `request` as the REST client,
 * and upstream's data helpers (`createUser`, `createRoom`, `updatePermission`, `updateSetting`) as workspace seeds.
 * No engine: these check the stand-in with tests somebody else wrote.
 */
import { Workspace } from '../../../host/workspace/Workspace.cjs';
import type { RestResponse, RoomType, WsRoom, WsUser } from '../../../host/workspace/model.cjs';

export type Credentials = Record<string, string>;

export class Upstream {
    readonly ws = Workspace.empty();
    readonly admin: WsUser;
    /** upstream `credentials`: the admin's login headers. */
    readonly credentials: Credentials;

    constructor() {
        this.ws.setSetting('E2E_Enable', true);
        this.admin = this.ws.addUser({ username: 'rocketchat.internal.admin.test', roles: ['admin', 'user'] });
        this.credentials = this.login(this.admin);
    }

    /** upstream `login(username, password)`: a login token's headers. */
    login(user: WsUser): Credentials {
        return { 'X-User-Id': user._id, 'X-Auth-Token': this.ws.createAuthToken(user._id) };
    }

    /** upstream `createUser()`: a plain `user`. */
    createUser(username = `user.test.${Math.random().toString(36).slice(2, 10)}`): WsUser {
        return this.ws.addUser({ username, roles: ['user'] });
    }

    /** upstream `createRoom({ type, name })` by the admin (or `owner`). */
    createRoom(type: RoomType, name: string, owner: WsUser = this.admin): WsRoom {
        return this.ws.addRoom({ name, t: type, owner: owner._id });
    }

    /** upstream `updatePermission(id, roles)`. */
    updatePermission(id: string, roles: string[]): void {
        this.ws.setPermissionRoles(id, roles);
    }

    /** upstream `updateSetting(id, value)`. */
    updateSetting(id: string, value: unknown): void {
        this.ws.setSetting(id, value);
    }

    /** `request.get(api(path)).set(credentials).query(query)`; `null` = no credentials at all. */
    get(path: string, query: Record<string, string> = {}, credentials: Credentials | null = this.credentials): Promise<RestResponse> {
        return this.ws.handle({ method: 'GET', path: `/api/v1/${path}`, query, headers: credentials ?? {} });
    }

    post(path: string, body: unknown, credentials: Credentials = this.credentials): Promise<RestResponse> {
        return this.ws.handle({ method: 'POST', path: `/api/v1/${path}`, body, headers: credentials });
    }
}

/** upstream `getRoomInfo(roomId)`: `channels.info` as the admin. */
export async function getRoomInfo(up: Upstream, roomId: string): Promise<{ channel: Record<string, unknown> }> {
    return (await up.get('channels.info', { roomId })).body as { channel: Record<string, unknown> };
}
