// The one check over the whole test run that the service account's token never appeared in any reply, response,
// error or log line: every EngineHost of the run (test workers and `npm start` children) scanned what it showed for
// the tokens it was configured with and left a tally (host/engine/secretAudit.cts); a leak anywhere fails the run.
const { readdirSync, readFileSync, rmSync } = require('fs');
const path = require('path');

module.exports = async () => {
    const folder = process.env.GROUP_ADMIN_SECRET_AUDIT;
    if (!folder) {
        return;
    }
    const tallies = readdirSync(folder).map((file) => JSON.parse(readFileSync(path.join(folder, file), 'utf8')));
    rmSync(folder, { recursive: true, force: true });
    if (tallies.length === 0) {
        return; // no engine ran (e.g. only unit tests)
    }
    const sum = (key) => tallies.reduce((total, tally) => total + tally[key], 0);
    const leaks = tallies.flatMap((tally) => tally.leaks);
    const summary =
        `secret audit: ${tallies.length} engine host(s) showed ${sum('outputs')} outputs ` +
        `(${(sum('chars') / 1e6).toFixed(1)} MB) while configured with ${sum('secrets')} service token(s)`;
    if (leaks.length) {
        throw new Error(`${summary}: the token appeared ${leaks.length} time(s), in: ${[...new Set(leaks)].join(', ')}`);
    }
    console.log(`\n${summary}: no token in any of them`);
};
