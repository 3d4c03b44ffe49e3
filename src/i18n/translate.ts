import { CATALOG } from './catalog.generated';
import type { Language, MessageKey } from './catalog.generated';
import { NAME_PARAMS } from './inert';

export type TranslationParams = Readonly<Record<string, string | number>>;

export type Translator = (key: MessageKey, params?: TranslationParams) => string;

/**
 * `{{name}}` placeholders are replaced by the params; unknown ones stay as they are. Names (`room`, `name`, `team`,
 * `user`) are made inert first (`inert.ts`): whatever a room or a person is called, the text cannot mention, link or
 * format.
 */
export function translate(language: Language, key: MessageKey, params: TranslationParams = {}): string {
    const template = CATALOG[language][key] || CATALOG.en[key];
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole: string, name: string) => {
        if (!Object.prototype.hasOwnProperty.call(params, name)) {
            return whole;
        }
        const value = String(params[name]);
        return Object.prototype.hasOwnProperty.call(NAME_PARAMS, name) ? NAME_PARAMS[name](value) : value;
    });
}

export function translator(language: Language): Translator {
    return (key, params) => translate(language, key, params);
}
