/**
 * The workspace a fuzz run works on: the demo workspace, configured once, then restored from its JSON (same ids,
 * same tokens, so the app's settings stay valid) whenever a case changed it. Between restores the state must stay
 * byte-for-byte the baseline, which lets each case compare one `snapshot()` against a known string.
 */
import path from 'path';

import { Workspace } from '../../host/workspace/Workspace.cjs';
import type { WsStateJSON } from '../../host/workspace/model.cjs';
import type { FuzzPlan } from './fuzzConfig.cjs';
import { bootPerFile, snapshotDiff, withoutRateLimits } from './support.cjs';
import type { Evidence } from './support.cjs';

export const FUZZ_USERS = ['admin', 'alice', 'bob', 'carol', 'dave'] as const;
export const FUZZ_ROOMS = ['project-x', 'general', 'old-stuff', 'eng', 'eng-secrets'] as const;


export class FuzzWorld {
    private baselineJSON!: WsStateJSON;
    private baselineSnapshot = '';
    private baselineFingerprint = '';
    private current!: Workspace;
    private dirty = false;
    readonly headers = new Map<string, Record<string, string>>();
    readonly userIds = new Map<string, string>();
    readonly roomIds = new Map<string, string>();
    restores = 0;

    constructor(private readonly ev: Evidence) {}

    /** Configures the app for a fresh demo workspace and takes it as the baseline. */
    async setUp(): Promise<void> {
        // Thousands of calls from one address: Rocket.Chat's route rate limiter (10 calls a minute per route and client)
        // would answer most of them 429. Real changes are Rocket.Chat's own calls now (the HTTP door forwards them), so
        // the fuzz runs with the limiter off, as an administrator may (`API_Enable_Rate_Limiter`); the limiter itself is
        // tested in test/engine/http/limits.test.cts.
        const fixture = await this.ev.fresh(withoutRateLimits);
        const ws = fixture.workspace;
        for (const username of FUZZ_USERS) {
            const user = ws.getUserByUsername(username);
            if (!user) {
                throw new Error(`demo workspace without ${username}`);
            }
            this.userIds.set(username, user._id);
            const token = ws.createAuthToken(user._id);
            this.ev.watch.addSecret(token);
            this.headers.set(username, { 'X-User-Id': user._id, 'X-Auth-Token': token });
        }
        for (const name of FUZZ_ROOMS) {
            const room = ws.getRoomByName(name);
            if (!room) {
                throw new Error(`demo workspace without ${name}`);
            }
            this.roomIds.set(name, room._id);
        }
        // Authenticated-looking but wrong callers.
        const alice = this.userIds.get('alice') as string;
        this.headers.set('wrong-token', { 'X-User-Id': alice, 'X-Auth-Token': 'x'.repeat(43) });
        this.headers.set('unknown-user', { 'X-User-Id': 'NoSuchUser1234567', 'X-Auth-Token': this.headers.get('alice')?.['X-Auth-Token'] ?? '' });
        this.headers.set('anonymous', {});
        this.baselineJSON = ws.toJSON();
        this.baselineSnapshot = ws.snapshot();
        this.restore();
        this.baselineFingerprint = this.current.fingerprint();
        if (this.current.snapshot() !== this.baselineSnapshot) {
            throw new Error('Workspace.fromJSON does not round-trip the demo workspace');
        }
        this.restores = 0;
    }

    get workspace(): Workspace {
        return this.current;
    }

    /** The state every case starts from. */
    get before(): string {
        return this.baselineSnapshot;
    }

    /** Restores the baseline (after a case that changed it). */
    restore(): void {
        this.current = Workspace.fromJSON(this.baselineJSON);
        this.current.onChange(() => {
            this.dirty = true;
        });
        this.ev.host.useWorkspace(this.current);
        this.dirty = false;
        this.restores++;
    }

    /**
     * True when the state differs from the baseline. The fingerprint (plain JSON of the stored documents, ~4× cheaper
     * than `snapshot()`) can only over-report — any changed value changes it — so an equal fingerprint proves
     * "unchanged"; a different one is confirmed with the deterministic `snapshot()`.
     */
    changed(): boolean {
        if (this.current.fingerprint() === this.baselineFingerprint) {
            return false;
        }
        return this.current.snapshot() !== this.baselineSnapshot;
    }

    /** What differs from the baseline, document by document (for failure messages). */
    diff(): string[] {
        return snapshotDiff(this.baselineSnapshot, this.current.snapshot());
    }

    /** Whether the workspace's change listener fired since the last restore (a cheap hint, not the proof). */
    get touched(): boolean {
        return this.dirty;
    }

    userId(username: string): string {
        const id = this.userIds.get(username);
        if (!id) {
            throw new Error(`no user ${username}`);
        }
        return id;
    }

    roomId(name: string): string {
        const id = this.roomIds.get(name);
        if (!id) {
            throw new Error(`no room ${name}`);
        }
        return id;
    }
}

/**
 * Sets a fuzz test file up: one engine and fuzz world for the file (handed to `ready`), the seed printed first on a
 * long run (so a run that dies can be replayed), and the returned summary lines (cases run per endpoint or
 * command) printed at the end.
 */
export function fuzzFile(file: string, plan: FuzzPlan, ready: (ev: Evidence, world: FuzzWorld) => void): string[] {
    const summary: string[] = [];
    if (plan.long) {
        console.log(`fuzz: seed ${plan.seed} (replay: FUZZ_SEED=${plan.seed} FUZZ_RUNS=${plan.bodiesPerEndpoint} npx jest ${path.basename(file)})`);
    }
    bootPerFile(
        async (ev) => {
            const world = new FuzzWorld(ev);
            await world.setUp();
            ready(ev, world);
        },
        () => {
            if (summary.length) {
                console.log(`fuzz (seed ${plan.seed}${plan.long ? ', long run' : ''}):\n${summary.join('\n')}`);
            }
        },
    );
    return summary;
}
