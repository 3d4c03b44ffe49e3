/**
 * Least privilege, in the real engine: the setup check (on every change of the service account settings) reads the
 * account (`GET /api/v1/me`) and the workspace's permission table, and warns, by name, about each permission the
 * chat doors need that the account's roles lack, and about a missing display name.
 */
import { SERVICE_ACCOUNT_PERMISSIONS } from '../../../src/access/defaults';
import { Workspace } from '../../../host/workspace/Workspace.cjs';
import type { EngineUnderTest, Fixture } from '../harness.cjs';
import { useEngine } from '../harness.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

/** The service account's user document changed as Rocket.Chat could hold it. */
const serviceAccount =
    (change: (user: Record<string, unknown>) => void) =>
    (fixture: Fixture): void => {
        const state = fixture.workspace.toJSON();
        const account = (state.users as unknown as Array<Record<string, unknown>>).find((u) => u._id === fixture.serviceAccount.userId);
        if (!account) {
            throw new Error('no service account');
        }
        change(account);
        fixture.workspace = Workspace.fromJSON(state);
    };

/** The app's warnings written while `action` ran. */
async function warningsOf(action: () => Promise<unknown>): Promise<string[]> {
    return (await engine.logLinesDuring(action)).filter((line) => line.severity === 'warning').map((line) => line.text);
}

/** The warning about missing permissions, if any. */
const lacking = (warnings: string[]): string | undefined => warnings.find((w) => w.includes('lacks'));

it('an admin service account with a name: no warning about it', async () => {
    // (While the settings are saved one by one, the first ones may warn that the rest is missing.)
    const warnings = await warningsOf(() => engine.fresh());
    expect(warnings.filter((w) => w.includes('@group-admin.service'))).toEqual([]);
});

it('a plain user account: each missing permission is named, the ones it holds are not', async () => {
    const warnings = await warningsOf(() => engine.fresh(serviceAccount((user) => (user.roles = ['user']))));
    const line = lacking(warnings);
    expect(line).toBeDefined();
    const named = SERVICE_ACCOUNT_PERMISSIONS.map(({ id }) => id).filter((id) => line?.includes(`${id} (`));
    expect(named.sort()).toEqual(['api-bypass-rate-limit', 'create-team-channel', 'create-team-group', 'edit-room', 'toggle-room-e2e-encryption', 'view-all-teams', 'view-room-administration', 'view-other-user-channels'].sort());
    expect(line).toContain('@group-admin.service');
    expect(engine.host.logText()).not.toContain(engine.serviceAccount.token);
});

it('the custom role of docs/settings.md: no warning', async () => {
    const warnings = await warningsOf(() =>
        engine.fresh((fixture) => {
            serviceAccount((user) => (user.roles = ['user', 'group-admin']))(fixture);
            for (const { id } of SERVICE_ACCOUNT_PERMISSIONS) {
                const roles = fixture.workspace.getPermission(id)?.roles ?? [];
                fixture.workspace.setPermissionRoles(id, [...roles, 'group-admin']);
            }
        }),
    );
    expect(lacking(warnings)).toBeUndefined();
});

it('a permission taken from the admin role is named', async () => {
    const warnings = await warningsOf(() => engine.fresh(({ workspace }) => workspace.setPermissionRoles('api-bypass-rate-limit', ['bot', 'app'])));
    expect(lacking(warnings)).toMatch(/lacks a permission the chat doors need: api-bypass-rate-limit \(/);
});

it('an account without a display name: Rocket.Chat would refuse encryption changes', async () => {
    const warnings = await warningsOf(() => engine.fresh(serviceAccount((user) => delete user.name)));
    expect(warnings.find((w) => w.includes('no display name'))).toMatch(/refuses encryption changes/);
});
