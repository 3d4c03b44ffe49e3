import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import type { IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

/**
 * Signatures of the confirmation modals' view ids. The view id carries the change, the rooms and the door that opened
 * the modal, and the client sends it back on submit, so a client could change it. Every check runs again on submit,
 * so a changed id can never act beyond the person's rights — but the door goes on record (interface.md §7). An
 * HMAC-SHA256 with a per-install secret, kept in the app's persistence and created on first use, makes a changed id
 * recognisable: it is treated as a forged submit.
 */
const SECRET = new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, 'group-admin.view-signing-secret');

const SIGNATURE = /^[0-9a-f]{64}$/;

/** The stored secrets, in a fixed order (two first uses at once may each store one: every stored secret verifies). */
async function storedSecrets(read: IRead): Promise<string[]> {
    const records: ReadonlyArray<unknown> = (await read.getPersistenceReader().readByAssociations([SECRET])) || [];
    return records
        .map((record) => (record && typeof record === 'object' ? (record as { secret?: unknown }).secret : undefined))
        .filter((secret): secret is string => typeof secret === 'string' && secret.length >= 64)
        .sort();
}

function hmac(secret: string, payload: string): string {
    return createHmac('sha256', secret).update(payload).digest('hex');
}

/** The signature of `payload` with this install's secret (created and stored on first use). */
export async function signView(payload: string, read: IRead, persistence: IPersistence): Promise<string> {
    let secrets = await storedSecrets(read);
    if (secrets.length === 0) {
        await persistence.createWithAssociations({ secret: randomBytes(32).toString('hex') }, [SECRET]);
        secrets = await storedSecrets(read);
    }
    if (secrets.length === 0) {
        throw new Error('The secret that signs confirmation views could not be stored');
    }
    return hmac(secrets[0], payload);
}

/** Whether `signature` is this install's signature of `payload` (compared in constant time). */
export async function isSignedView(payload: string, signature: string, read: IRead): Promise<boolean> {
    if (!SIGNATURE.test(signature)) {
        return false;
    }
    const given = Buffer.from(signature, 'hex');
    for (const secret of await storedSecrets(read)) {
        if (timingSafeEqual(Buffer.from(hmac(secret, payload), 'hex'), given)) {
            return true;
        }
    }
    return false;
}
