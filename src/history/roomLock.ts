/** The last change waiting or running in each room (module memory: one app process). */
const tails = new Map<string, Promise<void>>();

/**
 * Runs `work` after every earlier `serialized` work of the same `key` finished (failed or not): changes to one room
 * from the chat doors happen one after the other, so a change sees the room as the previous change left it — two
 * people confirming the same change at once make it once.
 */
export async function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = tails.get(key) || Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
        release = resolve;
    });
    const tail = before.then(() => mine);
    tails.set(key, tail);
    await before;
    try {
        return await work();
    } finally {
        release();
        if (tails.get(key) === tail) {
            tails.delete(key);
        }
    }
}
