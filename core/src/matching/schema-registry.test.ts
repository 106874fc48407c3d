import { describe, expect, it } from 'vitest';
import { parseMessage } from '../contract/fragments.js';
import { matchMessage } from './match.js';

const type = 'application/vnd.schemaregistry.v1+json';
const expected = parseMessage({ contents: { one: 'a', two: 'b' }, metadata: { contentType: type } }, '3.0.0');
const wire = (json: string, first = 0): Uint8Array =>
  new Uint8Array([first, 0, 0, 0, 2, ...new TextEncoder().encode(json)]);
const actual = (bytes: Uint8Array) =>
  ({
    contents: { kind: 'binary', bytes, contentType: type },
    metadata: { contentType: type },
    matchingRules: {},
    generators: {},
  }) as const;

describe('JSON in the schema registry wire format', () => {
  it('skips the magic byte and schema ID before comparing the JSON', () => {
    expect(matchMessage(expected, { ...actual(wire('{"one": "a", "two": "b"}')) })).toEqual([]);
    expect(
      matchMessage(expected, { ...actual(wire('{"one": "a", "two": "c"}')) }).map((m) => m.path),
    ).toEqual(['$.body.two']);
  });

  it('leaves bodies without the magic byte, and other content types, as they are', () => {
    expect(matchMessage(expected, { ...actual(wire('{"one": "a", "two": "b"}', 1)) })).not.toEqual([]);
    const plain = parseMessage(
      { contents: { one: 'a' }, metadata: { contentType: 'application/json' } },
      '3.0.0',
    );
    const bytes = wire('{"one": "a"}');
    expect(
      matchMessage(plain, {
        contents: { kind: 'binary', bytes, contentType: 'application/json' },
        metadata: {},
        matchingRules: {},
        generators: {},
      }),
    ).not.toEqual([]);
  });
});
