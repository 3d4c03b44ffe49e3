/**
 * Shared pieces of the operations engine tests: workspace preparation steps, the reference run on a twin workspace,
 * the normalized state two workspaces are compared by (rocketchat-semantics.md §7.1 attribution differences and
 * write-generated ids and timestamps left out), and the reply texts of `i18n/<lang>.json`.
 */
import { readFileSync } from 'fs';
import path from 'path';

import type { Delivery } from '../../../host/engine/EngineHost.cjs';
import { Workspace } from '../../../host/workspace/Workspace.cjs';
import type { AddRoomOptions } from '../../../host/workspace/Workspace.cjs';
import type { RestResponse, WsStateJSON } from '../../../host/workspace/model.cjs';
import type { EngineUnderTest } from '../harness.cjs';
import type { Fixture } from '../harness.cjs';
import { D_E2E, D_EDIT, D_TYPE } from '../../rocketchat.cjs';

export type Endpoint = 'groups.setEncrypted' | 'groups.setType' | 'groups.convertToTeam';
export type Body = Record<string, unknown>;
/** Room id by room name, in the workspace under test (the twin has the same ids). */
export type IdOf = (roomName: string) => string;
export type Prepare = (fixture: Fixture) => void;

// ---------------------------------------------------------------------------------------------- the engine

// ---------------------------------------------------------------------------------------------- preparation steps

export function all(...steps: Prepare[]): Prepare {
    return (fixture) => steps.forEach((step) => step(fixture));
}

function userIdOf(workspace: Workspace, username: string): string {
    const user = workspace.getUserByUsername(username);
    if (!user) {
        throw new Error(`no user ${username}`);
    }
    return user._id;
}

function roomIdOf(workspace: Workspace, name: string): string {
    const room = workspace.getRoomByName(name);
    if (!room) {
        throw new Error(`no room ${name}`);
    }
    return room._id;
}

export const setting =
    (id: string, value: unknown): Prepare =>
    ({ workspace }) =>
        workspace.setSetting(id, value);

/** The permission held by exactly `roles`. */
export const permission =
    (id: string, roles: string[]): Prepare =>
    ({ workspace }) => {
        workspace.setPermissionRoles(id, roles);
    };

/** `role` added to (`+`) or taken from (`-`) the permission's roles. */
export const grant =
    (id: string, role: string, how: '+' | '-' = '+'): Prepare =>
    ({ workspace }) => {
        const roles = workspace.getPermission(id)?.roles ?? [];
        workspace.setPermissionRoles(id, how === '+' ? [...roles, role] : roles.filter((r) => r !== role));
    };

/** Stored fields of a room set (or, with `undefined`, removed), as if Rocket.Chat had them so. */
export const roomFields =
    (name: string, fields: Record<string, unknown>): Prepare =>
    (fixture) => {
        const state = fixture.workspace.toJSON();
        const room = (state.rooms as unknown as Array<Record<string, unknown>>).find((r) => r.name === name);
        if (!room) {
            throw new Error(`no room ${name}`);
        }
        for (const [key, value] of Object.entries(fields)) {
            if (value === undefined) {
                delete room[key];
            } else {
                room[key] = value;
            }
        }
        fixture.workspace = Workspace.fromJSON(state);
    };

export interface RoomSeed {
    name: string;
    t: AddRoomOptions['t'];
    owner: string;
    members?: string[];
    fname?: string;
    encrypted?: boolean;
    archived?: boolean;
    abacAttributes?: AddRoomOptions['abacAttributes'];
    /** Name of the parent room: a discussion. */
    parent?: string;
    /** Name of a team's main room: the room joins that team. */
    team?: string;
}

/** A room, by usernames and room names. */
export const room =
    (seed: RoomSeed): Prepare =>
    ({ workspace }) => {
        const created = workspace.addRoom({
            name: seed.name,
            t: seed.t,
            owner: userIdOf(workspace, seed.owner),
            members: (seed.members ?? []).map((u) => userIdOf(workspace, u)),
            fname: seed.fname,
            encrypted: seed.encrypted,
            archived: seed.archived,
            abacAttributes: seed.abacAttributes,
            prid: seed.parent ? roomIdOf(workspace, seed.parent) : undefined,
        });
        if (seed.team) {
            const team = workspace.getTeamByMainRoomId(roomIdOf(workspace, seed.team));
            if (!team) {
                throw new Error(`${seed.team} is no team's main room`);
            }
            workspace.addRoomToTeam(created._id, team._id);
        }
    };

/** The user's room roles in the room (joining it first when not a member). */
export const roomRoles =
    (roomName: string, username: string, roles: string[]): Prepare =>
    ({ workspace }) => {
        const rid = roomIdOf(workspace, roomName);
        const uid = userIdOf(workspace, username);
        if (!workspace.getSubscription(rid, uid)) {
            workspace.addMember(rid, uid);
        }
        workspace.setRoomRoles(rid, uid, roles);
    };

export const user =
    (username: string, options: { language?: string; active?: boolean; roles?: string[] } = {}): Prepare =>
    ({ workspace }) => {
        workspace.addUser({ username, ...options });
    };

export const member =
    (roomName: string, username: string): Prepare =>
    ({ workspace }) => {
        workspace.addMember(roomIdOf(workspace, roomName), userIdOf(workspace, username));
    };

export const ABAC_ATTRIBUTES = [{ key: 'dept', values: ['eng'] }];

export const DM = 'dm-alice-bob';

/** A direct message between alice and bob (Rocket.Chat's DMs have no usable name; tests use its id). */
export const dm: Prepare = room({ name: DM, t: 'd', owner: 'alice', members: ['bob'] });

export const DISCUSSION = 'disc-review';

/** A discussion of project-x (`fname` "Design Review"), alice owner, bob member. */
export const discussion = (fields: Partial<RoomSeed> = {}): Prepare =>
    room({ name: DISCUSSION, fname: 'Design Review', t: 'p', owner: 'alice', members: ['bob'], parent: 'project-x', ...fields });

// ---------------------------------------------------------------------------------------------- running

/** A call prepared once: headers minted before the twin is copied, so both workspaces accept them. */
export interface Prepared {
    readonly headers: Record<string, string>;
    readonly twin: Workspace;
    readonly idOf: IdOf;
    /** The state as the app is about to see it. */
    readonly before: string;
    readonly beforeJson: WsStateJSON;
}

/** A fresh workspace for `username`, its exact twin for the reference, and the state before anything runs. */
export async function prepareRun(engine: EngineUnderTest, username: string, prepare?: Prepare): Promise<Prepared> {
    await engine.fresh(prepare);
    const headers = engine.headersOf(username);
    const beforeJson = engine.workspace.toJSON();
    const twin = Workspace.fromJSON(beforeJson);
    engine.workspace.resetCounters();
    return { headers, twin, idOf: (name) => engine.roomId(name), before: engine.workspace.snapshot(), beforeJson };
}

/** Rocket.Chat's own endpoint (`/api/v1/<endpoint>`) in the twin, as the caller. */
export async function runReference(prepared: Prepared, endpoint: Endpoint, body: unknown): Promise<RestResponse> {
    return prepared.twin.handle({ method: 'POST', path: `/api/v1/${endpoint}`, body, headers: prepared.headers });
}

/** The app's endpoint, as the caller. */
/**
 * The app endpoint's answer, status and body (compared with the reference's `handle`, which leaves headers out; the
 * rate-limit headers a forwarded answer carries are tested in hardening.test.cts).
 */
export async function runApp(engine: EngineUnderTest, prepared: Prepared, endpoint: Endpoint, body: unknown): Promise<RestResponse> {
    const { status, body: answer } = await engine.host.callApi({ path: endpoint, body, headers: prepared.headers });
    return { status, body: answer };
}

// ---------------------------------------------------------------------------------------------- normalized state

const DATE_KEYS = new Set(['createdAt', '_updatedAt', 'ts', '_deletedAt', 'lm', 'ls']);
const SYSTEM_SENDER = '<sender: user (core) or service account (app), §7.1>';
const E2E_MESSAGES = new Set(['room_e2e_enabled', 'room_e2e_disabled']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function collectIds(state: WsStateJSON): Set<string> {
    const ids = new Set<string>();
    for (const list of Object.values(state)) {
        if (Array.isArray(list)) {
            for (const doc of list as Array<{ _id?: unknown }>) {
                if (typeof doc._id === 'string') {
                    ids.add(doc._id);
                }
            }
        }
    }
    return ids;
}

function replaceDeep(value: Json, ids: ReadonlyMap<string, string>): Json {
    if (typeof value === 'string') {
        return ids.get(value) ?? value;
    }
    if (Array.isArray(value)) {
        return value.map((item) => replaceDeep(item, ids));
    }
    if (value && typeof value === 'object') {
        const out: { [key: string]: Json } = {};
        for (const [key, item] of Object.entries(value)) {
            out[key] = DATE_KEYS.has(key) ? '<date>' : replaceDeep(item, ids);
        }
        return out;
    }
    return value;
}

/**
 * A workspace's state for comparing an app run with a reference run: timestamps become `<date>`, ids created by the
 * write become `<new:collection:n>`, and what §7.1 lets differ is blanked (a system message's sender, the `msg` of
 * the e2e messages, team and team-member `createdBy`). Everything else — rooms, subscriptions (`t`, roles), teams
 * (`type`), team members (roles), messages (type, room, text), users, permissions, settings — must be equal.
 */
export function normalizedState(workspace: Workspace, before: WsStateJSON): Json {
    const state = workspace.toJSON();
    const known = collectIds(before);
    const fresh = new Map<string, string>();
    for (const [collection, list] of Object.entries(state)) {
        if (Array.isArray(list)) {
            (list as Array<{ _id?: unknown }>).forEach((doc, index) => {
                if (typeof doc._id === 'string' && !known.has(doc._id)) {
                    fresh.set(doc._id, `<new:${collection}:${index}>`);
                }
            });
        }
    }
    const json = replaceDeep(state as unknown as Json, fresh) as { [key: string]: Json };
    for (const message of json.messages as Array<{ [key: string]: Json }>) {
        if (typeof message.t === 'string') {
            message.u = SYSTEM_SENDER;
            if (E2E_MESSAGES.has(message.t)) {
                message.msg = SYSTEM_SENDER;
            }
        }
    }
    for (const doc of [...(json.teams as Array<{ [key: string]: Json }>), ...(json.teamMembers as Array<{ [key: string]: Json }>)]) {
        if (known.has(String(doc._id))) {
            continue;
        }
        doc.createdBy = '<creator: user (core) or service account (app), §7.1>';
    }
    return json;
}

/**
 * The system messages written since `before` are `expected`: each entry a message type (`room_e2e_enabled`) or a type
 * with its text (`room_changed_privacy:Public`).
 */
export function expectMessages(workspace: Workspace, before: WsStateJSON, expected: ReadonlyArray<string> = []): void {
    const written = workspace.toJSON().messages.slice(before.messages.length);
    expect(written.map((m, i) => ((expected[i] ?? '').includes(':') ? `${m.t}:${m.msg}` : m.t))).toEqual(expected);
}

// ---------------------------------------------------------------------------------------------- answers

export interface Failure {
    readonly status: number;
    readonly error: string;
    readonly errorType?: string;
    readonly details?: Record<string, unknown>;
}

/** What Rocket.Chat answers per the semantics document: 200, or a failure body. */
export type Answer = 'ok' | Failure;

export function failureBody(failure: Failure): Record<string, unknown> {
    return {
        success: false,
        error: failure.error,
        ...(failure.errorType ? { errorType: failure.errorType } : {}),
        ...(failure.details ? { details: failure.details } : {}),
    };
}


const plain = (error: string, status = 400): Failure => ({ status, error });
const coded = (errorType: string, reason: string, details?: Record<string, unknown>): Failure => ({
    status: 400,
    error: `${reason} [${errorType}]`,
    errorType,
    ...(details ? { details } : {}),
});
const notAllowed = (reason: string, details: Record<string, unknown>): Failure => coded('error-action-not-allowed', reason, details);

/** The answers of rocketchat-semantics.md, verbatim. */
export const A = {
    notFound: coded('error-room-not-found', 'The required "roomId" or "roomName" param provided does not match any group'),
    paramNotProvided: coded('error-room-param-not-provided', 'The parameter "roomId" or "roomName" is required'),
    emptyRoomKey: plain('The parameter "roomId" or "roomName" is required'),
    groupArchived: (name: string) => coded('error-room-archived', `The private group, ${name}, is archived`),
    channelArchived: (name: string) => coded('error-room-archived', `The channel, ${name}, is archived`),
    editRoom: notAllowed('Editing room is not allowed', D_EDIT),
    e2eDisabled: notAllowed('Only groups or direct channels can enable encryption', D_E2E),
    e2eToggle: notAllowed('You do not have permission to toggle E2E encryption', D_E2E),
    encryptedRequired: plain('The bodyParam "encrypted" is required'),
    typeRequired: plain('The bodyParam "type" is required'),
    sameType: plain('The private group type is the same as what it would be changed to.'),
    toPublic: notAllowed('Changing a private group to a public channel is not allowed', D_TYPE),
    abacRoom: notAllowed('Changing an ABAC managed private room to public is not allowed', D_TYPE),
    /** The app's refusal on an ABAC-managed room it cannot decide for (src/access: attributes apps cannot read). */
    abacAccess: (room: string): Failure =>
        coded('error-action-not-allowed', `${room} is managed by attribute-based access control: Rocket.Chat decides access from attributes Group Admin cannot read`),
    teamToPublic: notAllowed("Changing a team's private group to a public channel is not allowed", D_TYPE),
    abacTeam: notAllowed('Changing an ABAC managed private team room to public is not allowed', D_TYPE),
    invalidType: (type: string) => coded('error-invalid-room-type', 'error-invalid-room-type', { function: 'RocketChat.saveRoomType', type }),
    toPrivate: notAllowed('Changing a public channel to a private room is not allowed', D_TYPE),
    teamToPrivate: notAllowed("Changing a team's public channel to a private room is not allowed", D_TYPE),
    unauthorized: plain('unauthorized', 403),
    teamNameTaken: plain('team-name-already-exists'),
    roomNameTaken: plain('room-name-already-exists'),
    inTeam: coded('error-room-already-in-team', 'The private group is already part of a team'),
    blocked: (name: string) =>
        coded('error-blocked-username', `${name} is blocked and can't be used!`, { method: 'checkUsernameAvailability', field: name }),
} as const;

// ---------------------------------------------------------------------------------------------- i18n

const I18N_DIR = path.resolve(__dirname, '..', '..', '..', 'i18n');
export const LANGUAGES = ['en', 'pt-BR', 'es', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

const catalogs = new Map<string, Record<string, string>>();

function catalog(language: Language): Record<string, string> {
    let texts = catalogs.get(language);
    if (!texts) {
        texts = JSON.parse(readFileSync(path.join(I18N_DIR, `${language}.json`), 'utf8')) as Record<string, string>;
        catalogs.set(language, texts);
    }
    return texts;
}

/** The text of `key` in `i18n/<language>.json` with its `{{params}}` filled in. */
export function text(language: Language, key: string, params: Record<string, string> = {}): string {
    const template = catalog(language)[key];
    if (typeof template !== 'string') {
        throw new Error(`i18n/${language}.json has no ${key}`);
    }
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole: string, name: string) => params[name] ?? whole);
}

/** The ephemeral replies of a command run. */
export function ephemeral(deliveries: Delivery[]): Delivery[] {
    return deliveries.filter((d) => d.kind === 'ephemeral');
}
