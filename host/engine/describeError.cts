/** The engine's error for a failed executor is a JSON-RPC error object, not an Error: make it readable. */
export function describeError(error: unknown): string {
    if (error instanceof Error) {
        return error.message;
    }
    if (error && typeof error === 'object' && 'message' in error) {
        return String((error as { message: unknown }).message);
    }
    return String(error);
}
