import type { IServerSettingRead } from '@rocket.chat/apps-engine/definition/accessors';

export type ServerSettingId = 'E2E_Enable' | 'ABAC_Enabled' | 'Site_Url' | 'Language';

/**
 * Server settings, read through the accessor only when asked for and at most once per operation.
 * A setting that cannot be read (unknown on this server version, not exposed) counts as unset.
 */
export class ServerSettings {
    private readonly values = new Map<ServerSettingId, Promise<unknown>>();

    constructor(private readonly reader: IServerSettingRead) {}

    public get(id: ServerSettingId): Promise<unknown> {
        let value = this.values.get(id);
        if (!value) {
            value = this.read(id);
            this.values.set(id, value);
        }
        return value;
    }

    public async isTrue(id: ServerSettingId): Promise<boolean> {
        return (await this.get(id)) === true;
    }

    private async read(id: ServerSettingId): Promise<unknown> {
        try {
            const value: unknown = await this.reader.getValueById(id);
            return value;
        } catch {
            return undefined;
        }
    }
}
