/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: 'node',
    roots: ['<rootDir>/test'],
    // Tests and the stand-in are CommonJS TypeScript (.cts): rc-apps compiles every .ts under the app folder into the app.
    testMatch: ['**/*.test.cts'],
    moduleFileExtensions: ['js', 'cjs', 'ts', 'cts', 'json'],
    resolver: '<rootDir>/test/resolver.js',
    testSequencer: '<rootDir>/test/sequencer.js',
    // Transpiled file by file (isolatedModules): types are checked once, over src/, host/, test/ and bench/ together,
    // by `npm run typecheck` (CI runs it before the tests). Checking them again in every worker cost a fresh clone's
    // test run about 15% of its time.
    transform: { '^.+\\.c?ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
    // The engine turns every app-permission check off when NODE_ENV=test (which jest sets): keep them real.
    setupFiles: ['<rootDir>/test/setup-env.js'],
    globalSetup: '<rootDir>/test/global-setup.js',
    globalTeardown: '<rootDir>/test/global-teardown.js',
    testTimeout: 60000,
    // Two workers on two cores: an engine test spends much of its time waiting on its Deno process, so the second
    // worker finishes the run in about three minutes instead of four (jest's default is one worker per spare core).
    maxWorkers: 2,
    // A worker whose heap passed 350 MB after a test file is replaced before the next one. Workers grew to 400–550 MB
    // over a run, and ending a process with such a heap took longer than the 500 ms jest allows a worker to exit after
    // the last file: jest then killed it and reported "A worker process has failed to exit gracefully" (findings §B11),
    // though no handle was left open (the worker had emitted 'exit' within 2 ms of jest's end message). With the limit
    // the message is rarer (1 full run in 5 on 2026-12-07, against most runs before), not gone.
    workerIdleMemoryLimit: '350MB',
};
