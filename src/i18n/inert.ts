/**
 * Names the bot writes into chat are inert (interface.md §9): a room's name, a display name or a username can never
 * mention (`@all`, `@here`), link or format. A name of words of letters and digits, joined by single dashes or spaces, is written as it is; any other
 * is written as inline code (Rocket.Chat's message parser neither mentions, links nor formats inside it, and its
 * mention rule needs a space before `@`), its backticks replaced by a look-alike so it cannot close the code span.
 */
const PLAIN = /^[\p{L}\p{N}]+(?:[ -][\p{L}\p{N}]+)*$/u;

/** Usernames Rocket.Chat accepts by default (`UTF8_User_Names_Validation`), which mention exactly that user. */
const MENTIONABLE = /^[A-Za-z0-9._-]+$/;

/** Mentions of everyone: never written as a mention. */
const EVERYONE = ['all', 'here'];

/** Inline code that `text` cannot close or break out of. */
function codeSpan(text: string): string {
    return `\`${text.replace(/`/g, 'ˋ').replace(/[\r\n]+/g, ' ') || ' '}\``;
}

export function inertName(name: string): string {
    return PLAIN.test(name) ? name : codeSpan(name);
}

/** A username after `@`: a mention of that one user, or inline code when it could be anything else. */
export function inertUsername(username: string): string {
    return MENTIONABLE.test(username) && EVERYONE.indexOf(username.toLowerCase()) < 0 ? username : codeSpan(username);
}

/** The translation parameters that carry names, and how each is made inert. */
export const NAME_PARAMS: Readonly<Record<string, (value: string) => string>> = {
    room: inertName,
    name: inertName,
    team: inertName,
    user: inertUsername,
};
