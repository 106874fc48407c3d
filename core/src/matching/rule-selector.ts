import type { RuleList } from '../contract/model.js';
import { parsePathExpression, pathWeight, type Location, type PathToken } from './path-expr.js';

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
      if (w > bestWeight || (w === bestWeight && best !== undefined && entry.tokens.length > best.tokens.length)) {
        best = entry;
        bestWeight = w;
      }
    }
    return best === undefined ? undefined : { list: best.list, cascaded: best.tokens.length < location.length };
  }

  /** True when some rule is declared below the location (so a subtree cannot be skipped). */
  hasRulesBelow(location: Location): boolean {
    for (const entry of this.entries) if (entry.tokens.length > location.length && pathWeight(entry.tokens.slice(0, location.length), location) > 0) return true;
    return false;
  }
}
