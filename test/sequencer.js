/**
 * Test order: jest's own (failed first, then slowest by the timings it cached, then largest file), except that the
 * suite that compiles Group Admin with rc-apps (test/start/deploy.test.cts, about 35 s of CPU) always starts first.
 * A fresh clone has no cached timings, and by file size it would start late and leave one worker running alone at
 * the end.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

const FIRST = ['start/deploy.test.cts'].map((file) => path.join(__dirname, file));

class CompilingSuiteFirst extends Sequencer {
    async sort(tests) {
        const sorted = await super.sort(tests);
        const rank = (test) => {
            const index = FIRST.indexOf(test.path);
            return index === -1 ? FIRST.length : index;
        };
        return [...sorted].sort((a, b) => rank(a) - rank(b));
    }
}

module.exports = CompilingSuiteFirst;
