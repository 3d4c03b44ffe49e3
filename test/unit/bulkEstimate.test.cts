/**
 * A bulk plan's `estimatedSeconds` (interface.md §8) follows what the runner does: unpaced at the measured rate
 * (bench/results.md section 5), paced at the runner's pace (half the service account's REST limit).
 */
import { estimateSeconds } from '../../src/jobs/plan';

describe('estimateSeconds', () => {
    it('unpaced (api-bypass-rate-limit): 427 rooms in seconds, not the 43 of 0.1 s a room (about 4 s measured)', () => {
        const seconds = estimateSeconds(427, 0);
        expect(seconds).toBeGreaterThanOrEqual(4);
        expect(seconds).toBeLessThanOrEqual(10);
        // 1,000 rooms at about 100 rooms/s measured: a conservative estimate, within twice the measurement.
        expect(estimateSeconds(1000, 0)).toBeGreaterThanOrEqual(10);
        expect(estimateSeconds(1000, 0)).toBeLessThanOrEqual(20);
    });

    it('paced: one write every paceMs', () => {
        expect(estimateSeconds(2, 1000)).toBe(2);
        expect(estimateSeconds(100, 1200)).toBe(120);
    });

    it('nothing to write: 0', () => {
        expect(estimateSeconds(0, 0)).toBe(0);
        expect(estimateSeconds(0, 1000)).toBe(0);
    });
});
