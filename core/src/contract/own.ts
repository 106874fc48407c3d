/*
 * Maps keyed by input (header names, query parameters, rule paths, JSON keys) are plain objects, so a
 * name such as `constructor`, `toString` or `__proto__` would otherwise read Object.prototype's members
 * or, assigned, replace the map's prototype. These two helpers make such names ordinary keys.
 */

/**
 * The value `map` holds under `key` itself, never one it inherits (`constructor`, `__proto__`).
 * @example ownValue({}, 'constructor') // undefined
 */
export function ownValue<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * Sets `map[key]` as an own, enumerable property, also for `__proto__` (which assignment would
 * take as the map's prototype).
 * @example setOwn(headers, '__proto__', ['x']) // Object.keys(headers) includes '__proto__'
 */
export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}
