/**
 * A deep copy of a JSON-like value (arrays and plain objects are walked), with every other value passed
 * through `mapLeaf` and every object key through `mapKey`.
 */
export function mapJson(value: unknown, mapLeaf: (leaf: unknown) => unknown, mapKey: (key: string) => string = (key) => key): unknown {
    if (Array.isArray(value)) {
        return value.map((item) => mapJson(item, mapLeaf, mapKey));
    }
    if (Object.prototype.toString.call(value) === '[object Object]') {
        const source = value as Record<string, unknown>;
        const copy: Record<string, unknown> = {};
        Object.keys(source).forEach((key) => {
            copy[mapKey(key)] = mapJson(source[key], mapLeaf, mapKey);
        });
        return copy;
    }
    return mapLeaf(value);
}
