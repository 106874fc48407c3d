// Writes a random string that a regular expression matches, for the Regex generator. It covers the
// syntax Pact's regex generators are written in: literals and escapes, `.`, classes with ranges and
// negation, \d \w \s and their negations, groups (capturing or not) with alternation, and the
// quantifiers ? * + {n} {n,} {n,m} (lazy or not). Anything else (backreferences, lookarounds) gives
// undefined, and the caller keeps the example.

type Node =
  | { kind: 'chars'; set: string }
  | { kind: 'alt'; options: Node[][] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

const DIGITS = '0123456789';
const WORD = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz${DIGITS}_`;
const SPACE = ' \t';
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
/** The most repetitions an open quantifier (`*`, `+`, `{n,}`) adds beyond its minimum. */
const OPEN_EXTRA = 8;

function without(set: string): string {
  return [...PRINTABLE].filter((c) => !set.includes(c)).join('');
}

function escapeSet(c: string): string | undefined {
  switch (c) {
    case 'd':
      return DIGITS;
    case 'D':
      return without(DIGITS);
    case 'w':
      return WORD;
    case 'W':
      return without(WORD);
    case 's':
      return SPACE;
    case 'S':
      return without(`${SPACE}\n\r`);
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    default:
      return undefined;
  }
}

class RegexParser {
  private i = 0;
  /** Set when the pattern uses syntax this generator does not write. */
  problem: string | undefined;
  constructor(private readonly src: string) {}

  parse(): Node[] {
    const seq = this.alternation();
    if (this.i < this.src.length) this.unsupported(`unexpected ${this.src[this.i]}`);
    return seq;
  }

  private unsupported(what: string): Node {
    this.problem ??= what;
    this.i = this.src.length;
    return { kind: 'chars', set: '' };
  }

  private alternation(): Node[] {
    const options: Node[][] = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as Node[]) : [{ kind: 'alt', options }];
  }

  private sequence(): Node[] {
    const nodes: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      if (atom !== undefined) nodes.push(this.quantified(atom));
    }
    return nodes;
  }

  private quantified(node: Node): Node {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, OPEN_EXTRA];
    else if (c === '+') [min, max] = [1, 1 + OPEN_EXTRA];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m === null) return node;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? min + OPEN_EXTRA : Number(m[3]);
      this.i += m[0].length - 1;
    } else return node;
    this.i++;
    if (this.src[this.i] === '?') this.i++;
    return { kind: 'repeat', node, min, max };
  }

  private atom(): Node | undefined {
    const c = this.src[this.i++] as string;
    switch (c) {
      case '^':
      case '$':
        return undefined;
      case '.':
        return { kind: 'chars', set: PRINTABLE };
      case '[':
        return this.charClass();
      case '(': {
        if (this.src.startsWith('?:', this.i)) this.i += 2;
        else if (this.src[this.i] === '?') {
          const named = /^\?<([A-Za-z_]\w*)>/.exec(this.src.slice(this.i));
          if (named === null) return this.unsupported('lookaround');
          this.i += named[0].length;
        }
        const inner = this.alternation();
        if (this.src[this.i] !== ')') return this.unsupported('unclosed group');
        this.i++;
        return { kind: 'alt', options: [inner] };
      }
      case '\\': {
        const e = this.src[this.i++];
        if (e === undefined) return this.unsupported('trailing backslash');
        if (/[1-9bBk]/.test(e)) return this.unsupported(`\\${e}`);
        return { kind: 'chars', set: escapeSet(e) ?? e };
      }
      default:
        return { kind: 'chars', set: c };
    }
  }

  private charClass(): Node {
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let set = '';
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let c = this.src[this.i++] as string;
      if (c === '\\') {
        const e = this.src[this.i++] as string;
        const s = escapeSet(e);
        if (s !== undefined) {
          set += s;
          continue;
        }
        c = e;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== ']') {
        let end = this.src[this.i + 1] as string;
        this.i += 2;
        if (end === '\\') end = this.src[this.i++] as string;
        for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code++) set += String.fromCharCode(code);
      } else set += c;
    }
    if (this.src[this.i] !== ']') return this.unsupported('unclosed class');
    this.i++;
    return { kind: 'chars', set: negate ? without(set) : set };
  }
}

function pick<T>(items: ArrayLike<T>): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

/** Writes one string for `nodes`; undefined when a class allows no character at all (e.g. `[^\s\S]`). */
function write(nodes: Node[]): string | undefined {
  let out = '';
  for (const node of nodes) {
    let part: string | undefined;
    if (node.kind === 'chars') part = node.set === '' ? undefined : pick(node.set);
    else if (node.kind === 'alt') part = write(pick(node.options));
    else {
      part = '';
      const n = node.min + Math.floor(Math.random() * (node.max - node.min + 1));
      for (let k = 0; k < n && part !== undefined; k++) {
        const one = write([node.node]);
        part = one === undefined ? undefined : part + one;
      }
    }
    if (part === undefined) return undefined;
    out += part;
  }
  return out;
}

/**
 * A random string the whole of `pattern` matches, or undefined when the pattern uses syntax this
 * generator does not write (the caller then keeps its example).
 * @example stringFromRegex('\\d{1,8}') // e.g. '40271'
 */
export function stringFromRegex(pattern: string): string | undefined {
  let whole: RegExp;
  try {
    whole = new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
  const parser = new RegexParser(pattern);
  const nodes = parser.parse();
  if (parser.problem !== undefined) return undefined;
  // A written string is checked against the real engine; a few tries cover rare misses.
  for (let attempt = 0; attempt < 5; attempt++) {
    const s = write(nodes);
    if (s !== undefined && whole.test(s)) return s;
  }
  return undefined;
}
