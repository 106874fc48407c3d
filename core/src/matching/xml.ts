import type { RuleList } from '../contract/model.js';
import { MAX_JSON_DEPTH } from '../contract/json.js';
import { type Mismatch, type MismatchPart, mismatch } from './mismatch.js';
import { RuleSelector, type SelectedRules } from './rule-selector.js';
import { checkRuleList, show } from './rules.js';

/** A parsed XML element with namespaces resolved. */
export interface XmlElement {
  name: string;
  local: string;
  ns: string;
  attributes: Array<{ name: string; local: string; ns: string; value: string }>;
  children: XmlElement[];
  text: string;
}

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return entities[e] ?? m;
  });
}

const emptyScope: ReadonlyMap<string, string> = new Map();

/** Parses an XML document into its root element, or returns why it is not well-formed. */
export function parseXml(text: string): XmlElement | string {
  let i = 0;
  const n = text.length;
  const stack: Array<{ el: XmlElement; scope: ReadonlyMap<string, string> }> = [];
  let root: XmlElement | undefined;
  const nameRe = /[^\s/>=]+/y;
  const attrRe = /\s*([^\s/>=]+)\s*=\s*("([^"]*)"|'([^']*)')/y;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    const top = stack[stack.length - 1];
    if (chunk.trim() !== '') {
      if (top === undefined) return 'text outside the root element';
      top.el.text += decodeEntities(chunk);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) return 'an unterminated processing instruction';
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) return 'an unterminated comment';
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0 || top === undefined) return 'a misplaced CDATA section';
      top.el.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      const end = text.indexOf('>', i);
      if (end < 0) return 'an unterminated declaration';
      i = end + 1;
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (open === undefined || open.el.name !== name) return `a closing tag </${name}> that does not match`;
      i = end + 1;
    } else {
      nameRe.lastIndex = i + 1;
      const m = nameRe.exec(text);
      if (m === null) return 'an element without a name';
      const name = m[0];
      i = nameRe.lastIndex;
      const raw: Array<[string, string]> = [];
      for (;;) {
        attrRe.lastIndex = i;
        const a = attrRe.exec(text);
        if (a === null) break;
        raw.push([a[1] as string, decodeEntities(a[3] ?? a[4] ?? '')]);
        i = attrRe.lastIndex;
      }
      while (i < n && /\s/.test(text[i] as string)) i++;
      const selfClosing = text[i] === '/';
      if (selfClosing) i++;
      if (text[i] !== '>') return `a malformed tag <${name}`;
      i++;
      // Elements share their parent's namespace scope unless they declare a namespace themselves.
      let scope = top?.scope ?? emptyScope;
      let own: Map<string, string> | undefined;
      for (const [k, v] of raw) {
        if (k !== 'xmlns' && !k.startsWith('xmlns:')) continue;
        own ??= new Map(scope);
        own.set(k === 'xmlns' ? '' : k.slice(6), v);
      }
      if (own !== undefined) scope = own;
      const split = (q: string, isAttr: boolean): [string, string] => {
        const c = q.indexOf(':');
        if (c < 0) return [q, isAttr ? '' : (scope.get('') ?? '')];
        return [q.slice(c + 1), scope.get(q.slice(0, c)) ?? q.slice(0, c)];
      };
      const [local, ns] = split(name, false);
      const el: XmlElement = {
        name,
        local,
        ns,
        attributes: raw
          .filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'))
          .map(([k, v]) => {
            const [l, s] = split(k, true);
            return { name: k, local: l, ns: s, value: v };
          }),
        children: [],
        text: '',
      };
      if (top === undefined) {
        if (root !== undefined) return 'more than one root element';
        root = el;
      } else top.el.children.push(el);
      if (!selfClosing) {
        // The comparison walks elements recursively: refuse nesting it could not walk, as for JSON.
        if (stack.length >= MAX_JSON_DEPTH)
          return `elements nested more than ${MAX_JSON_DEPTH} levels deep (Treaty reads at most ${MAX_JSON_DEPTH})`;
        stack.push({ el, scope });
      }
    }
  }
  if (stack.length > 0) return `an unclosed element <${stack[stack.length - 1]?.el.name}>`;
  return root ?? 'no root element';
}

/** How XML bodies are compared. */
export interface XmlCompareOptions {
  allowUnexpected: boolean;
  rules: Record<string, RuleList> | undefined;
  part: MismatchPart;
  prefix: string;
}

const leaf = { coerceStrings: true, actualIsFloat: false };

/*
 * Pact implementations address XML by element names only (`$.animals.alligator['@phoneNumber']`)
 * or with each child's index before its name (`$.animals[*].alligator`), and name a namespaced
 * element by its local name (Treaty) or as written, prefix included (`$.ns:animals`: pact-jvm and
 * the Rust core). A location is tracked in every form and the best rule wins.
 */
interface Where {
  names: string[];
  indexed: Array<string | number>;
  /** The same with names as written in the document (`ns:item`, `@ns:id`). */
  written: string[];
  writtenIndexed: Array<string | number>;
}

/** Compares two XML documents (namespace-aware), returning every mismatch. */
export function compareXml(expected: XmlElement, actual: XmlElement, options: XmlCompareOptions): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const selector = RuleSelector.for(options.rules);
  const add = (where: Where, rule: string, exp: unknown, act: unknown, message: string): void => {
    mismatches.push(
      mismatch(options.part, `${options.prefix}.${where.names.join('.')}`, rule, exp, act, message),
    );
  };
  const select = (where: Where): SelectedRules | undefined => {
    if (selector === undefined) return undefined;
    const forms = [where.names, where.indexed];
    if (where.written.some((n, i) => n !== where.names[i])) forms.push(where.written, where.writtenIndexed);
    let best: SelectedRules | undefined;
    for (const form of forms) {
      const found = selector.select(form);
      if (found !== undefined && (best === undefined || (best.cascaded && !found.cascaded))) best = found;
    }
    return best;
  };
  const at = (where: Where, name: string, index?: number, written = name): Where => ({
    names: [...where.names, name],
    indexed: index === undefined ? [...where.indexed, name] : [...where.indexed, index, name],
    written: [...where.written, written],
    writtenIndexed:
      index === undefined ? [...where.writtenIndexed, written] : [...where.writtenIndexed, index, written],
  });
  const compareLeaf = (where: Where, exp: string, act: string, what: string): void => {
    const sel = select(where);
    if (sel?.list.rules.some((r) => r.match !== 'equality' && r.match !== 'type')) {
      for (const f of checkRuleList(sel.list, exp, act, leaf))
        add(where, f.rule.match, exp, act, `${what}: ${f.reason}`);
    } else if (sel?.list.rules.some((r) => r.match === 'type')) {
      return;
    } else if (exp !== act)
      add(where, 'equality', exp, act, `${what}: expected ${show(exp)} but got ${show(act)}`);
  };
  const qual = (e: XmlElement): string => (e.ns === '' ? e.local : `{${e.ns}}${e.local}`);

  const element = (exp: XmlElement, act: XmlElement, where: Where): void => {
    if (exp.local !== act.local || exp.ns !== act.ns) {
      add(where, 'equality', qual(exp), qual(act), `expected element <${qual(exp)}> but got <${qual(act)}>`);
      return;
    }
    for (const a of exp.attributes) {
      const other = act.attributes.find((x) => x.local === a.local && x.ns === a.ns);
      const w = at(where, `@${a.local}`, undefined, `@${a.name}`);
      if (other === undefined)
        add(w, 'presence', a.value, undefined, `expected attribute '${a.name}' but it is missing`);
      else compareLeaf(w, a.value, other.value, `attribute '${a.name}'`);
    }
    if (!options.allowUnexpected) {
      for (const a of act.attributes) {
        if (!exp.attributes.some((x) => x.local === a.local && x.ns === a.ns)) {
          add(
            at(where, `@${a.local}`, undefined, `@${a.name}`),
            'unexpected',
            undefined,
            a.value,
            `unexpected attribute '${a.name}' with value ${show(a.value)}`,
          );
        }
      }
    }
    const expText = exp.text.trim();
    if (expText !== '' || exp.children.length === 0)
      compareLeaf(at(where, '#text'), expText, act.text.trim(), 'text');

    const sel = select(where);
    if (sel?.list.rules.some((r) => r.match !== 'equality')) {
      // A typed element holds a list: its children may repeat, each compared with the example child.
      if (!sel.cascaded) {
        for (const r of sel.list.rules) {
          if (r.match !== 'type') continue;
          if (r.min !== undefined && act.children.length < r.min)
            add(
              where,
              'type',
              r.min,
              act.children.length,
              `expected at least ${r.min} child element(s) but got ${act.children.length}`,
            );
          if (r.max !== undefined && act.children.length > r.max)
            add(
              where,
              'type',
              r.max,
              act.children.length,
              `expected at most ${r.max} child element(s) but got ${act.children.length}`,
            );
        }
      }
      const first = exp.children[0];
      if (first === undefined) return;
      act.children.forEach((c, i) => {
        const e = exp.children[i] ?? first;
        element(e, c, at(where, e.local, i, e.name));
      });
      return;
    }
    const groups = new Map<string, XmlElement[]>();
    for (const c of exp.children) {
      const key = `${c.ns}|${c.local}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, [c]);
      else g.push(c);
    }
    // One pass over the actual children: their groups by name and their positions.
    const actualGroups = new Map<string, Array<[XmlElement, number]>>();
    act.children.forEach((c, i) => {
      const key = `${c.ns}|${c.local}`;
      const g = actualGroups.get(key);
      if (g === undefined) actualGroups.set(key, [[c, i]]);
      else g.push([c, i]);
    });
    for (const [key, expectedGroup] of groups) {
      const actuals = actualGroups.get(key) ?? [];
      const first = expectedGroup[0] as XmlElement;
      const w = at(where, first.local, undefined, first.name);
      if (actuals.length < expectedGroup.length)
        add(
          w,
          'length',
          expectedGroup.length,
          actuals.length,
          `expected ${expectedGroup.length} <${first.name}> element(s) but got ${actuals.length}`,
        );
      if (actuals.length > expectedGroup.length && !options.allowUnexpected)
        add(
          w,
          'unexpected',
          expectedGroup.length,
          actuals.length,
          `expected ${expectedGroup.length} <${first.name}> element(s) but got ${actuals.length}`,
        );
      for (let i = 0; i < Math.min(expectedGroup.length, actuals.length); i++) {
        const [a, position] = actuals[i] as [XmlElement, number];
        element(expectedGroup[i] as XmlElement, a, at(where, first.local, position, first.name));
      }
    }
    if (!options.allowUnexpected) {
      for (const c of act.children) {
        if (!groups.has(`${c.ns}|${c.local}`))
          add(
            at(where, c.local, undefined, c.name),
            'unexpected',
            undefined,
            c.name,
            `unexpected child element <${c.name}>`,
          );
      }
    }
  };
  const root: Where = {
    names: [expected.local],
    indexed: [expected.local],
    written: [expected.name],
    writtenIndexed: [expected.name],
  };
  element(expected, actual, root);
  return mismatches;
}
