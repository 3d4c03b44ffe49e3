/** Names the bot writes are inert (interface.md §9): no mention of everyone, no link, no formatting from a name. */
import { inertName, inertUsername } from '../../src/i18n/inert';
import { translate } from '../../src/i18n/translate';

describe('inert names', () => {
    it.each([
        ['project-x', 'project-x'],
        ['Überprüfung-2', 'Überprüfung-2'],
        ['Design Review', 'Design Review'],
        ['a  b', '`a  b`'],
        ['@all', '`@all`'],
        ['[click](https://evil.example)', '`[click](https://evil.example)`'],
        ['*bold* _it_', '`*bold* _it_`'],
        ['evil.example', '`evil.example`'],
        ['a`b', '`aˋb`'],
        ['two\nlines', '`two lines`'],
    ])('%j is written as %j', (name, written) => {
        expect(inertName(name)).toBe(written);
    });

    it('a username mentions that user only; all and here never become mentions', () => {
        expect(inertUsername('alice.smith')).toBe('alice.smith');
        expect(inertUsername('all')).toBe('`all`');
        expect(inertUsername('HERE')).toBe('`HERE`');
        expect(inertUsername('a b')).toBe('`a b`');
    });

    it('every translated text takes names through it', () => {
        expect(translate('en', 'announce_public', { user: 'all', how: '/settype' })).toBe('@`all` made this group public (/settype).');
        expect(translate('en', 'status_type_public', { room: '@here' })).toBe('`@here` is a public channel.');
    });
});
