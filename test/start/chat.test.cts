/**
 * The terminal chat driven through stdin (not a terminal: lines are read from the pipe, each echoed after the prompt),
 * in a child process running the real engine: slash commands print the ephemeral reply and Rocket.Chat's new system
 * message, meta commands switch user and room and show the rooms and the log, and the change is visible over HTTP.
 */
import { launch, started } from './child.cjs';
import type { StartedWorkspace } from './child.cjs';

describe('the chat, line by line', () => {
    let ws: StartedWorkspace;

    beforeAll(async () => {
        ws = await started([]);
    }, 90000);

    afterAll(async () => {
        await ws?.kill();
    });

    test('the guide says who you are and the prompt is alice@project-x>', async () => {
        expect(ws.stdout).toContain('you are alice in #project-x');
        expect(ws.stdout).toMatch(/Users \(password "demo"\): admin \(admin\), alice, bob, carol, dave/);
        expect(ws.stdout).toContain('confirm_changes is off');
        const out = await ws.say(':who', 'Members:');
        expect(out).toContain('alice@project-x> :who');
        expect(out).toContain('You are alice');
        expect(out).toMatch(/Members: .*alice \(owner\).*bob \(moderator\)/);
    });

    test('the banner, :rooms and :who agree on #general\'s members and say what the service account is', async () => {
        const banner = ws.stdout.match(/#general\s+public channel\s+(\d+) members, among them group-admin\.service \(the app's service account\)/);
        expect(banner).not.toBeNull();
        const count = Number(banner![1]);
        const rooms = await ws.say(':rooms', 'members include');
        expect(rooms).toMatch(new RegExp(`#general\\s+public channel\\s+off\\s+-\\s+${count}\\s`));
        expect(rooms).toContain("(members include group-admin.service (the app's service account) in #general)");
        await ws.say(':room general', 'Now in #general');
        const who = await ws.say(':who', 'Members:');
        const members = who.split('\n').find((l) => l.startsWith('Members: '))!.slice('Members: '.length).split(', ');
        expect(members).toHaveLength(count);
        expect(members).toContain("group-admin.service (the app's service account)");
        await ws.say(':room project-x', 'Now in #project-x');
    });

    test('/encrypt on prints the ephemeral reply and Rocket.Chat\'s system message', async () => {
        const out = await ws.say('/encrypt on', "This room's encryption has been enabled by");
        expect(out).toContain('alice@project-x> /encrypt on');
        expect(out).toMatch(/\(only you\) .*on/i);
        expect(out).toMatch(/^\d\d:\d\d:\d\d #project-x \* This room's encryption has been enabled by \S+$/m);
    });

    test('in a room that ends up encrypted the bot announces nothing (E2E_Allow_Unencrypted_Messages off); the change is on record', async () => {
        const out = await ws.say('/encrypt history', '(only you)');
        expect(out).toMatch(/@alice turned end-to-end encryption on for this room \(\/encrypt\)/);
        expect(ws.stdout).not.toMatch(/#project-x group-admin\.bot: .*@alice turned end-to-end encryption on/);
    });

    test(":rest calls Rocket.Chat's own endpoint as you; the change reaches /encrypt history as made in Rocket.Chat (issue 16)", async () => {
        const off = await ws.say(':rest POST groups.setEncrypted {"roomName":"project-x","encrypted":false}', '200 ');
        expect(off).toMatch(/^200 \{"group":\{/m);
        await ws.say(':rest POST groups.setEncrypted {"roomName":"project-x","encrypted":true}', '200 ');
        const history = await ws.say('/encrypt history', '(only you)');
        expect(history).toMatch(/@alice turned end-to-end encryption off for this room \(in Rocket\.Chat\)/);
    });

    test('the change is visible over HTTP (groups.info) while the chat runs', async () => {
        const alice = await ws.login('alice');
        const info = await ws.get('/api/v1/groups.info?roomName=project-x', alice);
        expect(info.status).toBe(200);
        expect(info.body.group).toMatchObject({ encrypted: true });
    });

    test(':rooms lists type, encryption, team and your role', async () => {
        const out = await ws.say(':rooms', '#project-x');
        expect(out).toMatch(/\*\s+#project-x\s+private group\s+on\s+-\s+3\s+owner/);
        expect(out).toMatch(/#eng\s+team \(private\)\s+off\s+eng \(main\)/);
        expect(out).toMatch(/#eng-secrets\s+private group\s+off\s+eng\s/);
        expect(out).toMatch(/#old-stuff\s+private group, archived/);
        expect(out).toMatch(/#general\s+public channel/);
    });

    test(':log shows the room\'s recent messages, system messages in words', async () => {
        const out = await ws.say(':log', 'message(s)');
        expect(out).toMatch(/#project-x — private group, encrypted — \d+ of \d+ message\(s\)/);
        expect(out).toMatch(/^ {2}\d\d:\d\d:\d\d \* This room's encryption has been enabled by \S+$/m);
    });

    test('a second /encrypt on changes nothing: a reply and no new system message', async () => {
        const before = ws.stdout.length;
        const out = await ws.say('/encrypt status', '(only you)');
        await ws.say(':who', 'Members:');
        expect(ws.stdout.slice(before)).not.toContain('has been enabled');
        expect(out).toMatch(/on/);
    });

    test(':user dave moves dave out of a room he is not in, and the app refuses him project-x', async () => {
        const out = await ws.say(':user dave', 'You are now dave');
        expect(out).toContain('dave is not a member of #project-x');
        const reply = await ws.say('/encrypt off project-x', '(only you)');
        expect(reply).toMatch(/dave@\S+> \/encrypt off project-x/);
        expect(reply).not.toContain('has been disabled');
        const refused = await ws.say(':room project-x', 'not a member');
        expect(refused).toContain('! dave is not a member of #project-x');
    });

    test(':user bob, :room project-x: a moderator cannot turn encryption off', async () => {
        await ws.say(':user bob', 'You are now bob');
        await ws.say(':room project-x', 'Now in #project-x');
        const out = await ws.say('/encrypt off', '(only you)');
        expect(out).toContain('bob@project-x> /encrypt off');
        expect(out).not.toContain('has been disabled');
    });

    test('alice turns it off again with --dry-run first', async () => {
        await ws.say(':user alice', 'You are now alice');
        const dry = await ws.say('/encrypt off --dry-run', '(only you)');
        expect(dry).not.toContain('has been disabled');
        const out = await ws.say('/encrypt off', "This room's encryption has been disabled by");
        expect(out).toContain('(only you)');
    });

    test('/settype public and /toteam print Rocket.Chat\'s system messages', async () => {
        const type = await ws.say('/settype public', 'changed the room type to');
        expect(type).toMatch(/\* \S+ changed the room type to Public/);
        const prompt = await ws.say(':who', 'Members:');
        expect(prompt).toContain('public channel');
        await ws.say('/settype private', 'changed the room type to Private');
        const team = await ws.say('/toteam', 'to a team');
        expect(team).toMatch(/\* \S+ converted #project-x to a team/);
    });

    test('a change made over HTTP (curl) shows up in the chat of that room by itself', async () => {
        const from = ws.stdout.length;
        const alice = await ws.login('alice');
        const answer = await ws.app('groups.setEncrypted', { roomName: 'project-x', encrypted: true }, alice);
        expect(answer.status).toBe(200);
        await ws.waitFor(/^\d\d:\d\d:\d\d #project-x \* This room's encryption has been enabled by \S+$/m, 10000, from);
    });

    test('while you type nothing, a change in another of your rooms shows up at once, with its time and room', async () => {
        const from = ws.stdout.length;
        const alice = await ws.login('alice');
        const answer = await ws.app('groups.setEncrypted', { roomName: 'eng-secrets', encrypted: true }, alice);
        expect(answer.status).toBe(200);
        await ws.waitFor(/^\d\d:\d\d:\d\d #eng-secrets \* This room's encryption has been enabled by \S+$/m, 10000, from);
        // Shown once: not again after the next line.
        const next = await ws.say(':who', 'Members:');
        expect(next).not.toContain('eng-secrets');
    });

    test(':log parses its count: 0 and abc are refused, nothing else printed', async () => {
        const zero = await ws.say(':log project-x 0', 'positive whole number');
        expect(zero).toContain('! :log [room] [n]: the number of messages must be a positive whole number, not "0"');
        expect(zero).not.toMatch(/of \d+ message/);
        const abc = await ws.say(':log project-x abc', 'positive whole number');
        expect(abc).toContain('not "abc"');
        expect(abc).not.toContain('There is no room');
        expect(await ws.say(':log project-x 1', 'message(s)')).toMatch(/#project-x — .* — 1 of \d+ message\(s\)/);
    });

    test('unknown commands and chat commands say so', async () => {
        expect(await ws.say('/nope', 'No such command')).toContain('/encrypt');
        expect(await ws.say(':nope', 'Unknown chat command')).toContain(':help');
        const help = await ws.say(':help', ':quit');
        expect(help).toContain(':rooms');
        expect(help).toContain(':log');
    });

    test(':quit stops everything with exit code 0', async () => {
        ws.type(':quit');
        const exit = await ws.stop('SIGCONT');
        expect(exit.code).toBe(0);
        expect(ws.stdout).toContain('Stopped.');
    });
});

describe('the chat reading a script from a pipe', () => {
    test('reads every line, then stops at end of input with exit code 0', async () => {
        const ws = launch(['--user', 'alice', '--room', 'project-x']);
        try {
            ws.child.stdin.end(['/encrypt on', ':log', '/encrypt on'].join('\n') + '\n');
            const exit = await ws.stop('SIGCONT', 60000);
            expect(exit.code).toBe(0);
            const out = ws.stdout;
            expect(out).toContain('alice@project-x> /encrypt on');
            // Once as the new system message after the first command, once in :log; the second command changes nothing.
            expect(out.match(/^\d\d:\d\d:\d\d #project-x \* This room's encryption has been enabled by/gm)?.length).toBe(1);
            expect(out).toMatch(/^ {2}\d\d:\d\d:\d\d \* This room's encryption has been enabled by/m);
            expect(out).toContain('alice@project-x> :log');
            expect(out).toContain('Stopping (end of input)');
        } finally {
            await ws.kill();
        }
    });

    test('--user / --room pick another identity; an unknown one is an error', async () => {
        const ws = launch(['--user', 'bob', '--room', 'general']);
        try {
            ws.child.stdin.end(':who\n');
            const exit = await ws.stop('SIGCONT', 60000);
            expect(exit.code).toBe(0);
            expect(ws.stdout).toContain('bob@general> :who');
        } finally {
            await ws.kill();
        }
        const bad = launch(['--user', 'zed']);
        try {
            bad.child.stdin.end();
            const exit = await bad.stop('SIGCONT', 60000);
            expect(exit.code).toBe(1);
            expect(bad.stderr).toContain('there is no user "zed"');
        } finally {
            await bad.kill();
        }
    });
});
