import { TreatyError } from '../errors.js';
import { child } from './shape.js';

/** One token of a body path expression after the root `$`. */
export type PathToken = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'star' };

const cache = new Map<string, PathToken[]>();

/**
 * Parses a body path expression (`$`, `$.a.b`, `$.items[*].id`, `$['odd key'][0]`, `$.*`) into tokens.
 * A leading `$.body` (V2 form) must already be stripped. Results are cached.
 */
export function parsePathExpression(expr: string): PathToken[] {
  const hit = cache.get(expr);
  if (hit !== undefined) return hit;
  const fail = (why: string): never => {
    throw new TreatyError(
      'TREATY_CONTRACT_INVALID_PATH',
      `Cannot parse path expression '${expr}': ${why}. Use $, .name, ['odd name'], [0] and *.`,
    );
  };
  const tokens: PathToken[] = [];
  let i = 0;
  if (expr[0] === '$') i = 1;
  else fail("it must start with '$'");
  while (i < expr.length) {
    const c = expr[i];
    if (c === '.') {
      i++;
      if (expr[i] === '*') {
        tokens.push({ kind: 'star' });
        i++;
        continue;
      }
      const start = i;
      while (i < expr.length && expr[i] !== '.' && expr[i] !== '[') i++;
      if (i === start) fail(`an empty name at position ${start}`);
      const name = expr.slice(start, i);
      // As Pact's path parser: a name after a dot holds letters, digits, _ - : # @ (others need ['…']).
      const bad = /[^\p{L}\p{N}_\-:#@]/u.exec(name);
      if (bad !== null)
        fail(`'${bad[0]}' at position ${start + bad.index} is not allowed in a name; write ['${name}']`);
      tokens.push({ kind: 'field', name });
    } else if (c === '[') {
      i++;
      const q = expr[i];
      if (q === "'" || q === '"') {
        // A quoted name may escape its quote and backslashes (`['it\'s']`), as child() writes them.
        let name = '';
        let j = i + 1;
        while (j < expr.length && expr[j] !== q) {
          if (expr[j] === '\\' && j + 1 < expr.length) j++;
          name += expr[j];
          j++;
        }
        if (j >= expr.length || expr[j + 1] !== ']') fail('an unterminated quoted name');
        tokens.push({ kind: 'field', name });
        i = j + 2;
      } else {
        const end = expr.indexOf(']', i);
        if (end < 0) fail("a missing ']'");
        const inner = expr.slice(i, end).trim();
        if (inner === '*') tokens.push({ kind: 'star' });
        else if (/^\d+$/.test(inner)) tokens.push({ kind: 'index', index: Number(inner) });
        else fail(`'[${inner}]' is neither an index nor *`);
        i = end + 1;
      }
    } else {
      // Lenient: `$foo` style or a bare name after the root.
      const start = i;
      while (i < expr.length && expr[i] !== '.' && expr[i] !== '[') i++;
      tokens.push({ kind: 'field', name: expr.slice(start, i) });
    }
  }
  cache.set(expr, tokens);
  return tokens;
}

/** A concrete location in a JSON document: keys and indices from the root. */
export type Location = ReadonlyArray<string | number>;

/**
 * The weight with which `tokens` select `location` (the product of per-token weights: a name or index
 * 2, `*` 1, the root 2), or 0 when the expression does not reach the location. An expression
 * shorter than the location selects it by cascading.
 */
export function pathWeight(tokens: readonly PathToken[], location: Location): number {
  if (tokens.length > location.length) return 0;
  let weight = 2;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as PathToken;
    const seg = location[i];
    if (t.kind === 'star') weight *= 1;
    else if (t.kind === 'field') {
      if (seg !== t.name && !(typeof seg === 'number' && String(seg) === t.name)) return 0;
      weight *= 2;
    } else {
      if (seg !== t.index) return 0;
      weight *= 2;
    }
  }
  return weight;
}

/** Writes a location as a readable path: `$.items[2].id`, `$['odd key']`. */
export function formatLocation(prefix: string, location: Location): string {
  let out = prefix;
  for (const seg of location) out = child(out, seg);
  return out;
}
