/**
 * CSV the app writes (the encryption report, the audit export): RFC 4180 (fields separated by commas, records by
 * CRLF, a field holding a comma, a double quote, CR or LF quoted with its quotes doubled; a semicolon or a tab too, so
 * a spreadsheet whose list separator is `;` — the usual one in German, Spanish and Portuguese — keeps the cell whole) and
 * safe to open in a spreadsheet — a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, as
 * OWASP's CSV-injection rule says, because room display names and usernames are free text (interface.md §8).
 */

/** A cell's value: text, a number, a boolean, or nothing (an empty cell). */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\t\r\n]/;

/** One cell: neutralised, then quoted where RFC 4180 needs it. */
export function csvCell(value: CsvValue): string {
    if (value === null || value === undefined) {
        return '';
    }
    let text = String(value);
    if (typeof value === 'string' && FORMULA_START.test(text)) {
        text = `'${text}`;
    }
    return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole document: the header row, then one row per record, each line ended by CRLF. */
export function toCsv(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<CsvValue>>): string {
    return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
