/** Slash-command arguments are split as Rocket.Chat splits them (`lib/utils/parseParameters` upstream). */
import { parseParameters } from '../../host/engine/parseParameters.cjs';

describe('parseParameters', () => {
    it.each([
        ['', []],
        ['   ', []],
        ['on', ['on']],
        ['on  #project-x   --dry-run', ['on', '#project-x', '--dry-run']],
        ['on\tproject-x\nnow', ['on', 'project-x', 'now']],
        ['public "my room"', ['public', 'my room']],
        ["public 'my room'", ['public', 'my room']],
        ['"a b""c d"', ['a b', 'c d']],
        ['"a"b', ['ab']],
        ['x"a b"', ['xa b']],
        ['""', ['']],
        ['"say \\"hi\\""', ['say "hi"']],
        ['"unclosed quote', ['"unclosed', 'quote']],
        ['"multi\nline" next', ['multi\nline', 'next']],
    ])('%j → %j', (text, expected) => {
        expect(parseParameters(text)).toEqual(expected);
    });
});
