import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { RestRoom } from '../workspace/roomView';

/**
 * Which room an operation acts on.
 * - `params`: a REST body's `roomId` / `roomName` keys, with Rocket.Chat's key rules (semantics §3.1);
 * - `idOrName`: a bare word from a command (a room id, else a room name);
 * - `name`: `#name` from a command;
 * - `room`: a room already at hand (the room a command was typed in).
 */
export type RoomRef =
    | { readonly kind: 'params'; readonly params: Readonly<Record<string, unknown>> }
    | { readonly kind: 'idOrName'; readonly value: string }
    | { readonly kind: 'name'; readonly value: string }
    | { readonly kind: 'room'; readonly room: IRoom };

export interface OperationInput {
    /** The invoker, as Rocket.Chat authenticated them. */
    readonly user: IUser;
    readonly room: RoomRef;
    /** Run every check, change nothing, answer the plan. */
    readonly dryRun: boolean;
    /**
     * Who may reach the room. Default: Rocket.Chat's `canAccessRoom` (the room's REST endpoints). A bulk job decides
     * as `rooms.saveRoomSettings` does for its starter: the rooms they govern (interface.md §8: an admin may change
     * groups they are not in).
     */
    readonly reach?: RoomReach;
    /** The attempt was already counted toward the chat doors' rate limit (a bulk job counts once, not per room). */
    readonly counted?: boolean;
}

/** Whether the person may reach the room for the change (answered "not found" otherwise). */
export type RoomReach = (room: IRoom) => Promise<boolean>;

/** What a dry run would do. */
export interface Plan {
    readonly operation: 'setEncrypted' | 'setType' | 'convertToTeam';
    /** `teamMain: true` for a team's main room: a type change makes it a public or private team. */
    readonly room: { readonly _id: string; readonly name: string; readonly fname: string; readonly t: string; readonly teamMain?: true };
    /** Fields that would change: `{ from, to }`. Empty when the write would leave the room as it is. */
    readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
    /** The write the service account would make. */
    readonly request: { readonly method: 'POST'; readonly path: string; readonly body: Readonly<Record<string, unknown>> };
    /** For a team conversion: the team that would be created. */
    readonly team?: { readonly name: string; readonly type: 1; readonly owner: string };
}

/** A core's answer: the plan of a dry run, or the result of the change. `label` names the room in messages. */
export type Outcome<T> =
    | { readonly dryRun: true; readonly label: string; readonly plan: Plan }
    | { readonly dryRun: false; readonly label: string; readonly result: T };

/** A group after an encryption or type change. */
export interface GroupResult {
    /** What changed (empty when the write left the room as it was). */
    readonly changes: Plan['changes'];
    /**
     * The group as Rocket.Chat's REST API shows it, re-read after the write. One more host round trip,
     * so only callers that show the room (the endpoints) ask for it.
     */
    readGroup(): Promise<RestRoom>;
}

export interface TeamResult {
    readonly team: Readonly<Record<string, unknown>>;
}
