import type { Body, Contract, Interaction, Message } from '@treaty/core';

/**
 * What changed between two versions of a contract, interaction by interaction. Interactions are the
 * same when their type, description and provider states (names and parameters) are: a changed
 * description is a removal and an addition, as the Pact Broker's merge rule sees it.
 */

/** An interaction named as people know it. */
export interface InteractionName {
  type: Interaction['type'];
  description: string;
  providerStates: string[];
}

/** An interaction in both versions whose content differs, with the paths of the fields that did. */
interface ChangedInteraction extends InteractionName {
  /** Field paths such as `response.body.quantity` or `request.headers.Accept`. */
  fields: string[];
}

/** The whole difference. */
export interface ContractDiff {
  added: InteractionName[];
  removed: InteractionName[];
  changed: ChangedInteraction[];
  unchanged: number;
}

/** The most field paths listed for one changed interaction; the rest are summed up in one entry. */
const MAX_FIELDS = 50;

const nameOf = (i: Interaction): InteractionName => ({
  type: i.type,
  description: i.description,
  providerStates: i.providerStates.map((s) =>
    s.params === undefined ? s.name : `${s.name} ${JSON.stringify(s.params)}`,
  ),
});

const identity = (i: Interaction): string =>
  JSON.stringify([i.type, i.description, i.providerStates.map((s) => [s.name, s.params ?? null])]);

function bodyView(b: Body | undefined): unknown {
  if (b === undefined) return undefined;
  if (b.kind === 'json') return b.value;
  if (b.kind === 'text') return b.text;
  return `<${b.bytes.length} bytes>`;
}

function messageView(m: Message): Record<string, unknown> {
  return {
    contents: bodyView(m.contents),
    metadata: m.metadata,
    matchingRules: m.matchingRules,
    generators: m.generators,
  };
}

/** What of an interaction is compared, as plain JSON-like data. */
function view(i: Interaction): Record<string, unknown> {
  const common = { pending: i.pending };
  if (i.type === 'Synchronous/HTTP') {
    const { request: q, response: r } = i;
    return {
      ...common,
      request: {
        method: q.method,
        path: q.path,
        query: q.query,
        headers: q.headers,
        body: bodyView(q.body),
        matchingRules: q.matchingRules,
        generators: q.generators,
      },
      response: {
        status: r.status,
        headers: r.headers,
        body: bodyView(r.body),
        matchingRules: r.matchingRules,
        generators: r.generators,
      },
    };
  }
  if (i.type === 'Asynchronous/Messages') return { ...common, message: messageView(i.message) };
  return { ...common, request: messageView(i.request), response: i.response.map(messageView) };
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function step(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const name = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? name : /^[A-Za-z_$]/.test(name) ? `${path}.${name}` : `${path}[${name}]`;
}

/** The paths where `a` and `b` differ: the deepest object or array entry that does. */
function differences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isPlain(a) && isPlain(b)) {
    // A key that is absent on one side and undefined on the other is no difference.
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      if (a[key] !== undefined || b[key] !== undefined) differences(a[key], b[key], step(path, key), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let n = 0; n < Math.max(a.length, b.length); n++) differences(a[n], b[n], step(path, n), out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
}

/** The fields of an interaction that differ between two versions of it. */
function changedFields(previous: Interaction, current: Interaction): string[] {
  const out: string[] = [];
  differences(view(previous), view(current), '', out);
  if (out.length <= MAX_FIELDS) return out;
  return [...out.slice(0, MAX_FIELDS), `… and ${out.length - MAX_FIELDS} more fields`];
}

/**
 * What changed from `previous` to `current`: interactions added, removed and changed (with the
 * paths of the changed fields).
 * @example diffContracts(v1, v2).changed[0]?.fields // ['response.body.quantity']
 */
export function diffContracts(previous: Contract, current: Contract): ContractDiff {
  const before = new Map(previous.interactions.map((i) => [identity(i), i]));
  const after = new Set(current.interactions.map(identity));
  const diff: ContractDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const i of current.interactions) {
    const old = before.get(identity(i));
    if (old === undefined) {
      diff.added.push(nameOf(i));
      continue;
    }
    const fields = changedFields(old, i);
    if (fields.length === 0) diff.unchanged++;
    else diff.changed.push({ ...nameOf(i), fields });
  }
  for (const i of previous.interactions) if (!after.has(identity(i))) diff.removed.push(nameOf(i));
  return diff;
}

/** The difference in words, one line per interaction, as the diff resources answer it in text. */
export function diffInWords(diff: ContractDiff): string {
  const name = (i: InteractionName) =>
    `'${i.description}'${i.providerStates.length === 0 ? '' : ` given ${i.providerStates.join(' and ')}`}`;
  const lines = [
    ...diff.added.map((i) => `+ added ${name(i)}`),
    ...diff.removed.map((i) => `- removed ${name(i)}`),
    ...diff.changed.map((i) => `~ changed ${name(i)}: ${i.fields.join(', ')}`),
  ];
  if (lines.length === 0) lines.push('No interaction changed.');
  lines.push(`${diff.unchanged} interaction${diff.unchanged === 1 ? '' : 's'} unchanged.`);
  return lines.join('\n');
}
