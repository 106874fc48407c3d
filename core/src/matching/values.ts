import type { RuleList } from '../contract/model.js';
import { ownValue } from '../contract/own.js';
import { type Mismatch, type MismatchPart, mismatch } from './mismatch.js';
import { checkRuleList, show } from './rules.js';

/** How a multi-valued map (query parameters, form fields, headers) is compared. */
export interface ValuesOptions {
  part: MismatchPart;
  prefix: string;
  rules: Record<string, RuleList> | undefined;
  allowUnexpected: boolean;
  caseInsensitive: boolean;
  what: string;
  /** Compares two values without a rule; plain equality when absent. */
  equal?: (expected: string[], actual: string[]) => boolean;
}

const coerce = { coerceStrings: true, actualIsFloat: false };

function lookup<T>(
  map: Record<string, T> | undefined,
  name: string,
  caseInsensitive: boolean,
): T | undefined {
  const direct = ownValue(map, name);
  if (direct !== undefined || !caseInsensitive) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(map ?? {})) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const plainEqual = (e: string[], a: string[]): boolean =>
  e.length === a.length && e.every((v, i) => v === a[i]);

/**
 * Compares names to lists of values: every expected name must be present; a rule on a name applies
 * to each actual value (their number may differ); without a rule the values must be equal in order.
 */
export function compareValues(
  expected: Record<string, string[]>,
  actual: Record<string, string[]>,
  opts: ValuesOptions,
): Mismatch[] {
  const out: Mismatch[] = [];
  const add = (name: string, rule: string, exp: unknown, act: unknown, message: string): void => {
    out.push(mismatch(opts.part, `${opts.prefix}.${name}`, rule, exp, act, message));
  };
  for (const [name, exp] of Object.entries(expected)) {
    const act = lookup(actual, name, opts.caseInsensitive);
    if (act === undefined) {
      add(
        name,
        'presence',
        exp.length === 1 ? exp[0] : exp,
        undefined,
        `expected ${opts.what} '${name}' with ${show(exp.length === 1 ? exp[0] : exp)} but it is missing`,
      );
      continue;
    }
    const rules = lookup(opts.rules, name, opts.caseInsensitive);
    if (rules?.rules.some((r) => r.match !== 'equality')) {
      const example = exp[0];
      for (const value of act) {
        for (const f of checkRuleList(rules, example, value, coerce))
          add(name, f.rule.match, example, value, `${opts.what} '${name}': ${f.reason}`);
      }
      continue;
    }
    if (!(opts.equal ?? plainEqual)(exp, act)) {
      const e = exp.length === 1 ? exp[0] : exp;
      const a = act.length === 1 ? act[0] : act;
      add(name, 'equality', e, a, `expected ${opts.what} '${name}' to be ${show(e)} but got ${show(a)}`);
    }
  }
  if (!opts.allowUnexpected) {
    for (const [name, act] of Object.entries(actual)) {
      if (lookup(expected, name, opts.caseInsensitive) === undefined)
        add(
          name,
          'unexpected',
          undefined,
          act,
          `unexpected ${opts.what} '${name}' with ${show(act.length === 1 ? act[0] : act)}`,
        );
    }
  }
  return out;
}
