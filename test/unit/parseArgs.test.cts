import { ENCRYPT_SPEC } from '../../src/commands/encrypt';
import { parseArgs } from '../../src/commands/parseArgs';
import { SETTYPE_SPEC } from '../../src/commands/settype';
import { TOTEAM_SPEC } from '../../src/commands/toteam';

describe('parseArgs', () => {
    const encrypt = (...args: string[]) => parseArgs(args, ENCRYPT_SPEC.grammar);
    const settype = (...args: string[]) => parseArgs(args, SETTYPE_SPEC.grammar);
    const toteam = (...args: string[]) => parseArgs(args, TOTEAM_SPEC.grammar);

    it.each([['on'], ['ON'], ['true'], ['Enable'], ['yes']])('/encrypt %s → on', (word) => {
        expect(encrypt(word)).toEqual({ ok: true, action: 'on', dryRun: false });
    });

    it.each([['off'], ['False'], ['disable'], ['NO']])('/encrypt %s → off', (word) => {
        expect(encrypt(word)).toEqual({ ok: true, action: 'off', dryRun: false });
    });

    it('/encrypt alone → status; help', () => {
        expect(encrypt()).toEqual({ ok: true, action: 'status', dryRun: false });
        expect(encrypt('', ' ')).toEqual({ ok: true, action: 'status', dryRun: false });
        expect(encrypt('Help')).toEqual({ ok: true, action: 'help', dryRun: false });
    });

    it.each([['public'], ['c'], ['C'], ['Public']])('/settype %s → public', (word) => {
        expect(settype(word).ok && settype(word)).toEqual({ ok: true, action: 'public', dryRun: false });
    });

    it.each([['private'], ['p'], ['PRIVATE']])('/settype %s → private', (word) => {
        expect(settype(word)).toEqual({ ok: true, action: 'private', dryRun: false });
    });

    it('room forms: #name by name, a bare word as id or name', () => {
        expect(encrypt('on', '#dev')).toEqual({ ok: true, action: 'on', room: { kind: 'name', value: 'dev' }, dryRun: false });
        expect(encrypt('on', 'abc123')).toEqual({ ok: true, action: 'on', room: { kind: 'idOrName', value: 'abc123' }, dryRun: false });
        expect(toteam('#dev')).toEqual({ ok: true, action: 'convert', room: { kind: 'name', value: 'dev' }, dryRun: false });
        expect(toteam()).toEqual({ ok: true, action: 'convert', dryRun: false });
    });

    it('--dry-run anywhere after the command, any case', () => {
        expect(encrypt('--dry-run', 'on', '#dev')).toEqual({ ok: true, action: 'on', room: { kind: 'name', value: 'dev' }, dryRun: true });
        expect(settype('public', '--DRY-RUN')).toEqual({ ok: true, action: 'public', dryRun: true });
        expect(toteam('#dev', '--dry-run')).toEqual({ ok: true, action: 'convert', room: { kind: 'name', value: 'dev' }, dryRun: true });
    });

    it('problems: unknown word, extra words, unknown option, a bare #', () => {
        expect(encrypt('maybe')).toEqual({ ok: false, problem: { key: 'parse_unknown_word', params: { word: 'maybe' } } });
        expect(encrypt('#dev')).toEqual({ ok: false, problem: { key: 'parse_unknown_word', params: { word: '#dev' } } });
        expect(encrypt('on', 'a', 'b', 'c')).toEqual({ ok: false, problem: { key: 'parse_extra_words', params: { words: 'b c' } } });
        expect(toteam('a', 'b')).toEqual({ ok: false, problem: { key: 'parse_extra_words', params: { words: 'b' } } });
        expect(settype('public', '--force')).toEqual({ ok: false, problem: { key: 'parse_unknown_option', params: { option: '--force' } } });
        expect(encrypt('on', '#')).toEqual({ ok: false, problem: { key: 'parse_missing_room_name', params: {} } });
    });
});
