import type { IModify, IPersistence } from '@rocket.chat/apps-engine/definition/accessors';
import type { IApiEndpointInfo, IApiRequest } from '@rocket.chat/apps-engine/definition/api';
import { SlashCommandContext } from '@rocket.chat/apps-engine/definition/slashcommands';
import { ENCRYPT_SPEC } from '../../src/commands/encrypt';
import { SlashCommand } from '../../src/commands/SlashCommand';
import { TOTEAM_SPEC } from '../../src/commands/toteam';
import { ConvertToTeamEndpoint, SetEncryptedEndpoint } from '../../src/endpoints/groupEndpoints';
import { TOKEN } from './fakes.cjs';
import type { FakeWorkspace, HttpFault } from './fakes.cjs';
import { fakeApp, standardWorkspace } from './helpers.cjs';

const echo = (status: number): HttpFault => (_m, path) => ({
    url: path,
    method: 'post' as never,
    statusCode: status,
    data: { success: false, error: `echo ${TOKEN}`, headers: { 'X-Auth-Token': TOKEN } },
});

const scenarios: Array<[string, (ws: FakeWorkspace) => void]> = [
    ['success', () => undefined],
    ['Rocket.Chat refuses and echoes the token in a 4xx', (ws) => (ws.fault = (m, p) => (m === 'post' ? echo(400)(m, p) : undefined))],
    ['Rocket.Chat answers 500 with the token', (ws) => (ws.fault = echo(500))],
    ['the connection is refused', (ws) => (ws.fault = () => 'reject')],
    ['the token is rejected', (ws) => (ws.appSettings.service_user_token = `${TOKEN}-old`)],
    ['not configured', (ws) => (ws.appSettings.service_user_id = '')],
];

describe('the service account token never leaves the app', () => {
    it.each(scenarios)('%s: no reply, response, error or log line contains it', async (_label, arrange) => {
        const ws = standardWorkspace();
        arrange(ws);
        const app = fakeApp(ws);
        const outputs: unknown[] = [];
        for (const spec of [ENCRYPT_SPEC, TOTEAM_SPEC]) {
            await new SlashCommand<string>(app, spec).executor(
                new SlashCommandContext(ws.user('olga'), ws.room('g1'), spec === ENCRYPT_SPEC ? ['on'] : ['--dry-run']),
                ws.read(),
                ws.modify(),
                ws.http(),
                {} as IPersistence,
            );
        }
        for (const endpoint of [new SetEncryptedEndpoint(app), new ConvertToTeamEndpoint(app)]) {
            const request = { content: { roomId: 'g1', encrypted: false }, user: ws.user('olga') } as unknown as IApiRequest;
            outputs.push(await endpoint.post(request, {} as IApiEndpointInfo, ws.read(), {} as IModify, ws.http(), {} as IPersistence));
        }
        outputs.push(ws.notifications.map((n) => n.message.text), ws.logs);
        const everything = JSON.stringify(outputs);
        expect(everything).not.toContain(TOKEN);
        expect(ws.notifications).toHaveLength(2);
    });
});
