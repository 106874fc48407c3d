import type { Body } from './model.js';

/** How a body is compared. */
export type BodyClass = 'json' | 'xml' | 'text' | 'form' | 'multipart' | 'binary';

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Classifies a content type; undefined when it says nothing useful. */
export function classifyContentType(contentType: string | undefined): BodyClass | undefined {
  if (contentType === undefined || contentType.trim() === '') return undefined;
  const mt = mediaType(contentType);
  if (mt === 'application/json' || mt.endsWith('+json') || mt === 'text/json' || mt === 'application/x-json')
    return 'json';
  if (mt === 'application/xml' || mt === 'text/xml' || mt.endsWith('+xml')) return 'xml';
  if (mt === 'application/x-www-form-urlencoded') return 'form';
  if (mt.startsWith('multipart/')) return 'multipart';
  if (
    mt.startsWith('text/') ||
    mt === 'application/javascript' ||
    mt === 'application/x-yaml' ||
    mt === 'application/yaml'
  )
    return 'text';
  return 'binary';
}

/** Guesses how to compare a body with no (useful) content type from its content. */
export function sniffBody(body: Body): BodyClass {
  if (body.contentTypeHint === 'BINARY') return 'binary';
  if (body.kind === 'json') return 'json';
  if (body.kind === 'binary') return body.contentTypeHint === 'TEXT' ? 'text' : 'binary';
  const t = body.text.trimStart();
  if (t.startsWith('<?xml') || /^<[A-Za-z_][^>]*>[\s\S]*<\/[^>]+>\s*$|^<[A-Za-z_][^>]*\/>\s*$/.test(t))
    return 'xml';
  if (t.startsWith('{') || t.startsWith('[')) return 'json';
  return 'text';
}

const magic: Array<[string, number[], number]> = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0],
  ['image/jpeg', [0xff, 0xd8, 0xff], 0],
  ['image/gif', [0x47, 0x49, 0x46, 0x38], 0],
  ['application/pdf', [0x25, 0x50, 0x44, 0x46, 0x2d], 0],
  ['application/zip', [0x50, 0x4b, 0x03, 0x04], 0],
  ['application/gzip', [0x1f, 0x8b], 0],
  ['image/webp', [0x57, 0x45, 0x42, 0x50], 8],
  ['image/bmp', [0x42, 0x4d], 0],
  ['image/tiff', [0x49, 0x49, 0x2a, 0x00], 0],
  ['image/tiff', [0x4d, 0x4d, 0x00, 0x2a], 0],
];

/**
 * Detects the media type of bytes from their first bytes (magic numbers), falling back to
 * JSON/XML/text detection for text and `application/octet-stream` otherwise.
 */
export function detectContentType(bytes: Uint8Array): string {
  for (const [type, sig, offset] of magic) {
    if (bytes.length >= offset + sig.length && sig.every((b, i) => bytes[offset + i] === b)) return type;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 4096));
  } catch {
    return 'application/octet-stream';
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what mark binary content
  if (/[\x00-\x08\x0e-\x1f]/.test(text)) return 'application/octet-stream';
  const t = text.trimStart();
  if (t.startsWith('<?xml') || t.startsWith('<')) return 'application/xml';
  if (t.startsWith('{') || t.startsWith('[')) return 'application/json';
  return 'text/plain';
}
