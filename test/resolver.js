/**
 * Jest resolver for the CommonJS TypeScript (`.cts`) of test/, host/ and bench/. TypeScript wants a relative import of
 * a `.cts` file spelled with the extension it runs as (`./child.cjs`); there is no `.cjs` file on disk, so when jest's
 * own resolver finds none it looks for the `.cts` beside it. Everything else resolves exactly as jest would.
 *
 * Why `.cts` at all: `rc-apps package` (apps-cli 1.9.0) compiles every `.ts` file under the app folder into the app,
 * so only the app's own code (src/) is `.ts` (docs/development.md, "Layout").
 */
module.exports = (request, options) => {
    try {
        return options.defaultResolver(request, options);
    } catch (error) {
        if (/^\.\.?\/.*\.cjs$/.test(request)) {
            return options.defaultResolver(request.replace(/\.cjs$/, '.cts'), options);
        }
        throw error;
    }
};
