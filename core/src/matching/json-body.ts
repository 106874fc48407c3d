import type { JsonObject, JsonValue, RuleList } from '../contract/model.js';
import { isFloatLiteral } from '../contract/json.js';
import { type Mismatch, type MismatchPart, mismatch } from './mismatch.js';
import { formatLocation } from '../contract/path-expr.js';
import { RuleCursor } from './rule-selector.js';
import { checkRule, checkRuleList, jsonType, show, type LeafContext } from './rules.js';

/** How a JSON document is compared. */
export interface JsonCompareOptions {
  /** Responses and messages tolerate keys the expectation does not name; requests do not. */
  allowUnexpectedKeys: boolean;
  /** Body rules keyed by path expression (`$.items[*].id`). */
  rules: Record<string, RuleList> | undefined;
  part: MismatchPart;
  /** Path prefix for mismatches, e.g. `$.body`. */
  prefix: string;
}

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const noCoerce: LeafContext = { coerceStrings: false, actualIsFloat: false };
const floatCtx: LeafContext = { coerceStrings: false, actualIsFloat: true };

/**
 * Compares an expected JSON document with an actual one under the body rules; every mismatch is
 * returned. Rules cascade to descendants; the most specific path wins.
 */
export function compareJson(expected: JsonValue, actual: JsonValue, options: JsonCompareOptions): Mismatch[] {
  const c = new JsonComparer(options);
  c.node(expected, actual, undefined, '', RuleCursor.root(options.rules));
  return c.mismatches;
}

class JsonComparer {
  readonly mismatches: Mismatch[] = [];
  private readonly loc: Array<string | number> = [];

  constructor(private readonly opts: JsonCompareOptions) {}

  private add(rule: string, expected: unknown, actual: unknown, message: string): void {
    const path = formatLocation(this.opts.prefix, this.loc);
    this.mismatches.push(mismatch(this.opts.part, path, rule, expected, actual, message));
  }

  node(
    exp: JsonValue,
    act: JsonValue,
    parent: object | undefined,
    key: string | number,
    cur: RuleCursor | undefined,
  ): void {
    // A subtree that no rule path reaches into is first checked whole by a walk that only says
    // whether it matches; the walk below, which says how it does not, runs only when it does not.
    const subtree = cur === undefined ? 'plain' : cur.subtree;
    if (subtree !== undefined) {
      const strict = !this.opts.allowUnexpectedKeys;
      if (subtree === 'plain' ? equalJson(exp, act, strict) : sameShape(exp, act, strict)) return;
    }
    const list = cur?.applied;
    if (cur === undefined || list === undefined) return this.plain(exp, act, cur);
    if (Array.isArray(exp) && Array.isArray(act))
      return this.arrayWithRules(exp, act, list, cur.selected?.cascaded === true, cur);
    // Type rules pass an object for an object and constrain no keys: its members decide.
    if (isObj(exp) && isObj(act))
      return cur.typeOnly ? this.maps(exp, act, cur) : this.objectWithRules(exp, act, list, cur);
    // Only integer and decimal read how the actual number was written.
    const ctx =
      cur.readsNumberForm && parent !== undefined && typeof act === 'number' && isFloatLiteral(parent, key)
        ? floatCtx
        : noCoerce;
    for (const f of checkRuleList(list, exp, act, ctx)) this.add(f.rule.match, exp, act, f.reason);
  }

  private plain(exp: JsonValue, act: JsonValue, cur: RuleCursor | undefined): void {
    if (Array.isArray(exp)) {
      if (!Array.isArray(act))
        return this.add('type', exp, act, `expected an array but got ${describe(act)}`);
      if (exp.length !== act.length) {
        this.add(
          'length',
          exp,
          act,
          `expected an array of ${exp.length} item(s) but got ${act.length}: ${show(act)}`,
        );
      }
      const n = Math.min(exp.length, act.length);
      for (let i = 0; i < n; i++) this.child(i, exp[i] as JsonValue, act[i] as JsonValue, act, cur);
      return;
    }
    if (isObj(exp)) {
      if (!isObj(act)) return this.add('type', exp, act, `expected an object but got ${describe(act)}`);
      return this.maps(exp, act, cur);
    }
    if (exp === act) return;
    this.add('equality', exp, act, `expected ${show(exp)} but got ${describe(act)}`);
  }

  private child(
    key: string | number,
    exp: JsonValue,
    act: JsonValue,
    parent: object,
    cur: RuleCursor | undefined,
  ): void {
    this.loc.push(key);
    this.node(exp, act, parent, key, cur?.child(key));
    this.loc.pop();
  }

  private maps(exp: JsonObject, act: JsonObject, cur: RuleCursor | undefined): void {
    for (const k of Object.keys(exp)) {
      if (!Object.hasOwn(act, k)) {
        this.loc.push(k);
        this.add('presence', exp[k], undefined, `expected ${show(exp[k])} but the key '${k}' is missing`);
        this.loc.pop();
      } else this.child(k, exp[k] as JsonValue, act[k] as JsonValue, act, cur);
    }
    if (!this.opts.allowUnexpectedKeys) {
      for (const k of Object.keys(act)) {
        if (!Object.hasOwn(exp, k)) {
          this.loc.push(k);
          this.add('unexpected', undefined, act[k], `unexpected key '${k}' with value ${show(act[k])}`);
          this.loc.pop();
        }
      }
    }
  }

  private leafChecks(list: RuleList, exp: JsonValue, act: JsonValue): boolean {
    const failures = checkRuleList(list, exp, act, noCoerce);
    for (const f of failures) this.add(f.rule.match, exp, act, f.reason);
    return failures.length === 0;
  }

  private arrayWithRules(
    exp: JsonValue[],
    act: JsonValue[],
    list: RuleList,
    cascaded: boolean,
    cur: RuleCursor | undefined,
  ): void {
    const before = this.mismatches.length;
    this.leafChecks(list, exp, act);
    let positional = true;
    for (const rule of list.rules) {
      if (rule.match === 'type' && !cascaded) {
        if (rule.min !== undefined && act.length < rule.min)
          this.add(
            'type',
            exp,
            act,
            `expected an array with at least ${rule.min} item(s) but got ${act.length}`,
          );
        if (rule.max !== undefined && act.length > rule.max)
          this.add(
            'type',
            exp,
            act,
            `expected an array with at most ${rule.max} item(s) but got ${act.length}`,
          );
      } else if (rule.match === 'arrayContains') {
        positional = false;
        for (const variant of rule.variants) {
          const example = exp[variant.index];
          if (example === undefined) continue;
          const found = act.some(
            (item) =>
              compareJson(example, item, { ...this.opts, rules: variant.rules, prefix: '$' }).length === 0,
          );
          if (!found)
            this.add(
              'arrayContains',
              example,
              act,
              `expected the array to contain an item like ${show(example)} (variant ${variant.index}) but none matched`,
            );
        }
      } else if (rule.match === 'eachValue') {
        positional = false;
        const example = exp[0] ?? rule.value;
        act.forEach((item, i) => {
          this.loc.push(i);
          for (const inner of rule.rules) {
            const reason = checkRule(inner, example, item, noCoerce);
            if (reason !== undefined) this.add(inner.match, example, item, reason);
          }
          if (example !== undefined && example !== null && typeof example === 'object')
            this.node(example as JsonValue, item, act, i, cur?.child(i));
          this.loc.pop();
        });
      }
    }
    if (!positional) return;
    if (
      list.combine === 'OR' &&
      this.mismatches.length > before &&
      this.mismatches.length - before < list.rules.length
    ) {
      this.mismatches.length = before; // one alternative passed
    }
    if (exp.length === 0) return;
    act.forEach((item, i) => {
      this.child(i, (exp[i] ?? exp[0]) as JsonValue, item, act, cur);
    });
  }

  private objectWithRules(
    exp: JsonObject,
    act: JsonObject,
    list: RuleList,
    cur: RuleCursor | undefined,
  ): void {
    this.leafChecks(list, exp, act);
    const dynamicKeys = list.rules.some(
      (r) => r.match === 'values' || r.match === 'eachValue' || r.match === 'eachKey',
    );
    for (const rule of list.rules) {
      if (rule.match === 'eachKey') {
        for (const k of Object.keys(act)) {
          for (const inner of rule.rules) {
            const reason = checkRule(inner, undefined, k, noCoerce);
            if (reason !== undefined) {
              this.loc.push(k);
              this.add('eachKey', undefined, k, `key '${k}': ${reason}`);
              this.loc.pop();
            }
          }
        }
      } else if (rule.match === 'eachValue') {
        const first = Object.values(exp)[0] ?? rule.value;
        for (const k of Object.keys(act)) {
          this.loc.push(k);
          for (const inner of rule.rules) {
            const reason = checkRule(inner, first, act[k], noCoerce);
            if (reason !== undefined) this.add(inner.match, first, act[k], reason);
          }
          this.loc.pop();
        }
      }
    }
    if (!dynamicKeys) return this.maps(exp, act, cur);
    // eachKey and eachValue constrain keys or values through their own rules, checked above.
    if (!list.rules.some((r) => r.match === 'values')) return;
    const values = Object.values(exp);
    const first = values[0];
    if (first === undefined) return;
    for (const k of Object.keys(act)) {
      const e = Object.hasOwn(exp, k) ? (exp[k] as JsonValue) : first;
      this.child(k, e, act[k] as JsonValue, act, cur);
    }
  }
}

/**
 * True when plain comparison (no rules: arrays by length and position, objects by their keys,
 * values by equality) finds no mismatch; `strict` refuses keys the expectation does not name.
 */
function equalJson(exp: JsonValue, act: JsonValue, strict: boolean): boolean {
  if (Array.isArray(exp)) {
    if (!Array.isArray(act) || act.length !== exp.length) return false;
    for (let i = 0; i < exp.length; i++)
      if (!equalJson(exp[i] as JsonValue, act[i] as JsonValue, strict)) return false;
    return true;
  }
  if (isObj(exp)) return isObj(act) && sameKeys(exp, act, strict, equalJson);
  return exp === act;
}

/**
 * True when cascaded `type` rules (and nothing else) find no mismatch: values of the same JSON
 * type, the expected keys present, each actual element like its expected one (or the first).
 */
function sameShape(exp: JsonValue, act: JsonValue, strict: boolean): boolean {
  if (typeof exp !== 'object' || exp === null)
    return exp === undefined || (exp === null ? act === null : typeof act === typeof exp);
  if (Array.isArray(exp)) {
    if (!Array.isArray(act)) return false;
    if (exp.length === 0) return true;
    // A hole (in an array made by code) fails here, and the walk that reports skips it.
    for (let i = 0; i < act.length; i++)
      if (!sameShape((exp[i] ?? exp[0]) as JsonValue, act[i] as JsonValue, strict)) return false;
    return true;
  }
  return isObj(act) && sameKeys(exp, act, strict, sameShape);
}

function sameKeys(
  exp: JsonObject,
  act: JsonObject,
  strict: boolean,
  same: (e: JsonValue, a: JsonValue, strict: boolean) => boolean,
): boolean {
  for (const k of Object.keys(exp))
    if (!Object.hasOwn(act, k) || !same(exp[k] as JsonValue, act[k] as JsonValue, strict)) return false;
  if (strict) for (const k of Object.keys(act)) if (!Object.hasOwn(exp, k)) return false;
  return true;
}

function describe(value: unknown): string {
  const t = jsonType(value);
  if (t === 'undefined') return 'nothing';
  if (t === 'null') return 'null';
  return `${t === 'array' || t === 'object' ? `an ${t}` : `the ${t}`} ${show(value)}`;
}
