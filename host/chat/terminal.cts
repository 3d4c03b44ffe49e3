/**
 * Wires a {@link ChatSession} to a terminal with `readline`: the `alice@project-x>` prompt, line history (↑/↓),
 * tab completion, and live display of what arrives while you are idle or typing (a system message caused by a curl
 * call from another terminal, the app bot's announcement, a message in another of your rooms): the line being typed
 * is cleared, the message printed with its time and room, and the prompt redrawn with the partial input.
 *
 * When the input is not a terminal (a pipe, a file), lines are read one after another, each echoed after the prompt so
 * the output reads as a transcript, and the chat ends at end of input.
 */
import readline from 'readline';
import type { Readable, Writable } from 'stream';

import type { ChatSession } from './ChatSession.cjs';

export interface TerminalChatOptions {
    input: Readable;
    output: Writable;
    /** Whether input/output are an interactive terminal (default: `input.isTTY`). */
    terminal?: boolean;
    /** Lines of history kept for ↑/↓ (default 500). */
    historySize?: number;
}

/** Why the chat ended. */
export type ChatEnd = 'quit' | 'eof' | 'interrupt';

export class TerminalChat {
    private readonly rl: readline.Interface;
    private readonly terminal: boolean;
    private closed = false;
    private interrupted = false;
    private liveTimer: NodeJS.Immediate | undefined;

    constructor(
        private readonly session: ChatSession,
        private readonly options: TerminalChatOptions,
    ) {
        this.terminal = options.terminal ?? !!(options.input as Readable & { isTTY?: boolean }).isTTY;
        this.rl = readline.createInterface({
            input: options.input,
            output: this.terminal ? options.output : undefined,
            terminal: this.terminal,
            historySize: options.historySize ?? 500,
            removeHistoryDuplicates: true,
            completer: (line: string): [string[], string] => {
                try {
                    return this.session.complete(line);
                } catch {
                    return [[], line];
                }
            },
            prompt: this.session.prompt,
        });
        this.rl.on('close', () => {
            this.closed = true;
        });
        // Ctrl-C at the prompt (the terminal is in raw mode, so no SIGINT reaches the process): stop the workspace.
        this.rl.on('SIGINT', () => {
            this.interrupted = true;
            this.rl.close();
        });
    }

    /** Prints text (a block of lines). While the prompt is shown, the text appears above it and the prompt is redrawn. */
    print = (text: string): void => {
        if (this.terminal && !this.closed && !this.session.isBusy) {
            readline.clearLine(this.options.output, 0);
            readline.cursorTo(this.options.output, 0);
            this.options.output.write(`${text}\n`);
            this.rl.prompt(true);
            return;
        }
        this.options.output.write(`${text}\n`);
    };

    /** Something changed in the workspace (or the app sent an ephemeral message): show what is new, unless busy. */
    notifyChange(): void {
        if (this.liveTimer || this.closed) {
            return;
        }
        this.liveTimer = setImmediate(() => {
            this.liveTimer = undefined;
            if (this.closed) {
                return;
            }
            const text = this.session.liveUpdate();
            if (text) {
                this.print(text);
            }
        });
    }

    /** Reads and handles lines until `:quit`, end of input or Ctrl-C. */
    async run(): Promise<ChatEnd> {
        const showPrompt = (): void => {
            if (this.closed) {
                return;
            }
            this.rl.setPrompt(this.session.prompt);
            if (this.terminal) {
                this.rl.prompt();
            }
        };
        showPrompt();
        for await (const line of this.rl) {
            if (!this.terminal) {
                this.options.output.write(`${this.session.prompt}${line}\n`);
            }
            const result = await this.session.handleLine(line);
            if (result === 'quit') {
                this.close();
                return 'quit';
            }
            // What arrived after the line's own output was printed, while it was still being handled.
            const late = this.session.liveUpdate();
            if (late) {
                this.options.output.write(`${late}\n`);
            }
            showPrompt();
        }
        return this.interrupted ? 'interrupt' : 'eof';
    }

    close(): void {
        if (this.liveTimer) {
            clearImmediate(this.liveTimer);
            this.liveTimer = undefined;
        }
        if (!this.closed) {
            this.closed = true;
            this.rl.close();
        }
    }
}
