import type { IServerSettingRead } from '@rocket.chat/apps-engine/definition/accessors';

export type ServerSettingId =
    | 'E2E_Enable'
    | 'E2E_Allow_Unencrypted_Messages'
    | 'ABAC_Enabled'
    | 'Site_Url'
    | 'Language'
    | 'API_Enable_Rate_Limiter'
    | 'API_Enable_Rate_Limiter_Limit_Calls_Default'
    | 'API_Enable_Rate_Limiter_Limit_Time_Default'
    | 'API_Default_Count'
    | 'API_Upper_Count_Limit'
    | 'API_Allow_Infinite_Count';

/**
 * How long settings that only address or word things (`Site_Url`, the base URL when `server_url` is empty;
 * `Language`, the reply language of users without a preference) or pace them (the REST rate limiter's
 * `API_Enable_Rate_Limiter*`, applied to the chat doors: reading them live would cost three host round trips per
 * change) are remembered across operations. Settings that gate a decision (`E2E_Enable`, `ABAC_Enabled`) or page an
 * answer (`API_Default_Count`, `API_Upper_Count_Limit`, `API_Allow_Infinite_Count`) are never remembered beyond one
 * operation: a change there takes effect at once, as in Rocket.Chat.
 */
export const REMEMBERED_FOR_MS = 60000;

const REMEMBERED: ReadonlyArray<ServerSettingId> = [
    'Site_Url',
    'Language',
    'API_Enable_Rate_Limiter',
    'API_Enable_Rate_Limiter_Limit_Calls_Default',
    'API_Enable_Rate_Limiter_Limit_Time_Default',
];

/** Remembered values, in module memory (one app process), each with its expiry. */
const remembered = new Map<ServerSettingId, { readonly value: unknown; readonly expiresAt: number }>();

/** Forgets every remembered server setting (app enabled, disabled or reconfigured; tests). */
export function forgetServerSettings(): void {
    remembered.clear();
}

/**
 * Server settings, read through the accessor only when asked for and at most once per operation (`Site_Url` and
 * `Language` at most once a minute). A setting that cannot be read (unknown on this server version, not exposed)
 * counts as unset.
 */
export class ServerSettings {
    private readonly values = new Map<ServerSettingId, Promise<unknown>>();

    constructor(
        private readonly reader: IServerSettingRead,
        private readonly now: () => number = Date.now,
    ) {}

    public get(id: ServerSettingId): Promise<unknown> {
        let value = this.values.get(id);
        if (!value) {
            value = REMEMBERED.indexOf(id) >= 0 ? this.readRemembered(id) : this.read(id);
            this.values.set(id, value);
        }
        return value;
    }

    public async isTrue(id: ServerSettingId): Promise<boolean> {
        return (await this.get(id)) === true;
    }

    private async readRemembered(id: ServerSettingId): Promise<unknown> {
        const memory = remembered.get(id);
        if (memory && memory.expiresAt > this.now()) {
            return memory.value;
        }
        const value = await this.read(id);
        remembered.set(id, { value, expiresAt: this.now() + REMEMBERED_FOR_MS });
        return value;
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
