import type { MatchingRule, RuleList } from '../contract/model.js';
import { parsePathExpression, pathWeight, type Location, type PathToken } from '../contract/path-expr.js';

/** The rule list that applies at a location, and whether it reached there by cascading. */
export interface SelectedRules {
  list: RuleList;
  cascaded: boolean;
}

const preparedCache = new WeakMap<Record<string, RuleList>, RuleSelector>();

/**
 * Picks, for each location in a body, the most specific rule path that reaches it (highest weight;
 * on a tie the longer expression). Built once per rule map and cached.
 */
export class RuleSelector {
  private readonly entries: Array<{ tokens: PathToken[]; list: RuleList }>;

  private constructor(rules: Record<string, RuleList>) {
    this.entries = Object.entries(rules).map(([expr, list]) => ({ tokens: parsePathExpression(expr), list }));
  }

  static for(rules: Record<string, RuleList> | undefined): RuleSelector | undefined {
    if (rules === undefined) return undefined;
    let selector = preparedCache.get(rules);
    if (selector === undefined) {
      selector = new RuleSelector(rules);
      preparedCache.set(rules, selector);
    }
    return selector.entries.length === 0 ? undefined : selector;
  }

  select(location: Location): SelectedRules | undefined {
    let best: { tokens: PathToken[]; list: RuleList } | undefined;
    let bestWeight = 0;
    for (const entry of this.entries) {
      const w = pathWeight(entry.tokens, location);
      if (w === 0) continue;
      if (
        w > bestWeight ||
        (w === bestWeight && best !== undefined && entry.tokens.length > best.tokens.length)
      ) {
        best = entry;
        bestWeight = w;
      }
    }
    return best === undefined
      ? undefined
      : { list: best.list, cascaded: best.tokens.length < location.length };
  }
}

interface Pending {
  tokens: PathToken[];
  list: RuleList;
  weight: number;
}

interface Complete {
  length: number;
  list: RuleList;
  weight: number;
}

/**
 * A position in a document while walking it, with the rules that can still apply below it. Moving
 * to a child checks one token per live rule instead of every rule's whole path, and children that
 * no rule tells apart (the elements of an array without index rules) share one cursor, so a large
 * body costs a lookup per node.
 */
export class RuleCursor {
  private readonly children = new Map<string | number, RuleCursor>();
  private readonly indexSensitive: boolean;
  /** The rules that apply here, and whether they reached here by cascading (one object per cursor). */
  readonly selected: SelectedRules | undefined;
  /**
   * The rules a JSON node here applies: those about a collection as a whole (its keys, its
   * variants) do not cascade to its members, and a list of equality rules alone is left out
   * (undefined), for plain comparison checks it.
   */
  readonly applied: RuleList | undefined;
  /** Some applied rule reads how the actual number was written (`integer`, `decimal`). */
  readonly readsNumberForm: boolean;
  /** Every applied rule is `type` (with or without a minimum or maximum). */
  readonly typeOnly: boolean;
  /**
   * What applies to the whole subtree here when no rule path reaches below it: `plain` when no
   * rule does (only equality), `type` when the same cascaded type rules apply to every node in
   * it; undefined otherwise.
   */
  readonly subtree: 'plain' | 'type' | undefined;

  private constructor(
    private readonly depth: number,
    private readonly pending: Pending[],
    private readonly best: Complete | undefined,
  ) {
    this.selected = best === undefined ? undefined : { list: best.list, cascaded: best.length < depth };
    // `$.items.0` names an index as a field, so numeric field names tell elements apart too.
    this.indexSensitive = pending.some((p) => {
      const t = p.tokens[depth];
      return t !== undefined && (t.kind === 'index' || (t.kind === 'field' && /^\d+$/.test(t.name)));
    });
    const applied = this.selected === undefined ? undefined : applying(this.selected);
    this.applied = applied;
    this.readsNumberForm =
      applied?.rules.some((r) => r.match === 'integer' || r.match === 'decimal') ?? false;
    this.typeOnly = applied?.rules.every((r) => r.match === 'type') ?? false;
    this.subtree =
      pending.length > 0
        ? undefined
        : applied === undefined
          ? 'plain'
          : this.selected?.cascaded === true && this.typeOnly
            ? 'type'
            : undefined;
  }

  /**
   * The cursor at the root of a body for a rule map (cached per map), or undefined when there are no rules.
   */
  static root(rules: Record<string, RuleList> | undefined): RuleCursor | undefined {
    if (rules === undefined) return undefined;
    const cached = rootCache.get(rules);
    if (cached !== undefined) return cached;
    // Interactions of one contract often carry the same rules in maps of their own: they share one
    // cursor tree, built (and walked into) once. (Plain JSON text is the key: whether a number in a
    // rule was written 1.0 or 1 changes no verdict, for only the actual value's form is checked.)
    // Rules with the text of the last map looked up (one interaction after another) are found by
    // comparing them with that text's parsed copy, which costs less than writing their text.
    let root = last !== undefined && sameJsonText(rules, last.copy) ? last.root : undefined;
    if (root === undefined) {
      const key = JSON.stringify(rules);
      root = contentCache.get(key);
      if (root === undefined) {
        root = RuleCursor.build(rules);
        if (root === undefined) return undefined;
        if (contentCache.size >= 256) contentCache.clear();
        contentCache.set(key, root);
      }
      last = { copy: JSON.parse(key) as unknown, root };
    }
    rootCache.set(rules, root);
    return root;
  }

  private static build(rules: Record<string, RuleList>): RuleCursor | undefined {
    const entries = Object.entries(rules);
    if (entries.length === 0) return undefined;
    let best: Complete | undefined;
    const pending: Pending[] = [];
    for (const [expr, list] of entries) {
      const tokens = parsePathExpression(expr);
      if (tokens.length === 0) best = { length: 0, list, weight: 2 };
      else pending.push({ tokens, list, weight: 2 });
    }
    return new RuleCursor(0, pending, best);
  }

  /** The cursor one step down, at an object key or array index. */
  child(segment: string | number): RuleCursor {
    const key = typeof segment === 'number' && !this.indexSensitive ? '#' : segment;
    let next = this.children.get(key);
    if (next !== undefined) return next;
    let best = this.best;
    const pending: Pending[] = [];
    for (const p of this.pending) {
      const t = p.tokens[this.depth] as PathToken;
      let weight: number;
      if (t.kind === 'star') weight = p.weight;
      else if (
        t.kind === 'field' &&
        (segment === t.name || (typeof segment === 'number' && String(segment) === t.name))
      )
        weight = p.weight * 2;
      else if (t.kind === 'index' && segment === t.index) weight = p.weight * 2;
      else continue;
      if (p.tokens.length === this.depth + 1) {
        if (
          best === undefined ||
          weight > best.weight ||
          (weight === best.weight && p.tokens.length > best.length)
        )
          best = { length: p.tokens.length, list: p.list, weight };
      } else pending.push({ tokens: p.tokens, list: p.list, weight });
    }
    next = new RuleCursor(this.depth + 1, pending, best);
    // Bounded, so maps with ever-new keys (eachKey data) cannot grow the cache without end.
    if (this.children.size < 1024) this.children.set(key, next);
    return next;
  }
}

const rootCache = new WeakMap<Record<string, RuleList>, RuleCursor>();
const contentCache = new Map<string, RuleCursor>();
let last: { copy: unknown; root: RuleCursor } | undefined;

/**
 * True only when JSON.stringify(value) would write the text `copy` was parsed from: the same keys
 * in the same order, equal strings, numbers, booleans and nulls, and plain objects and arrays
 * alike (anything JSON.stringify would write otherwise, or leave out, makes it false).
 */
function sameJsonText(value: unknown, copy: unknown): boolean {
  if (copy === null || typeof copy !== 'object') return value === copy;
  if (Array.isArray(copy)) {
    if (!Array.isArray(value) || value.length !== copy.length) return false;
    for (let i = 0; i < copy.length; i++) if (!sameJsonText(value[i], copy[i])) return false;
    return true;
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.getPrototypeOf(value) !== Object.prototype
  )
    return false;
  const keys = Object.keys(value);
  const copyKeys = Object.keys(copy);
  if (keys.length !== copyKeys.length) return false;
  const v = value as Record<string, unknown>;
  const c = copy as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (k !== copyKeys[i] || !sameJsonText(v[k], c[k])) return false;
  }
  return true;
}

const structural = new Set<MatchingRule['match']>(['equality']);
const collectionRules = new Set<MatchingRule['match']>(['eachKey', 'eachValue', 'arrayContains']);

/**
 * The rules a JSON node applies: those about a collection as a whole (its keys, its variants) do
 * not cascade to its members; undefined when only equality applies, which plain comparison checks.
 */
function applying(sel: SelectedRules): RuleList | undefined {
  const effective = sel.cascaded ? withoutCollectionRules(sel.list) : sel.list;
  return effective === undefined || effective.rules.every((r) => structural.has(r.match))
    ? undefined
    : effective;
}

function withoutCollectionRules(list: RuleList): RuleList | undefined {
  if (!list.rules.some((r) => collectionRules.has(r.match))) return list;
  const rules = list.rules.filter((r) => !collectionRules.has(r.match));
  return rules.length === 0 ? undefined : { combine: list.combine, rules };
}
