import { csvCell, toCsv } from '../../src/endpoints/csv';

describe('CSV the app writes (RFC 4180, OWASP CSV injection)', () => {
    it.each([
        ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
        ['+1', "'+1"],
        ['-1+2', "'-1+2"],
        ['@SUM(A1)', "'@SUM(A1)"],
        ['\tx', `"'\tx"`],
        ['\rx', `"'\rx"`],
    ])('neutralises a formula start: %j', (input, expected) => {
        expect(csvCell(input)).toBe(expected);
    });

    it('quotes commas, quotes and line breaks, and leaves plain text alone', () => {
        expect(csvCell('a,b')).toBe('"a,b"');
        expect(csvCell('say "hi"')).toBe('"say ""hi"""');
        expect(csvCell('two\nlines')).toBe('"two\nlines"');
        expect(csvCell('plain')).toBe('plain');
        expect(csvCell(' padded ')).toBe('" padded "');
    });

    it("quotes a semicolon or a tab too, so a spreadsheet set to another list separator (';' in de, es, pt-BR) keeps the cell whole and never starts a formula inside it", () => {
        expect(csvCell('Budget;=1+1')).toBe('"Budget;=1+1"');
        expect(csvCell('Budget\t=1+1')).toBe('"Budget\t=1+1"');
    });

    it('writes numbers and booleans as they are (a negative number is not text a spreadsheet runs) and nothing as empty', () => {
        expect(csvCell(-3)).toBe('-3');
        expect(csvCell(true)).toBe('true');
        expect(csvCell(null)).toBe('');
        expect(csvCell(undefined)).toBe('');
    });

    it('ends every record, the header included, with CRLF', () => {
        expect(toCsv(['a', 'b'], [['x', 1], ['=y', null]])).toBe("a,b\r\nx,1\r\n'=y,\r\n");
    });
});
