import type { IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';

/**
 * Submitted confirmations (findings §C18). Every confirmation modal carries a nonce of its own in its signed view id;
 * the first submit of a view spends it, and a second submit of the same view — a replay, perhaps after the room
 * changed back — changes nothing. Kept in the app's persistence, not in memory, so that it holds on every instance.
 * Two submits of one view on two instances at the very same moment may both pass (the persistence has no
 * compare-and-set); each then runs every check again, as any change does.
 */
const SPENT = new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, 'group-admin.confirmation-spent');

function spentMark(nonce: string): RocketChatAssociationRecord {
    return new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `group-admin.confirmation-spent:${nonce}`);
}

/** Spends the confirmation `nonce`: true the first time, false when it was spent before. */
export async function spendConfirmation(nonce: string, read: IRead, persistence: IPersistence): Promise<boolean> {
    const mark = spentMark(nonce);
    const spent: ReadonlyArray<unknown> = (await read.getPersistenceReader().readByAssociations([SPENT, mark])) || [];
    if (spent.length > 0) {
        return false;
    }
    await persistence.createWithAssociations({ spentAt: new Date().toISOString() }, [SPENT, mark]);
    return true;
}
