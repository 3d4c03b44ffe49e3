/**
 * Fuzz sizes and seed. `npm test` runs the CI size with a fixed seed (the same cases every run); `npm run fuzz` sets
 * `FUZZ_RUNS` (bodies per endpoint; argument lists per command = half of it; default 50,000) and `FUZZ_SEED=random`,
 * and prints the seed so a failing long run can be replayed with `FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx jest
 * test/evidence/fuzz`.
 */

/**
 * 1,000 generated bodies per endpoint and 500 argument lists per command: a tenth of the earlier CI size, so that the
 * default `npm test` stays well under 4 minutes on an idle 2-core machine (issue 11). The full runs are
 * `npm run fuzz`.
 */
export const CI_BODIES_PER_ENDPOINT = 1000;
export const CI_ARGS_PER_COMMAND = 500;

/** The fixed seed of `npm test`. */
export const CI_SEED = 20240611;

function positiveInt(value: string | undefined): number | undefined {
    if (value === undefined || value.trim() === '') {
        return undefined;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
        throw new Error(`expected a positive integer, got "${value}"`);
    }
    return n;
}

export interface FuzzPlan {
    seed: number;
    bodiesPerEndpoint: number;
    argsPerCommand: number;
    /** True for `npm run fuzz` (a size or seed from the environment). */
    long: boolean;
}

let plan: FuzzPlan | undefined;

export function fuzzPlan(): FuzzPlan {
    if (plan) {
        return plan;
    }
    const runs = positiveInt(process.env.FUZZ_RUNS);
    const seedText = process.env.FUZZ_SEED;
    let seed = CI_SEED;
    if (seedText === 'random') {
        seed = Math.floor(Math.random() * 0x7fffffff);
    } else if (seedText !== undefined && seedText.trim() !== '') {
        seed = Number(seedText);
        if (!Number.isInteger(seed)) {
            throw new Error(`FUZZ_SEED must be an integer or "random", got "${seedText}"`);
        }
    }
    plan = {
        seed,
        bodiesPerEndpoint: Math.max(runs ?? CI_BODIES_PER_ENDPOINT, 1),
        argsPerCommand: Math.max(runs !== undefined ? Math.ceil(runs / 2) : CI_ARGS_PER_COMMAND, 1),
        long: runs !== undefined || seedText !== undefined,
    };
    return plan;
}

/** A per-test jest timeout that grows with the number of cases (an engine call is a millisecond or two). */
export function fuzzTimeout(cases: number): number {
    return 120000 + cases * 25;
}
