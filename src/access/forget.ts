import { clearPermissionCache } from './permissionTable';
import { resetRateLimits } from './rateLimit';

/**
 * Forget what the access layer keeps in module memory: the permission table and the per-user change counts. The app's
 * wiring calls this when the app is enabled or disabled and when a setting may point it at another workspace.
 */
export function forgetAccessMemory(): void {
    clearPermissionCache();
    resetRateLimits();
}
