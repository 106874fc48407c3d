import { describe, expect, it } from 'vitest';
import { parseResponse } from '../contract/fragments.js';
import { MAX_JSON_DEPTH } from '../contract/json.js';
import { matchResponse } from './match.js';
import { parseXml } from './xml.js';

const headers = { 'Content-Type': 'application/xml' };
const doc = (id: string, name: string) =>
  `<?xml version="1.0"?><ns:items xmlns:ns="urn:shop"><ns:item ns:id="${id}">${name}</ns:item></ns:items>`;

function mismatches(rules: Record<string, unknown>, actual: string): string[] {
  const expected = parseResponse(
    { status: 200, headers, body: doc('1', 'pen'), matchingRules: { body: rules } },
    '3.0.0',
  );
  return matchResponse(expected, parseResponse({ status: 200, headers, body: actual }, '3.0.0')).map(
    (m) => `${m.path} ${m.rule}`,
  );
}

const typeRule = { matchers: [{ match: 'type' }] };
const idRule = { matchers: [{ match: 'regex', regex: '\\d+' }] };

describe('XML rule paths in the forms Pact tools write them', () => {
  it('apply rules keyed by local names (Treaty)', () => {
    const rules = { '$.items.item.#text': typeRule, "$.items.item['@id']": idRule };
    expect(mismatches(rules, doc('42', 'book'))).toEqual([]);
  });

  it('apply rules keyed by names as written, prefix included (pact-jvm, the Rust core)', () => {
    const rules = { '$.ns:items.ns:item.#text': typeRule, "$.ns:items.ns:item['@ns:id']": idRule };
    expect(mismatches(rules, doc('42', 'book'))).toEqual([]);
    expect(mismatches(rules, doc('x', 'book'))).toEqual(['$.body.items.item.@id regex']);
  });

  it('apply rules with child indexes and prefixes', () => {
    expect(mismatches({ '$.ns:items[*].ns:item.#text': typeRule }, doc('1', 'book'))).toEqual([]);
  });

  it('compare by equality where no form of the path has a rule', () => {
    expect(mismatches({ '$.other:items.item.#text': typeRule }, doc('1', 'book'))).toEqual([
      '$.body.items.item.#text equality',
    ]);
  });
});

describe('deeply nested XML', () => {
  const nestedXml = (depth: number, leaf: string) => `${'<a>'.repeat(depth)}${leaf}${'</a>'.repeat(depth)}`;
  const response = (body: string) => parseResponse({ status: 200, headers, body }, '3.0.0');

  it('compares documents nested as deeply as JSON may be, and refuses one level more as a mismatch', () => {
    const expected = response(nestedXml(MAX_JSON_DEPTH, 'x'));
    expect(matchResponse(expected, response(nestedXml(MAX_JSON_DEPTH, 'x')))).toEqual([]);
    expect(matchResponse(expected, response(nestedXml(MAX_JSON_DEPTH, 'y'))).map((m) => m.rule)).toEqual([
      'equality',
    ]);
    const tooDeep = matchResponse(expected, response(nestedXml(MAX_JSON_DEPTH + 1, 'x')));
    expect(tooDeep.map((m) => m.message)).toEqual([
      '$.body: expected an XML body but it is not well-formed: elements nested more than 256 levels deep (Treaty reads at most 256)',
    ]);
    expect(parseXml(nestedXml(100_000, ''))).toMatch(/nested more than 256 levels/);
  });
});
