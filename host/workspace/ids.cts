/**
 * Rocket.Chat-style identifiers. Documents created by Meteor code (`Random.id()`: users, rooms, subscriptions,
 * messages) get 17 characters from Meteor's unmistakable alphabet; documents inserted by the newer models without an
 * explicit id (`teams`, `team members`) get a 24-digit hex ObjectId string, as Rocket.Chat stores them.
 */
import { randomBytes, randomInt } from 'crypto';

/** Meteor's `Random.id()` alphabet (no 0/1/I/O/l and friends). */
export const UNMISTAKABLE_CHARS = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

/** A 17-character Meteor `Random.id()`-style id. */
export function randomId(length = 17): string {
    let out = '';
    for (let i = 0; i < length; i++) {
        out += UNMISTAKABLE_CHARS[randomInt(UNMISTAKABLE_CHARS.length)];
    }
    return out;
}

/** A MongoDB ObjectId as a hex string (4 bytes of seconds since the epoch, 8 random bytes). */
export function objectId(at: Date = new Date()): string {
    const seconds = Math.floor(at.getTime() / 1000) >>> 0;
    return seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

/** Meteor's `Random.secret()`: 43 characters of base64url, as Rocket.Chat's login and personal access tokens. */
export function randomSecret(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let out = '';
    for (let i = 0; i < 43; i++) {
        out += alphabet[randomInt(alphabet.length)];
    }
    return out;
}
