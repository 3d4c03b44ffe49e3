import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { matchLanguage, resolveLanguage } from '../../src/i18n/language';
import { translate } from '../../src/i18n/translate';

const user = (language?: string) => ({ id: 'u', settings: language === undefined ? undefined : { preferences: { language } } }) as unknown as IUser;

describe('language', () => {
    it.each([
        ['en', 'en'],
        ['EN', 'en'],
        ['pt-BR', 'pt-BR'],
        ['pt-br', 'pt-BR'],
        ['pt', 'pt-BR'],
        ['pt_PT', 'pt-BR'],
        ['es', 'es'],
        ['es-MX', 'es'],
        ['de', 'de'],
        ['de-AT', 'de'],
        ['fr', undefined],
    ])('%s → %s', (tag, expected) => {
        expect(matchLanguage(tag)).toBe(expected);
    });

    it("the user's preference wins and the server setting is not read", async () => {
        const server = jest.fn(async () => 'de');
        expect(await resolveLanguage(user('pt'), server)).toBe('pt-BR');
        expect(server).not.toHaveBeenCalled();
    });

    it("no preference → the server's Language → English", async () => {
        expect(await resolveLanguage(user(), async () => 'es')).toBe('es');
        expect(await resolveLanguage(user(''), async () => 'de')).toBe('de');
        expect(await resolveLanguage(user(), async () => undefined)).toBe('en');
        expect(await resolveLanguage(user(), async () => 'ja')).toBe('en');
    });

    it('a preference that is not shipped gives English', async () => {
        expect(await resolveLanguage(user('fr'), async () => 'de')).toBe('en');
    });

    it('translates with {{params}}', () => {
        expect(translate('de', 'done_type_public', { room: 'dev' })).toBe('dev ist jetzt ein öffentlicher Kanal.');
        expect(translate('en', 'status_encrypt_on', {})).toBe('End-to-end encryption is on for {{room}}.');
    });
});
