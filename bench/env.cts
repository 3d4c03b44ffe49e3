/**
 * Imported first by the benchmark: Apps-Engine 1.62 skips every app-permission check when NODE_ENV === 'test', so
 * run the engine as a server runs it (same as test/setup-env.js does for jest).
 */
process.env.NODE_ENV = 'development';

export {};
