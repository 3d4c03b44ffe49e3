/** In-memory storages the Apps-Engine needs: app metadata, app logs and app packages (Rocket.Chat keeps them in MongoDB/GridFS). */
import type { IAppInfo } from '@rocket.chat/apps-engine/definition/metadata';
import type { ISetting } from '@rocket.chat/apps-engine/definition/settings';
import type { ILoggerStorageEntry } from '@rocket.chat/apps-engine/server/logging';
import type { IMarketplaceInfo } from '@rocket.chat/apps-engine/server/marketplace';
import { AppLogStorage, AppMetadataStorage } from '@rocket.chat/apps-engine/server/storage';
import type { IAppStorageItem } from '@rocket.chat/apps-engine/server/storage';
import { AppSourceStorage } from '@rocket.chat/apps-engine/server/storage/AppSourceStorage';
import type { AppStatus } from '@rocket.chat/apps-engine/definition/AppStatus';

export class MemoryMetadataStorage extends AppMetadataStorage {
    private readonly items = new Map<string, IAppStorageItem>();

    constructor() {
        super('memory');
    }

    async create(item: IAppStorageItem): Promise<IAppStorageItem> {
        const stored = { ...item, _id: item.id, createdAt: new Date(), updatedAt: new Date() };
        this.items.set(item.id, stored);
        return stored;
    }

    async retrieveOne(id: string): Promise<IAppStorageItem | null> {
        return this.items.get(id) ?? null;
    }

    async retrieveAll(): Promise<Map<string, IAppStorageItem>> {
        return new Map(this.items);
    }

    async retrieveAllPrivate(): Promise<Map<string, IAppStorageItem>> {
        return new Map(this.items);
    }

    async remove(id: string): Promise<{ success: boolean }> {
        return { success: this.items.delete(id) };
    }

    async updatePartialAndReturnDocument(item: Partial<IAppStorageItem>): Promise<IAppStorageItem> {
        const id = item.id ?? item._id;
        const current = id ? this.items.get(id) : undefined;
        if (!id || !current) {
            throw new Error(`No app ${id} in storage`);
        }
        const updated = { ...current, ...item, updatedAt: new Date() } as IAppStorageItem;
        this.items.set(id, updated);
        return updated;
    }

    private patch(id: string, change: Partial<IAppStorageItem>): boolean {
        const current = this.items.get(id);
        if (!current) {
            return false;
        }
        this.items.set(id, { ...current, ...change, updatedAt: new Date() });
        return true;
    }

    async updateStatus(id: string, status: AppStatus): Promise<boolean> {
        return this.patch(id, { status });
    }

    async updateSetting(id: string, setting: ISetting): Promise<boolean> {
        const current = this.items.get(id);
        return !!current && this.patch(id, { settings: { ...current.settings, [setting.id]: setting } });
    }

    async updateAppInfo(id: string, info: IAppInfo): Promise<boolean> {
        return this.patch(id, { info });
    }

    async updateMarketplaceInfo(id: string, marketplaceInfo: IMarketplaceInfo[]): Promise<boolean> {
        return this.patch(id, { marketplaceInfo });
    }
}

export class MemoryLogStorage extends AppLogStorage {
    readonly entries: ILoggerStorageEntry[] = [];

    constructor() {
        super('memory');
    }

    async findPaginated(): Promise<{ logs: ILoggerStorageEntry[]; total: number }> {
        return { logs: [...this.entries], total: this.entries.length };
    }

    async storeEntries(entry: ILoggerStorageEntry): Promise<ILoggerStorageEntry> {
        this.entries.push(entry);
        return entry;
    }

    async getEntriesFor(appId: string): Promise<ILoggerStorageEntry[]> {
        return this.entries.filter((entry) => entry.appId === appId);
    }

    async removeEntriesFor(appId: string): Promise<void> {
        for (let i = this.entries.length - 1; i >= 0; i--) {
            if (this.entries[i].appId === appId) {
                this.entries.splice(i, 1);
            }
        }
    }
}

export class MemorySourceStorage extends AppSourceStorage {
    private readonly zips = new Map<string, Buffer>();

    async store(item: IAppStorageItem, zip: Buffer): Promise<string> {
        this.zips.set(item.id, zip);
        return `memory://${item.id}`;
    }

    async fetch(item: IAppStorageItem): Promise<Buffer> {
        const zip = this.zips.get(item.id);
        if (!zip) {
            throw new Error(`No package stored for app ${item.id}`);
        }
        return zip;
    }

    async update(item: IAppStorageItem, zip: Buffer): Promise<string> {
        return this.store(item, zip);
    }

    async remove(item: IAppStorageItem): Promise<void> {
        this.zips.delete(item.id);
    }
}
