import { describe, expect, it } from 'vitest';
import { parseContract } from '../contract/parse.js';
import { checkContractRegexes } from './regex-check.js';

const contract = (regex: string, where: 'response' | 'message' = 'response') =>
  parseContract({
    consumer: { name: 'web' },
    provider: { name: 'orders' },
    interactions: [
      where === 'response'
        ? {
            type: 'Synchronous/HTTP',
            description: 'an order',
            request: { method: 'GET', path: '/orders/1' },
            response: {
              status: 200,
              body: { contentType: 'application/json', encoded: false, content: { id: 'A1' } },
              matchingRules: { body: { '$.id': { combine: 'AND', matchers: [{ match: 'regex', regex }] } } },
            },
          }
        : {
            type: 'Asynchronous/Messages',
            description: 'an event',
            contents: { content: { id: 'A1' } },
            matchingRules: {
              body: {
                '$.id': {
                  combine: 'AND',
                  matchers: [{ match: 'eachValue', rules: [{ match: 'regex', regex }] }],
                },
              },
            },
          },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });

describe('checkContractRegexes', () => {
  it('accepts the regexes Pact tools write (Java-isms included)', () => {
    for (const regex of ['[A-Z]\\d', '\\p{Alpha}+\\d', '(?i)a1', '\\Aa1\\z'])
      expect(() => checkContractRegexes(contract(regex))).not.toThrow();
  });

  it.each([
    ['an unclosed group', '(unclosed'],
    ['a dangling quantifier', '*abc'],
    ['an unclosed class', '[a-'],
  ])('refuses %s with TREATY_CONTRACT_INVALID_REGEX and its path', (_what, regex) => {
    expect(() => checkContractRegexes(contract(regex))).toThrow(
      expect.objectContaining({
        code: 'TREATY_CONTRACT_INVALID_REGEX',
        path: "interactions[0].response.matchingRules.body['$.id'].matchers[0]",
      }),
    );
  });

  it('finds a regex nested in eachValue in a message', () => {
    expect(() => checkContractRegexes(contract('(bad', 'message'))).toThrow(
      expect.objectContaining({ code: 'TREATY_CONTRACT_INVALID_REGEX' }),
    );
  });
});
