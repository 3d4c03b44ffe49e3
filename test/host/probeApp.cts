/**
 * A minimal app, packaged in memory, that reports what the engine host hands an app: the request of an app endpoint
 * (headers, user), the room bridge's members, a bot message it posts, and its persisted records. It lets the host be
 * tested on its own, without the Group Admin package.
 */
import AdmZip from 'adm-zip';

export const PROBE_APP_ID = 'b3a1f0e2-7c55-4d0e-9a43-5f0c2d9e8a11';

const SOURCE = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const App_1 = require("@rocket.chat/apps-engine/definition/App");
const api_1 = require("@rocket.chat/apps-engine/definition/api");
const metadata_1 = require("@rocket.chat/apps-engine/definition/metadata");
const KEY = () => new metadata_1.RocketChatAssociationRecord(metadata_1.RocketChatAssociationModel.MISC, "probe");
class ProbeEndpoint extends api_1.ApiEndpoint {
    constructor(app, path, run, authRequired) { super(app); this.path = path; this.run = run; this.authRequired = !!authRequired; }
    async post(request, endpoint, read, modify, http, persis) { return this.run(request, read, modify, persis); }
}
class ProbeApp extends App_1.App {
    async extendConfiguration(configuration) {
        await configuration.api.provideApi({
            visibility: api_1.ApiVisibility.PUBLIC,
            security: api_1.ApiSecurity.UNSECURE,
            endpoints: [
                new ProbeEndpoint(this, "echo", async (request) => ({
                    status: 200,
                    content: { headers: request.headers, user: request.user ? request.user.username : null },
                })),
                new ProbeEndpoint(this, "private", async (request) => ({ status: 200, content: { user: request.user.username } }), true),
                new ProbeEndpoint(this, "members", async (request, read) => {
                    const members = await read.getRoomReader().getMembers(request.content.roomId);
                    return { status: 200, content: { members: members.map((m) => (m === null ? "null" : m === undefined ? "undefined" : m.username)) } };
                }),
                new ProbeEndpoint(this, "post", async (request, read, modify) => {
                    const room = await read.getRoomReader().getById(request.content.roomId);
                    const builder = modify.getCreator().startMessage().setRoom(room).setText(request.content.text);
                    const id = await modify.getCreator().finish(builder);
                    return { status: 200, content: { id } };
                }),
                new ProbeEndpoint(this, "allRooms", async (request, read) => {
                    const rooms = await read.getRoomReader().getAllRooms(request.content.filters || {}, request.content.options || {});
                    return { status: 200, content: { rooms: rooms === undefined ? "undefined" : rooms } };
                }),
                // Every private group's encryption state the only way the room bridge allows: getAllRooms pages, then
                // one getById per room (getAllRooms carries no encrypted). The bench compares it with groups.listAll.
                new ProbeEndpoint(this, "encryptionByBridge", async (request, read) => {
                    const reader = read.getRoomReader();
                    let groups = 0, encrypted = 0;
                    for (let skip = 0; ; skip += 100) {
                        const page = await reader.getAllRooms({ types: ["p"] }, { limit: 100, skip });
                        if (!page || !page.length) break;
                        const rooms = await Promise.all(page.map((raw) => reader.getById(raw.id)));
                        for (const room of rooms) {
                            groups++;
                            if (room && room._unmappedProperties_ && room._unmappedProperties_.encrypted === true) encrypted++;
                        }
                        if (page.length < 100) break;
                    }
                    return { status: 200, content: { groups, encrypted } };
                }),
                new ProbeEndpoint(this, "remember", async (request, read, modify, persis) => {
                    await persis.createWithAssociation({ value: request.content.value }, KEY());
                    return { status: 200, content: {} };
                }),
                new ProbeEndpoint(this, "recall", async (request, read) => ({
                    status: 200,
                    content: { records: await read.getPersistenceReader().readByAssociation(KEY()) },
                })),
            ],
        });
    }
}
exports.ProbeApp = ProbeApp;
`;

/** The probe app's package (app.json + one bundled class file), as `EngineHost.install` takes it. */
export function probeAppZip(): Buffer {
    const zip = new AdmZip();
    const appJson = {
        id: PROBE_APP_ID,
        version: '0.0.1',
        requiredApiVersion: '^1.62.0',
        author: { name: 'Host tests', homepage: 'https://example.invalid', support: 'https://example.invalid' },
        name: 'Host Probe',
        nameSlug: 'host-probe',
        classFile: 'ProbeApp.ts',
        description: 'Reports what the engine host hands an app.',
        implements: [],
        permissions: [{ name: 'api' }, { name: 'room.read' }, { name: 'user.read' }, { name: 'message.write' }, { name: 'persistence' }, { name: 'room.system.view-all' }],
    };
    zip.addFile('app.json', Buffer.from(JSON.stringify(appJson, null, 2)));
    zip.addFile('ProbeApp.js', Buffer.from(SOURCE));
    return zip.toBuffer();
}
