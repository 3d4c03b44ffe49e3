/**
 * How Rocket.Chat splits a slash command's text into the app's arguments (`lib/utils/parseParameters` upstream):
 * whitespace (space, tab, newline, carriage return) separates arguments, runs of it count once; a '…' or "…"
 * section is one argument with the quotes removed (whitespace inside kept); two quoted sections back to back are
 * two arguments; `\"` inside a quoted section stands for `"`. Text after an unmatched quote is split as usual.
 */
export function parseParameters(text: string): string[] {
    const args: string[] = [];
    let current = '';
    let pending = false;
    const flush = (): void => {
        if (pending || current !== '') {
            args.push(current);
        }
        current = '';
        pending = false;
    };
    let i = 0;
    while (i < text.length) {
        const ch = text[i];
        if (ch === '"' || ch === "'") {
            const end = closingQuote(text, i);
            if (end !== -1) {
                if (pending) {
                    flush();
                }
                current += text.slice(i + 1, end).replace(/\\"/g, '"');
                pending = true;
                i = end + 1;
                continue;
            }
        }
        if (/[ \t\n\r]/.test(ch)) {
            flush();
        } else {
            // A quoted section glued to following text stays one argument, as upstream.
            pending = false;
            current += ch;
        }
        i++;
    }
    flush();
    return args;
}

function closingQuote(text: string, start: number): number {
    const quote = text[start];
    for (let j = start + 1; j < text.length; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
            j++;
            continue;
        }
        if (text[j] === quote) {
            return j;
        }
    }
    return -1;
}
