import { classifyContentType, mediaType } from '../contract/content-type.js';
import type { JsonObject } from '../contract/model.js';
import { isObject } from './load.js';

/** True for a media type read as JSON: `application/json`, every `+json` type, `text/json`. */
export function isJsonMediaType(type: string): boolean {
  return classifyContentType(type) === 'json' || /^[^/]+\/\*\+json$/.test(mediaType(type));
}

/**
 * The entry of a `content` map that serves a Content-Type: the exact media type, then the same
 * without parameters, then any JSON type for a JSON one (every `+json` type is JSON), then a
 * wildcard (`application/*`, `*\/*`). Undefined when none serves it.
 */
export function pickMedia(
  content: JsonObject,
  contentType: string,
): { key: string; media: JsonObject } | undefined {
  const wanted = mediaType(contentType);
  const entries = Object.entries(content).filter((e): e is [string, JsonObject] => isObject(e[1]));
  const find = (test: (key: string) => boolean): { key: string; media: JsonObject } | undefined => {
    const hit = entries.find(([key]) => test(key));
    return hit === undefined ? undefined : { key: hit[0], media: hit[1] };
  };
  return (
    find((k) => k.toLowerCase() === contentType.toLowerCase()) ??
    find((k) => mediaType(k) === wanted) ??
    (isJsonMediaType(wanted) ? find((k) => isJsonMediaType(k)) : undefined) ??
    find((k) => mediaType(k) === `${wanted.split('/')[0] ?? ''}/*`) ??
    find((k) => mediaType(k) === '*/*')
  );
}
