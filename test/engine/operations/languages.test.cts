/**
 * A room owner does all three operations from chat, in the real engine, in each shipped language (en, pt-BR, es,
 * de): the language of the user's preference, else the server's `Language`, else English (also for a language the
 * app does not ship). Every reply is the text of `i18n/<lang>.json`, and Rocket.Chat's own system message appears
 * in the room after each change.
 */
import type { EngineUnderTest } from '../harness.cjs';
import { useEngine } from '../harness.cjs';
import { LANGUAGES, all, ephemeral, room, setting, text, user } from './support.cjs';
import type { Language, Prepare } from './support.cjs';

let engine: EngineUnderTest;
useEngine((booted) => {
    engine = booted;
});

const OWNER = 'owner';
const GROUP = 'sala';

/** `owner` (with `language` as preference, when given) owns the private group `sala`; bob is a member. */
function ownerWith(language?: string): Prepare {
    return all(user(OWNER, { language }), room({ name: GROUP, t: 'p', owner: OWNER, members: ['bob'] }));
}

async function replyTo(line: string): Promise<string> {
    const username = OWNER;
    const run = await engine.command(username, GROUP, line);
    expect(run.error).toBeUndefined();
    const replies = ephemeral(run.deliveries);
    expect(run.deliveries).toHaveLength(1);
    expect(replies[0].toUserId).toBe(engine.userId(username));
    expect(replies[0].roomId).toBe(engine.roomId(GROUP));
    return replies[0].text ?? '';
}

/** The system messages in the group, as `type:text`. */
function systemMessages(): string[] {
    return engine.workspace
        .getMessages(engine.roomId(GROUP))
        .filter((m) => m.t)
        .map((m) => `${m.t}:${m.msg}`);
}

const PRIVACY: Record<string, { public: string; private: string }> = {
    en: { public: 'Public', private: 'Private' },
    'pt-BR': { public: 'Público', private: 'Privado' },
    es: { public: 'Público', private: 'Privado' },
    de: { public: 'Öffentlich', private: 'Privat' },
};

/** Every operation from chat; replies in `language`; Rocket.Chat's system messages in the server's `serverLanguage`. */
async function everyOperation(language: Language, serverLanguage: string): Promise<void> {
    const params = { room: GROUP };
    const service = 'group-admin.service';
    expect(await replyTo('/encrypt on')).toBe(text(language, 'done_encrypt_on', params));
    expect(await replyTo('/encrypt off')).toBe(text(language, 'done_encrypt_off', params));
    expect(await replyTo('/settype public')).toBe(text(language, 'done_type_public', params));
    expect(await replyTo('/settype private')).toBe(text(language, 'done_type_private', params));
    expect(await replyTo('/toteam')).toBe(text(language, 'done_team', params));
    const privacy = PRIVACY[serverLanguage] ?? PRIVACY.en;
    expect(systemMessages()).toEqual([
        `room_e2e_enabled:${service}`,
        `room_e2e_disabled:${service}`,
        `room_changed_privacy:${privacy.public}`,
        `room_changed_privacy:${privacy.private}`,
        `user-converted-to-team:${GROUP}`,
    ]);
    const sala = engine.workspace.getRoomByName(GROUP);
    expect(sala).toMatchObject({ t: 'p', encrypted: false, teamMain: true });
    const team = engine.workspace.getTeamByMainRoomId(sala?._id ?? '');
    expect(engine.workspace.getTeamMembers(team?._id ?? '').find((m) => m.userId === engine.userId(OWNER))?.roles).toEqual(['owner']);
    // Refusals, in the same language.
    expect(await replyTo('/toteam')).toBe(text(language, 'error_already_team_main', params));
    expect(await replyTo('/settype private')).toBe(text(language, 'error_same_type', params));
}

describe.each(LANGUAGES)('%s', (language) => {
    it('the language of the user preference', async () => {
        await engine.fresh(ownerWith(language));
        await everyOperation(language, 'en');
    });

    it("the server's Language when the user has none", async () => {
        await engine.fresh(all(ownerWith(), setting('Language', language)));
        await everyOperation(language, language);
    });

    it('the user preference wins over the server language', async () => {
        const other = language === 'de' ? 'es' : 'de';
        await engine.fresh(all(ownerWith(language), setting('Language', other)));
        await everyOperation(language, other);
    });
});

describe('English when no shipped language applies', () => {
    it('a preference the app does not ship', async () => {
        await engine.fresh(all(ownerWith('ja'), setting('Language', 'de')));
        await everyOperation('en', 'de');
    });

    it('a server language the app does not ship, no preference', async () => {
        await engine.fresh(all(ownerWith(), setting('Language', 'ja')));
        await everyOperation('en', 'ja');
    });

    it('no language anywhere', async () => {
        await engine.fresh(all(ownerWith(), setting('Language', undefined)));
        await everyOperation('en', 'en');
    });
});

it('the shipped catalogs are really translated', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
        for (const key of ['done_encrypt_on', 'done_encrypt_off', 'done_type_public', 'done_type_private', 'done_team', 'error_already_team_main', 'error_same_type']) {
            expect(text(language, key, { room: GROUP })).not.toBe(text('en', key, { room: GROUP }));
        }
    }
});
