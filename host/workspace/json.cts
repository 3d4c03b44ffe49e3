/** Plain-data helpers: deep copies, Date ↔ ISO conversion and a deterministic JSON encoding. */

/** A deep copy of plain data (objects, arrays, Dates, primitives). */
export function clone<T>(value: T): T {
    return cloneValue(value) as T;
}

function cloneValue(value: unknown): unknown {
    if (value instanceof Date) {
        return new Date(value.getTime());
    }
    if (Array.isArray(value)) {
        return value.map(cloneValue);
    }
    if (value !== null && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(value)) {
            out[key] = cloneValue(v);
        }
        return out;
    }
    return value;
}

/** The value as `JSON.stringify` would carry it: Dates → ISO strings, `undefined` properties dropped. */
export function toJsonValue(value: unknown): unknown {
    if (value instanceof Date) {
        return value.toISOString();
    }
    if (Array.isArray(value)) {
        return value.map((v) => (v === undefined ? null : toJsonValue(v)));
    }
    if (value !== null && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(value)) {
            if (v !== undefined && typeof v !== 'function') {
                out[key] = toJsonValue(v);
            }
        }
        return out;
    }
    return value;
}

/** JSON with object keys sorted at every level: equal data gives an equal string. */
export function stableStringify(value: unknown): string {
    return JSON.stringify(sortKeys(toJsonValue(value)));
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
            out[key] = sortKeys((value as Record<string, unknown>)[key]);
        }
        return out;
    }
    return value;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Document fields that hold a Date in Rocket.Chat's collections. */
export const DATE_FIELDS: ReadonlySet<string> = new Set(['createdAt', '_updatedAt', 'ts', '_deletedAt', 'lm', 'ls', 'expires']);

/** A copy of a stored document with its date fields (ISO strings) turned back into Dates. */
export function reviveDocument(doc: unknown, where: string): Record<string, unknown> {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
        throw new Error(`${where}: expected an object`);
    }
    const out = clone(doc) as Record<string, unknown>;
    for (const key of Object.keys(out)) {
        const v = out[key];
        if (DATE_FIELDS.has(key)) {
            if (typeof v === 'string' && ISO_DATE.test(v)) {
                out[key] = new Date(v);
            } else if (!(v instanceof Date) && v !== undefined) {
                throw new Error(`${where}.${key}: expected an ISO date string`);
            }
        }
    }
    return out;
}
