import { execFileSync } from 'child_process';
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { CATALOG, LANGUAGES } from '../../src/i18n/catalog.generated';

const root = join(__dirname, '..', '..');
const SHIPPED = ['en', 'pt-BR', 'es', 'de'];

describe('i18n', () => {
    it('src/i18n/catalog.generated.ts is up to date with i18n/*.json and every language is complete', () => {
        expect(() => execFileSync(process.execPath, [join(root, 'scripts', 'gen-i18n.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
    });

    it('ships en, pt-BR, es and de', () => {
        expect([...LANGUAGES].sort()).toEqual([...SHIPPED].sort());
        expect(readdirSync(join(root, 'i18n')).sort()).toEqual(SHIPPED.map((l) => `${l}.json`).sort());
    });

    it.each(SHIPPED)('%s.json has every key of en.json and nothing else', (lang) => {
        const en = Object.keys(JSON.parse(readFileSync(join(root, 'i18n', 'en.json'), 'utf8'))).sort();
        const other = Object.keys(JSON.parse(readFileSync(join(root, 'i18n', `${lang}.json`), 'utf8'))).sort();
        expect(other).toEqual(en);
        expect(Object.keys(CATALOG[lang as 'en']).sort()).toEqual(en);
    });

    it('setting labels/descriptions and command descriptions/params exist', () => {
        for (const id of ['service_user_id', 'service_user_token', 'server_url', 'confirm_changes']) {
            expect(CATALOG.en).toHaveProperty(`setting_${id}_label`);
            expect(CATALOG.en).toHaveProperty(`setting_${id}_description`);
        }
        for (const command of ['encrypt', 'settype', 'toteam']) {
            expect(CATALOG.en).toHaveProperty(`command_${command}_description`);
            expect(CATALOG.en).toHaveProperty(`command_${command}_params`);
        }
    });
});
