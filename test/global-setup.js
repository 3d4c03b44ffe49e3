// Builds the app zip once per test run, exactly as `npm run package` does: engine tests install that zip.
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = async () => {
    if (process.env.GROUP_ADMIN_SKIP_PACKAGE === '1') {
        return;
    }
    const root = path.resolve(__dirname, '..');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
};
