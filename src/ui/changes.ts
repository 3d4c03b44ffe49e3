import type { MessageKey } from '../i18n/catalog.generated';
import type { ChangeKind } from '../operations/changeKind';
import type { OperationContext } from '../operations/context';
import { convertToChannel } from '../operations/convertToChannel';
import { convertToTeam } from '../operations/convertToTeam';
import { setEncrypted } from '../operations/setEncrypted';
import { setType } from '../operations/setType';
import type { GroupResult, OperationInput, Outcome, TeamResult } from '../operations/types';

export type ChangeOutcome = Outcome<GroupResult | TeamResult>;

/** The texts of a change: its plan (modal and dry run), its confirmation title and its reply. */
export interface ChangeKeys {
    readonly title: MessageKey;
    readonly change: MessageKey;
    readonly who: MessageKey;
    readonly warning: MessageKey;
    readonly done: MessageKey;
    /** When the write would leave the room as it is (encryption already in that state): the answers then. */
    readonly unchanged?: { readonly done: MessageKey; readonly dryRun: MessageKey };
}

export interface Change {
    readonly kind: ChangeKind;
    /** Hard to take back: asks for confirmation first while the `confirm_changes` setting is on. */
    readonly risky: boolean;
    readonly keys: ChangeKeys;
    /** The operation core (every check, then the write; only the checks and a plan on a dry run). */
    perform(input: OperationInput, ctx: OperationContext): Promise<ChangeOutcome>;
}

const keysOf = (name: 'encrypt_on' | 'encrypt_off' | 'public' | 'private' | 'team' | 'unteam', done: MessageKey): ChangeKeys => ({
    title: `modal_title_${name}`,
    change: `plan_${name}_change`,
    who: `plan_${name}_who`,
    warning: `plan_${name}_warning`,
    done,
});

const CHANGES: Readonly<Record<ChangeKind, Change>> = {
    'encrypt-on': {
        kind: 'encrypt-on',
        risky: false,
        keys: { ...keysOf('encrypt_on', 'done_encrypt_on'), unchanged: { done: 'done_encrypt_unchanged_on', dryRun: 'dryrun_encrypt_unchanged_on' } },
        perform: (input, ctx) => setEncrypted({ ...input, encrypted: true }, ctx),
    },
    'encrypt-off': {
        kind: 'encrypt-off',
        risky: true,
        keys: { ...keysOf('encrypt_off', 'done_encrypt_off'), unchanged: { done: 'done_encrypt_unchanged_off', dryRun: 'dryrun_encrypt_unchanged_off' } },
        perform: (input, ctx) => setEncrypted({ ...input, encrypted: false }, ctx),
    },
    public: {
        kind: 'public',
        risky: true,
        keys: keysOf('public', 'done_type_public'),
        perform: (input, ctx) => setType({ ...input, type: 'c' }, ctx),
    },
    private: {
        kind: 'private',
        risky: true,
        keys: keysOf('private', 'done_type_private'),
        perform: (input, ctx) => setType({ ...input, type: 'p' }, ctx),
    },
    team: {
        kind: 'team',
        risky: true,
        keys: keysOf('team', 'done_team'),
        perform: (input, ctx) => convertToTeam(input, ctx),
    },
    unteam: {
        kind: 'unteam',
        risky: true,
        keys: keysOf('unteam', 'done_unteam'),
        perform: (input, ctx) => convertToChannel(input, ctx),
    },
};

export function changeOf(kind: ChangeKind): Change {
    return CHANGES[kind];
}

/** Whether the outcome changes (or changed) the room: an encryption write may leave it as it was. */
export function changesSomething(outcome: ChangeOutcome): boolean {
    if (outcome.dryRun) {
        return Object.keys(outcome.plan.changes).length > 0;
    }
    const { result } = outcome;
    return 'changes' in result ? Object.keys(result.changes).length > 0 : true;
}
