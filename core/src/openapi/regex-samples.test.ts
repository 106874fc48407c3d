import { describe, expect, it } from 'vitest';
import { regexSamples } from './regex-samples.js';

const samples = (source: string): string[] => {
  const r = regexSamples(source);
  if ('unsupported' in r) throw new Error(r.unsupported);
  return r.samples;
};

describe('strings a regex matches', () => {
  it('generates only strings the regex matches in full, the same on every run', () => {
    for (const source of [
      '[A-Z]{2}-\\d{3,5}',
      '^(?:foo|ba[rz])+$',
      '[^a-z\\s]+',
      '(?<year>\\d{4})-(0[1-9]|1[0-2])',
      '\\w+@\\w+\\.(com|org)',
      'a.b?c*',
      '\\x41\\u0042[\\-.]{0,2}',
      '[]?x|[^]',
    ]) {
      const got = samples(source);
      expect(got.length, source).toBeGreaterThan(0);
      const full = new RegExp(`^(?:${source})$`);
      for (const s of got) expect(full.test(s), `${source} ~ ${JSON.stringify(s)}`).toBe(true);
      expect(samples(source)).toEqual(got);
    }
  });

  it('tries every alternative, the fewest and more repetitions, and the ends of each range', () => {
    const got = samples('(?:red|green|blue)-[a-f]{1,3}');
    for (const colour of ['red', 'green', 'blue'])
      expect(got.some((s) => s.startsWith(`${colour}-`))).toBe(true);
    expect(got).toContain('red-a');
    expect(got.some((s) => s.endsWith('-fff'))).toBe(true);
  });

  it('lists a small finite language completely', () => {
    expect(regexSamples('cat|dogs?|(bird){2}')).toEqual({
      samples: ['cat', 'dog', 'dogs', 'birdbird'],
      exhaustive: true,
    });
    expect(regexSamples('[0-9]')).toMatchObject({ exhaustive: false });
  });

  it('names what it cannot read', () => {
    expect(regexSamples('(?=a)a')).toEqual({ unsupported: 'a lookahead or lookbehind' });
    expect(regexSamples('(a)\\1')).toEqual({ unsupported: 'a backreference' });
    expect(regexSamples('\\bword')).toEqual({ unsupported: 'a word boundary (\\b)' });
    expect(regexSamples('\\p{L}+')).toEqual({ unsupported: 'a Unicode property (\\p{…})' });
    expect(regexSamples('(')).toEqual({ unsupported: 'a syntax JavaScript does not read' });
    expect(regexSamples('[]')).toEqual({ unsupported: 'no string Treaty can generate' });
  });
});
