/** Every change a command or a room button can ask for (the doors, the history and the announcements share it). */
export const CHANGE_KINDS = ['encrypt-on', 'encrypt-off', 'public', 'private', 'team', 'unteam'] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

export function isChangeKind(value: unknown): value is ChangeKind {
    return typeof value === 'string' && (CHANGE_KINDS as ReadonlyArray<string>).indexOf(value) >= 0;
}
