import { describe, expect, it } from 'vitest';
import { rulesInWords } from './rules-in-words.js';

describe('rules in words', () => {
  it('shows a path pattern once, as written, without slashes around it', () => {
    const [path] = rulesInWords({
      path: { combine: 'AND', rules: [{ match: 'regex', regex: '/inventory/[A-Z]+-\\d+' }] },
    });
    expect(path).toEqual({ where: 'path', what: 'text matching the pattern /inventory/[A-Z]+-\\d+' });
    expect(path?.what).not.toContain('//');
  });

  it('names a rule Treaty does not know as such', () => {
    expect(
      rulesInWords({
        body: {
          '$.status': {
            combine: 'AND',
            rules: [{ match: 'unknown', name: 'value', rule: { match: 'value' } }],
          },
        },
      }),
    ).toEqual([
      { where: 'status', what: "the rule 'value', which Treaty does not know (nothing matches it)" },
    ]);
  });
});
