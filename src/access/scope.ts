import type { IRoom } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import type { OperationContext } from '../operations/context';
import { readGroupsPage } from '../workspace/groupListing';
import type { ListedGroup } from '../workspace/groupListing';
import { isFederated, unmappedOf } from '../workspace/roomView';
import { readUserRooms } from '../workspace/userRooms';

/**
 * A private group in someone's scope, as the report shows it (interface.md §8). `keyEstablished`: a member's client has
 * created the room key (`e2eKeyId` set) — until then `encrypted: true` protects nothing yet. `changeable`: the person
 * may change its encryption now.
 */
export interface GovernedGroup {
    readonly _id: string;
    readonly name: string;
    readonly fname: string;
    readonly encrypted: boolean;
    readonly keyEstablished: boolean;
    readonly changeable: boolean;
    readonly archived: boolean;
    readonly federated: boolean;
    readonly teamId: string | null;
    readonly teamMain: boolean;
    readonly prid: string | null;
    readonly usersCount: number | null;
}

type Candidate = Omit<GovernedGroup, 'changeable'>;

/** The most rooms one page holds: `groups.listAll` answers at most the workspace's `API_Upper_Count_Limit` anyway. */
export const MAX_PAGE_SIZE = 500;

/** Rocket.Chat's default `API_Upper_Count_Limit`, when the setting cannot be read. */
const DEFAULT_PAGE_SIZE = 100;

function text(value: unknown): string {
    return typeof value === 'string' ? value : '';
}

function optionalText(value: unknown): string | null {
    return typeof value === 'string' && value ? value : null;
}

/** A group from `groups.listAll` (Rocket.Chat's room document). */
function fromListing(doc: ListedGroup): Candidate | undefined {
    const id = text(doc._id);
    if (!id || doc.t !== 'p') {
        return undefined;
    }
    const name = text(doc.name);
    return {
        _id: id,
        name,
        fname: text(doc.fname) || name,
        encrypted: doc.encrypted === true,
        keyEstablished: !!optionalText(doc.e2eKeyId),
        archived: doc.archived === true,
        federated: doc.federated === true,
        teamId: optionalText(doc.teamId),
        teamMain: doc.teamMain === true,
        prid: optionalText(doc.prid),
        usersCount: typeof doc.usersCount === 'number' ? doc.usersCount : null,
    };
}

/** A group from the room accessor (fields it does not map arrive in `_unmappedProperties_`). */
function fromRoom(room: IRoom): Candidate | undefined {
    if (String(room.type) !== 'p') {
        return undefined;
    }
    const extras = unmappedOf(room);
    const name = room.slugifiedName || '';
    const parent = room.parentRoom as IRoom | string | undefined;
    const prid = typeof parent === 'string' ? parent : parent && typeof parent === 'object' ? parent.id : extras.prid;
    return {
        _id: room.id,
        name,
        fname: room.displayName || name,
        encrypted: extras.encrypted === true,
        keyEstablished: !!optionalText(extras.e2eKeyId),
        archived: extras.archived === true,
        federated: isFederated(room),
        teamId: optionalText(room.teamId),
        teamMain: room.isTeamMain === true,
        prid: optionalText(prid),
        usersCount: typeof extras.usersCount === 'number' ? extras.usersCount : null,
    };
}

/** Mongo's order of `{ name: 1 }` (binary), as `groups.listAll` sorts. */
function byName(a: Candidate, b: Candidate): number {
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Who governs which private groups (interface.md §8), decided the chat doors' way — live, fail closed, the permission
 * table brought up to date first (one `AccessService` per scope: open a new scope for each operation or batch).
 *
 * - A person holding `view-room-administration` governs every private group (type `p`: discussions and private teams'
 *   main rooms included), read page by page from Rocket.Chat's `groups.listAll` as the service account — which must hold
 *   that permission too (else `service-account-cannot-list`). Federated groups are listed as `federated`, never
 *   changeable.
 * - Anyone else governs the private groups they have a subscription to and hold `edit-room` in (their subscriptions
 *   and room roles read in one `users.info?includeUserRooms=true` as the service account, which needs
 *   `view-other-user-channels`). Apps cannot tell an
 *   accepted subscription from a pending invitation, and only federated rooms carry invitations (§5), so a federated
 *   group is never in such a person's scope: it is neither listed nor counted.
 *
 * `changeable`: the person may change the group's encryption now, as Rocket.Chat decides `rooms.saveRoomSettings {
 * encrypted }` for them — the workspace's `E2E_Enable` on, the group neither archived nor federated, `edit-room` and
 * `toggle-room-e2e-encryption` in the room's scope (room roles count only where the person has a subscription; an
 * administrator holds both globally and may change groups they are not in).
 *
 * Memory: never more than one page of groups; for a member also the ids of the groups they govern (their
 * subscriptions, which Rocket.Chat answers whole).
 */
export class GovernanceScope {
    private constructor(
        private readonly ctx: OperationContext,
        /** The person; undefined for the workspace's own summary (no person: what an administrator could change). */
        readonly person: IUser | undefined,
        /** Every private group of the workspace (`view-room-administration`, or no person). */
        readonly governsAll: boolean,
        /** The workspace's `E2E_Enable`, read once for the scope. */
        readonly e2eEnabled: boolean,
        /** How many groups one page holds. */
        readonly pageSize: number,
    ) {}

    /** The scope of `person`: reads the permission table (fails closed: `permissions-unavailable`) and `E2E_Enable`. */
    static async of(person: IUser, ctx: OperationContext): Promise<GovernanceScope> {
        const governsAll = await ctx.access.hasPermission(person, 'view-room-administration');
        return new GovernanceScope(ctx, person, governsAll, await ctx.serverSettings.isTrue('E2E_Enable'), await GovernanceScope.pageSizeOf(ctx));
    }

    /**
     * Every private group of the workspace with no person behind it (the scheduled report's summary, posted only where
     * everyone holds `view-room-administration`): `changeable` is what a workspace administrator could change — E2E on,
     * neither archived nor federated.
     */
    static async ofWorkspace(ctx: OperationContext): Promise<GovernanceScope> {
        return new GovernanceScope(ctx, undefined, true, await ctx.serverSettings.isTrue('E2E_Enable'), await GovernanceScope.pageSizeOf(ctx));
    }

    private static async pageSizeOf(ctx: OperationContext): Promise<number> {
        const limit = await ctx.serverSettings.get('API_Upper_Count_Limit');
        return typeof limit === 'number' && limit > 0 ? Math.min(Math.floor(limit), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
    }

    /** Every group in scope, sorted by name, `pageSize` at a time. */
    public async *pages(): AsyncGenerator<ReadonlyArray<GovernedGroup>> {
        if (this.governsAll) {
            yield* this.listedPages();
            return;
        }
        yield* this.memberPages();
    }

    /**
     * One room, decided now (a bulk job's room at its turn, a room named in `rooms`): the group as the scope sees it, or
     * undefined when the room does not exist, is no private group or is outside the scope — to the person it does not
     * exist (answer `error-room-not-found`, never its name).
     */
    public async decide(roomId: string): Promise<GovernedGroup | undefined> {
        const room = roomId ? await this.ctx.rooms.getById(roomId) : undefined;
        return room ? this.decideRoom(room) : undefined;
    }

    /** {@link decide} for a room already at hand. */
    public async decideRoom(room: IRoom): Promise<GovernedGroup | undefined> {
        const candidate = fromRoom(room);
        if (!candidate || !(await this.inScope(candidate))) {
            return undefined;
        }
        return { ...candidate, changeable: await this.changeable(candidate) };
    }

    /**
     * Every private group from `groups.listAll`, page by page in name order; with `roomRolesOf`, only the groups it knows
     * (a member's governed groups, with their room roles there).
     */
    private async *listedPages(roomRolesOf?: ReadonlyMap<string, ReadonlyArray<string>>): AsyncGenerator<ReadonlyArray<GovernedGroup>> {
        let offset = 0;
        for (;;) {
            const page = await readGroupsPage(this.ctx.workspace, offset, this.pageSize);
            const groups: GovernedGroup[] = [];
            for (const doc of page.groups) {
                const candidate = fromListing(doc);
                const roomRoles = candidate && roomRolesOf ? roomRolesOf.get(candidate._id) : undefined;
                if (candidate && (!roomRolesOf || (roomRoles && !candidate.federated))) {
                    groups.push({ ...candidate, changeable: await this.changeable(candidate, roomRoles) });
                }
            }
            if (groups.length) {
                yield groups;
            }
            offset += page.groups.length;
            if (!page.groups.length || offset >= page.total) {
                return;
            }
        }
    }

    /**
     * A member's groups: their subscriptions with their room roles in one read (`users.info?includeUserRooms=true`), the
     * private, non-federated ones where those roles (or their global ones) grant `edit-room`; then the groups themselves —
     * one room read each when they fit in one page, else `groups.listAll` filtered to them (fewer reads than rooms).
     */
    private async *memberPages(): AsyncGenerator<ReadonlyArray<GovernedGroup>> {
        const person = this.person as IUser;
        const roomRolesOf = new Map<string, ReadonlyArray<string>>();
        for (const sub of await readUserRooms(this.ctx.workspace, person.id)) {
            if (sub.rid && sub.t === 'p' && !sub.federated && (await this.ctx.access.hasPermissionWithRoomRoles(person, 'edit-room', sub.roles))) {
                roomRolesOf.set(sub.rid, sub.roles);
            }
        }
        if (roomRolesOf.size > this.pageSize) {
            yield* this.listedPages(roomRolesOf);
            return;
        }
        const groups: GovernedGroup[] = [];
        for (const room of await Promise.all([...roomRolesOf.keys()].map((id) => this.ctx.rooms.getById(id)))) {
            const candidate = room ? fromRoom(room) : undefined;
            if (candidate && !candidate.federated) {
                groups.push({ ...candidate, changeable: await this.changeable(candidate, roomRolesOf.get(candidate._id)) });
            }
        }
        if (groups.length) {
            yield groups.sort(byName);
        }
    }

    private async inScope(group: Candidate): Promise<boolean> {
        const person = this.person;
        if (this.governsAll || !person) {
            return true;
        }
        if (group.federated || !(await this.ctx.access.isSubscribed(person, group._id))) {
            return false;
        }
        return this.ctx.access.hasPermission(person, 'edit-room', group._id);
    }

    /** `roomRoles`: the person's room roles there when already known (no room-role reads then). */
    private async changeable(group: Candidate, roomRoles?: ReadonlyArray<string>): Promise<boolean> {
        if (!this.e2eEnabled || group.archived || group.federated) {
            return false;
        }
        const person = this.person;
        if (!person) {
            return true;
        }
        if (roomRoles) {
            return (
                (await this.ctx.access.hasPermissionWithRoomRoles(person, 'edit-room', roomRoles)) &&
                this.ctx.access.hasPermissionWithRoomRoles(person, 'toggle-room-e2e-encryption', roomRoles)
            );
        }
        // Room roles live on subscriptions: without one, only global roles can grant (no room-role reads).
        const scopeRoom = (await this.ctx.access.isSubscribed(person, group._id)) ? group._id : undefined;
        return this.ctx.access.hasAllPermissions(person, ['edit-room', 'toggle-room-e2e-encryption'], scopeRoom);
    }
}
