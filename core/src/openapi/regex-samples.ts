/**
 * Strings a regular expression matches in full, for looking for a counterexample between a
 * contract's regex and a schema's `pattern`. It reads the common subset of JavaScript's syntax:
 * literals and escapes, classes (ranges, negation, `\d \w \s` and their opposites), `.`, groups
 * (capturing, non-capturing, named), alternation, quantifiers (`* + ? {n} {n,} {n,m}`, lazy or
 * not) and `^`/`$`. Anything else (lookaround, backreferences, `\b`, `\p{…}`) it names instead.
 */

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'set'; chars: number[] }
  | { t: 'empty' };

/** What was generated, or the construct that could not be read. */
export type RegexSamples =
  | {
      samples: string[];
      /** True when the samples are every string the expression matches (a small finite language). */
      exhaustive: boolean;
    }
  | { unsupported: string };

class Unsupported extends Error {}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const code = (c: string): number => c.codePointAt(0) ?? 0;
// The characters a negated class or `.` draws from: printable ASCII, a tab and two beyond ASCII.
const UNIVERSE = [...range(0x20, 0x7e), 0x09, 0xe9, 0x20ac];
const DIGIT = range(code('0'), code('9'));
const WORD = [...DIGIT, ...range(code('A'), code('Z')), ...range(code('a'), code('z')), code('_')];
const SPACE = [0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c, 0xa0];
const LINE_ENDS = new Set([0x0a, 0x0d, 0x2028, 0x2029]);
const SIMPLE_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c, v: 0x0b, '0': 0 };

function classOf(letter: string): number[] | undefined {
  const base = { d: DIGIT, w: WORD, s: SPACE }[letter.toLowerCase()];
  if (base === undefined) return undefined;
  if (letter === letter.toLowerCase()) return base;
  const members = new Set(base);
  return UNIVERSE.filter((c) => !members.has(c));
}

class Parser {
  private at = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at < this.src.length) throw new Unsupported(`an unmatched ')' at ${this.at}`);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.at];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek())
      items.push(this.quantified(this.atom()));
    return { t: 'seq', items };
  }

  private quantified(node: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.at++;
      [min, max] =
        c === '*' ? [0, Number.POSITIVE_INFINITY] : c === '+' ? [1, Number.POSITIVE_INFINITY] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.at));
      if (m === null) return node; // a literal `{`, as JavaScript reads it without the u flag
      this.at += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else return node;
    if (this.peek() === '?') this.at++; // lazy: the same strings
    return { t: 'rep', node, min, max };
  }

  private atom(): Node {
    const c = this.src[this.at++] as string;
    switch (c) {
      case '(': {
        if (this.peek() === '?') {
          const head = this.src.slice(this.at, this.at + 3);
          if (head.startsWith('?:')) this.at += 2;
          else if (/^\?<[A-Za-z_$]/.test(head)) this.at = this.src.indexOf('>', this.at) + 1;
          else throw new Unsupported('a lookahead or lookbehind');
        }
        const inner = this.alternation();
        if (this.src[this.at++] !== ')') throw new Unsupported('an unclosed group');
        return inner;
      }
      case '[':
        return this.characterClass();
      case '.':
        return { t: 'set', chars: UNIVERSE.filter((x) => !LINE_ENDS.has(x)) };
      case '^':
      case '$':
        return { t: 'empty' };
      case '\\':
        return { t: 'set', chars: this.escape(false) };
      case '*':
      case '+':
      case '?':
        throw new Unsupported(`a '${c}' with nothing to repeat`);
      default:
        return { t: 'set', chars: [code(c)] };
    }
  }

  /** An escape after its backslash: the characters it stands for. */
  private escape(inClass: boolean): number[] {
    const c = this.src[this.at++];
    if (c === undefined) throw new Unsupported('a trailing backslash');
    const set = classOf(c);
    if (set !== undefined) return set;
    if (c === 'b' && inClass) return [0x08];
    if (c === 'b' || c === 'B') throw new Unsupported('a word boundary (\\b)');
    if (/[1-9]/.test(c) || (c === 'k' && this.peek() === '<')) throw new Unsupported('a backreference');
    if (c === 'p' || c === 'P') throw new Unsupported('a Unicode property (\\p{…})');
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return [simple];
    const hex = c === 'x' ? 2 : c === 'u' ? 4 : 0;
    if (hex > 0 && new RegExp(`^[0-9a-fA-F]{${hex}}`).test(this.src.slice(this.at))) {
      this.at += hex;
      return [Number.parseInt(this.src.slice(this.at - hex, this.at), 16)];
    }
    if (c === 'c' && /^[A-Za-z]/.test(this.src.slice(this.at)))
      return [code(this.src[this.at++] as string) % 32];
    return [code(c)];
  }

  private characterClass(): Node {
    const negated = this.peek() === '^';
    if (negated) this.at++;
    const members = new Set<number>();
    // The characters a sample tries from the class: each range's ends and middle, each escape's set.
    const picks: number[] = [];
    for (;;) {
      const c = this.src[this.at++];
      if (c === undefined) throw new Unsupported('an unclosed character class');
      if (c === ']') break; // so `[]` matches nothing and `[^]` anything, as in JavaScript
      const lo = c === '\\' ? this.escape(true) : [code(c)];
      if (
        lo.length === 1 &&
        this.peek() === '-' &&
        this.src[this.at + 1] !== ']' &&
        this.src[this.at + 1] !== undefined
      ) {
        this.at++;
        const d = this.src[this.at++] as string;
        const hi = d === '\\' ? this.escape(true) : [code(d)];
        const [a, b] = [lo[0] as number, hi[0] as number];
        if (hi.length !== 1 || b < a) throw new Unsupported('a character range out of order');
        for (let x = a; x <= b && x - a < 0x3000; x++) members.add(x);
        picks.push(a, b, Math.floor((a + b) / 2));
        continue;
      }
      for (const x of lo) members.add(x);
      picks.push(...lo);
    }
    // An empty set matches nothing: whatever goes through it is dropped by the final check.
    return { t: 'set', chars: negated ? UNIVERSE.filter((x) => !members.has(x)) : [...new Set(picks)] };
  }
}

/** A small seeded generator (mulberry32): the same samples on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_LENGTH = 2000;
// What an empty class yields: a noncharacter, so the sample it lands in matches nothing and is dropped.
const NOTHING = '\uffff';

/** The `k`th sample: 0 takes the least of everything, 1 the most, then each alternative, then random. */
function generate(node: Node, k: number, rnd: () => number): string {
  const choose = (n: number): number =>
    k === 0 ? 0 : k === 1 ? n - 1 : k - 2 < n ? k - 2 : Math.floor(rnd() * n);
  const walk = (n: Node): string => {
    switch (n.t) {
      case 'empty':
        return '';
      case 'set':
        return n.chars.length === 0
          ? NOTHING
          : String.fromCodePoint(n.chars[choose(n.chars.length)] as number);
      case 'seq':
        return n.items.map(walk).join('');
      case 'alt':
        return walk(n.options[choose(n.options.length)] as Node);
      case 'rep': {
        const top = Math.min(n.max, n.min + 3);
        const times = k === 0 ? n.min : k === 1 ? top : n.min + Math.floor(rnd() * (top - n.min + 1));
        let out = '';
        for (let i = 0; i < times && out.length <= MAX_LENGTH; i++) out += walk(n.node);
        return out;
      }
    }
  };
  return walk(node);
}

/** Every string of a small finite language of literals, or undefined when it is not one. */
function enumerate(node: Node, limit: number): string[] | undefined {
  switch (node.t) {
    case 'empty':
      return [''];
    case 'set':
      return node.chars.length === 1 ? [String.fromCodePoint(node.chars[0] as number)] : undefined;
    case 'alt': {
      const out: string[] = [];
      for (const o of node.options) {
        const sub = enumerate(o, limit);
        if (sub === undefined) return undefined;
        out.push(...sub);
      }
      return out.length > limit ? undefined : out;
    }
    case 'seq': {
      let out = [''];
      for (const item of node.items) {
        const sub = enumerate(item, limit);
        if (sub === undefined || out.length * sub.length > limit) return undefined;
        out = out.flatMap((a) => sub.map((b) => a + b));
      }
      return out;
    }
    case 'rep': {
      if (node.max === Number.POSITIVE_INFINITY) return undefined;
      const sub = enumerate(node.node, limit);
      if (sub === undefined) return undefined;
      const out: string[] = [];
      let layer = [''];
      for (let i = 0; i <= node.max; i++) {
        if (i >= node.min) out.push(...layer);
        if (out.length > limit) return undefined;
        if (i < node.max) layer = layer.flatMap((a) => sub.map((b) => a + b));
        if (layer.length > limit) return undefined;
      }
      return out;
    }
  }
}

/**
 * Up to `count` distinct strings `source` matches in full (each one checked against it), the same
 * on every run; or, when it has what the generator does not read, what that is (`a backreference`).
 * @example
 * regexSamples('[a-c]{2}|x') // { samples: ['aa', 'x', 'cc', …], exhaustive: false }
 */
export function regexSamples(source: string, count = 32): RegexSamples {
  let full: RegExp;
  try {
    full = new RegExp(`^(?:${source})$`);
  } catch {
    return { unsupported: 'a syntax JavaScript does not read' };
  }
  let tree: Node;
  try {
    tree = new Parser(source).parse();
  } catch (error) {
    if (error instanceof Unsupported) return { unsupported: error.message };
    throw error;
  }
  const all = enumerate(tree, count);
  if (all !== undefined) {
    const samples = [...new Set(all)].filter((s) => full.test(s));
    if (samples.length === new Set(all).size) return { samples, exhaustive: true };
  }
  const rnd = random(0x7ea7);
  const samples = new Set<string>();
  for (let k = 0; k < count * 3 && samples.size < count; k++) {
    const s = generate(tree, k, rnd);
    if (s.length <= MAX_LENGTH && full.test(s)) samples.add(s);
  }
  if (samples.size === 0) return { unsupported: 'no string Treaty can generate' };
  return { samples: [...samples], exhaustive: false };
}
