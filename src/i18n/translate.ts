import { CATALOG } from './catalog.generated';
import type { Language, MessageKey } from './catalog.generated';

export type TranslationParams = Readonly<Record<string, string | number>>;

export type Translator = (key: MessageKey, params?: TranslationParams) => string;

/** `{{name}}` placeholders are replaced by the params; unknown ones stay as they are. */
export function translate(language: Language, key: MessageKey, params: TranslationParams = {}): string {
    const template = CATALOG[language][key] || CATALOG.en[key];
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole: string, name: string) =>
        Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
}

export function translator(language: Language): Translator {
    return (key, params) => translate(language, key, params);
}
