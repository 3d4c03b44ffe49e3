import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { LANGUAGES } from './catalog.generated';
import type { Language } from './catalog.generated';

export const DEFAULT_LANGUAGE: Language = 'en';

/** A shipped language for a language tag: exact match (any case), else the same base language (`pt` → `pt-BR`). */
export function matchLanguage(tag: string): Language | undefined {
    const wanted = tag.trim().toLowerCase().replace(/_/g, '-');
    const exact = LANGUAGES.find((lang) => lang.toLowerCase() === wanted);
    if (exact) {
        return exact;
    }
    const base = wanted.split('-')[0];
    return LANGUAGES.find((lang) => lang.toLowerCase().split('-')[0] === base);
}

/** The language of a server `Language` setting's value: a shipped language for it, else English. */
export function serverLanguage(tag: unknown): Language {
    return (typeof tag === 'string' && matchLanguage(tag)) || DEFAULT_LANGUAGE;
}

function isSet(tag: unknown): tag is string {
    return typeof tag === 'string' && tag.trim() !== '' && tag.trim().toLowerCase() !== 'default';
}

/**
 * The invoker's language: the user's preference, else the server's `Language` setting (read only when
 * needed), else English. A set preference that is not shipped gives English.
 */
export async function resolveLanguage(user: IUser, serverLanguage: () => Promise<unknown>): Promise<Language> {
    const preference = user.settings && user.settings.preferences ? user.settings.preferences.language : undefined;
    const tag = isSet(preference) ? preference : await serverLanguage();
    return (isSet(tag) && matchLanguage(tag)) || DEFAULT_LANGUAGE;
}
