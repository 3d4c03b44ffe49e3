/**
 * The engine's app-permission checks are really on in these tests: installed without `message.write`, the app's
 * ephemeral reply is denied (the engine reports a PermissionDeniedError on the server console), as on a server where
 * an admin did not grant it.
 */
import { readFileSync } from 'fs';
import path from 'path';

import type { IPermission } from '@rocket.chat/apps-engine/definition/permissions/IPermission';

import { EngineHost } from '../../host/engine/EngineHost.cjs';
import { demoWorkspace } from '../../host/workspace/demo.cjs';
import { ZIP_PATH } from './harness.cjs';

it('denies notifyUser when message.write is not granted', async () => {
    const { workspace, serviceAccount } = demoWorkspace();
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const host = await EngineHost.start({ workspace });
    try {
        const declared = JSON.parse(readFileSync(path.resolve(__dirname, '../../app.json'), 'utf8')).permissions as IPermission[];
        await host.install(
            ZIP_PATH,
            declared.filter((p) => p.name !== 'message.write'),
        );
        expect(host.commands()).toContain('encrypt');
        await host.setSettings({ service_user_id: serviceAccount.userId, service_user_token: serviceAccount.token });
        const alice = workspace.getUserByUsername('alice');
        const room = workspace.getRoomByName('project-x');
        const run = await host.runCommand('/encrypt help', alice?._id ?? '', room?._id ?? '');
        expect(run.deliveries).toHaveLength(0);
        const printed = consoleError.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
        expect(printed).toMatch(/message\.write/);
    } finally {
        consoleError.mockRestore();
        await host.stop();
    }
});
