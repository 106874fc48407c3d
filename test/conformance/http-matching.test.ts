import { describe, expect, it } from 'vitest';
import { matchRequest, parseRequest } from '@treaty/core';
import { readFeature } from '../compat/gherkin.js';
import { referenceDir } from '../support/reference.js';

// The compatibility suite's V3 scenarios about comparing Content-Type and Accept headers, run
// against the engine: each names one expected and one actual header value.
const feature = `${referenceDir('pact-compatibility-suite')}features/V3/http_matching.feature`;
const scenarios = readFeature(feature);
const headerStep = /an? "([^"]+)" header of "([^"]*)"/;

describe('compatibility suite: V3/http_matching.feature', () => {
  it('has its seven scenarios', () => expect(scenarios).toHaveLength(7));

  for (const scenario of scenarios) {
    it(scenario.name, () => {
      const request = (text: string | undefined) => {
        const m = headerStep.exec(text ?? '');
        if (m === null) throw new Error(`no header in step: ${text}`);
        return parseRequest(
          { method: 'GET', path: '/', headers: { [m[1] as string]: m[2] as string } },
          '3.0.0',
        );
      };
      const expected = request(scenario.steps.find((s) => s.text.startsWith('an expected request'))?.text);
      const actual = request(scenario.steps.find((s) => s.text.startsWith('a request is received'))?.text);
      const mismatches = matchRequest(expected, actual);
      const verdicts = scenario.steps.filter((s) => /comparison should/.test(s.text));
      expect(verdicts).toHaveLength(1);
      if (/should NOT be OK/.test(verdicts[0]?.text ?? '')) {
        expect(mismatches.length).toBeGreaterThan(0);
        for (const m of mismatches) expect(m).toMatchObject({ part: 'header', rule: 'equality' });
        const name = /error "([^"]+)" ->/.exec(scenario.steps.map((s) => s.text).join('\n'))?.[1];
        if (name !== undefined)
          expect(mismatches.map((m) => m.path.toLowerCase())).toContain(`$.header.${name}`);
      } else {
        expect(mismatches.map((m) => m.message)).toEqual([]);
      }
    });
  }
});
