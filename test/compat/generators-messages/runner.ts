import { describe, expect, it } from 'vitest';
import { readFeature, type Step } from '../gherkin.js';
import { referenceDir } from '../../support/reference.js';

/** The compatibility suite's folder (features/ and fixtures/). */
export const suite = referenceDir('pact-compatibility-suite');

/** What every world has: clean-ups run after its scenario, whether it passed or not. */
export interface BaseWorld {
  cleanups: Array<() => Promise<void> | void>;
}

/**
 * One step definition: a pattern over the step's text (anchored; `"…"` parts are Cucumber `{string}`s)
 * and a handler that gets the per-scenario world, the captured strings (unescaped) and the step.
 */
export interface StepDefinition<W extends BaseWorld> {
  pattern: RegExp;
  /** What each capture is: a `{string}` takes two groups (double or single quotes), the others one. */
  captures: Array<'string' | 'other'>;
  run: (world: W, args: string[], step: Step) => Promise<void> | void;
}

/** A quoted Cucumber `{string}`: `"…"` or `'…'`, with backslash escapes. */
const STRING = `(?:"((?:[^"\\\\]|\\\\.)*)"|'((?:[^'\\\\]|\\\\.)*)')`;

/**
 * Builds a step definition from a Cucumber-like expression: `{string}`, `{int}` and `{word}` capture,
 * `{ord}` captures first/second/…, everything else is literal; `(s)` makes an `s` optional, `a(n)` an `n`.
 */
export function step<W extends BaseWorld>(
  expression: string,
  run: (world: W, args: string[], step: Step) => Promise<void> | void,
): StepDefinition<W> {
  const captures: StepDefinition<W>['captures'] = [];
  const source = expression
    .split(/(\{string\}|\{int\}|\{word\}|\{ord\}|\(s\)|\(n\))/)
    .map((part) => {
      if (part === '{string}') captures.push('string');
      else if (part === '{int}' || part === '{word}' || part === '{ord}') captures.push('other');
      if (part === '{string}') return STRING;
      if (part === '{int}') return '(-?\\d+)';
      if (part === '{word}') return '(\\w+)';
      if (part === '{ord}') return '(first|second|third|\\d+(?:st|nd|rd|th))';
      if (part === '(s)') return 's?';
      if (part === '(n)') return 'n?';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { pattern: new RegExp(`^${source}$`), captures, run };
}

/** Cucumber's {string} unescapes only the quotes; `\d` stays as written. */
function unescapeQuotes(s: string): string {
  return s.replace(/\\(["'])/g, '$1');
}

/** The arguments a match captured: each `{string}` once (whichever quote it used), unescaped. */
function argumentsOf(match: RegExpExecArray, captures: StepDefinition<BaseWorld>['captures']): string[] {
  const groups = match.slice(1);
  let g = 0;
  return captures.map((kind) => {
    if (kind === 'other') return groups[g++] ?? '';
    const value = groups[g] ?? groups[g + 1] ?? '';
    g += 2;
    return unescapeQuotes(value);
  });
}

/** Index of an ordinal word: first → 0, second → 1, 3rd → 2. */
export function ordinal(word: string): number {
  const words = ['first', 'second', 'third'];
  const i = words.indexOf(word);
  return i >= 0 ? i : Number.parseInt(word, 10) - 1;
}

/**
 * Runs every scenario of the feature files as one vitest test each (named feature + scenario). Each
 * step must match exactly one definition; an unmatched or ambiguous step fails the test, naming it.
 */
export function runFeatures<W extends BaseWorld>(
  features: string[],
  definitions: Array<StepDefinition<W>>,
  newWorld: (feature: string, scenario: string) => W,
): void {
  for (const feature of features) {
    const scenarios = readFeature(`${suite}features/${feature}`);
    describe(`compatibility suite ${feature}`, () => {
      it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(0));
      for (const scenario of scenarios) {
        it(`${feature}: ${scenario.name}`, async () => {
          const world = newWorld(feature, scenario.name);
          try {
            for (const s of scenario.steps) {
              const found = definitions.flatMap((d) => {
                const m = d.pattern.exec(s.text);
                return m === null ? [] : [{ d, m }];
              });
              if (found.length !== 1)
                throw new Error(
                  `${found.length === 0 ? 'no step definition matches' : 'several step definitions match'}: ${s.keyword} ${s.text}`,
                );
              const [{ d, m }] = found as [{ d: StepDefinition<W>; m: RegExpExecArray }];
              try {
                await d.run(world, argumentsOf(m, d.captures), s);
              } catch (error) {
                if (error instanceof Error) error.message = `${s.keyword} ${s.text}\n${error.message}`;
                throw error;
              }
            }
          } finally {
            for (const cleanup of world.cleanups.reverse()) await cleanup();
          }
        });
      }
    });
  }
}
