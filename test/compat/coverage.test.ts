import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFeature } from './gherkin.js';
import { referenceDir } from '../support/reference.js';

// Every feature file of the compatibility suite is run by one of the test files that drive it, so
// the suite cannot shrink silently: a feature added upstream, or one dropped from a runner's list,
// fails here by name.
const suite = referenceDir('pact-compatibility-suite');
const featureDir = `${suite}features`;
const features = readdirSync(featureDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.feature'))
  .map((f) => f.split('\\').join('/'))
  .sort();

const root = fileURLToPath(new URL('../', import.meta.url));
const runners = [
  'compat/http.test.ts',
  'compat/matching-rules.test.ts',
  'compat/generators-messages/generators.test.ts',
  'compat/generators-messages/message-consumer.test.ts',
  'compat/generators-messages/message-provider.test.ts',
  'conformance/http-matching.test.ts',
].map((f) => readFileSync(join(root, f), 'utf8'));

/** Whether a runner names the feature, either whole (`V3/generators.feature`) or as V1–V4 × a file name. */
function runBy(feature: string): boolean {
  const [version = '', file = ''] = feature.split('/');
  return runners.some(
    (text) =>
      text.includes(`'${feature}'`) ||
      (text.includes(`\`\${v}/${file}\``) && text.includes(`'${version}'`)) ||
      text.includes(`features/${feature}`),
  );
}

describe('the compatibility suite, all of it', () => {
  it('has 20 feature files and 190 scenarios', () => {
    expect(features).toHaveLength(20);
    const scenarios = features.reduce((n, f) => n + readFeature(join(featureDir, f)).length, 0);
    expect(scenarios).toBe(190);
  });

  for (const feature of features) it(`${feature} is run`, () => expect(runBy(feature)).toBe(true));
});
