// Once per test run: builds the app zip exactly as `npm run package` does (engine tests install that zip) — or reuses
// the last one when nothing it is built from changed (scripts/package.mjs --if-changed says which, and why) — and
// opens the run-wide service-token audit (host/engine/secretAudit.cts) that test/global-teardown.js closes.
const { execFileSync } = require('child_process');
const { mkdtempSync } = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
    // Test workers and `npm start` child processes inherit this: every EngineHost of the run reports to it.
    process.env.GROUP_ADMIN_SECRET_AUDIT = mkdtempSync(path.join(os.tmpdir(), 'group-admin-secret-audit-'));
    if (process.env.GROUP_ADMIN_SKIP_PACKAGE === '1') {
        return;
    }
    const root = path.resolve(__dirname, '..');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--if-changed'], { cwd: root, stdio: 'inherit' });
};
