import { TreatyError } from '../errors.js';
import { headerValue } from './fragments.js';
import { classifyContentType } from './content-type.js';
import { parseJson, stringifyJson } from './json.js';
import type {
  Body,
  Contract,
  Generator,
  Generators,
  Headers,
  HttpRequest,
  HttpResponse,
  Interaction,
  JsonObject,
  JsonValue,
  MatchingRule,
  MatchingRules,
  Message,
  ProviderState,
  RuleList,
} from './model.js';
import { normalizeSpecVersion } from './version.js';

/** Options of {@link serializeContract}. */
export interface SerializeOptions {
  /** `4` / `'4.0'` (default) or `3` / `'3.0.0'`. */
  specVersion?: number | string;
}

/*
 * Stable bytes: every object Treaty lays out itself is written with its keys in sorted order (as
 * Pact's reference implementation writes them); user data — bodies, metadata values, provider
 * state params — keeps the order it was given in. Interactions keep their order.
 */
function sorted(entries: Array<[string, JsonValue | undefined]>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (v !== undefined) out[k] = v;
  return out;
}

function ruleJson(rule: MatchingRule): JsonObject {
  switch (rule.match) {
    case 'arrayContains':
      return sorted([
        ['match', rule.match],
        [
          'variants',
          rule.variants.map((v) =>
            sorted([
              ['index', v.index],
              ['rules', ruleMapJson(v.rules)],
              ['generators', v.generators === undefined ? undefined : generatorMapJson(v.generators)],
            ]),
          ),
        ],
      ]);
    case 'eachKey':
    case 'eachValue':
      return sorted([
        ['match', rule.match],
        ['rules', rule.rules.map(ruleJson)],
        ['value', rule.value],
      ]);
    case 'statusCode':
      return sorted([
        ['match', rule.match],
        ['status', Array.isArray(rule.status) ? [...rule.status] : rule.status],
      ]);
    case 'unknown':
      return rule.rule;
    default:
      return sorted(Object.entries(rule) as Array<[string, JsonValue]>);
  }
}

function ruleListJson(list: RuleList): JsonObject {
  return sorted([
    ['combine', list.combine],
    ['matchers', list.rules.map(ruleJson)],
  ]);
}

function ruleMapJson(map: Record<string, RuleList>): JsonObject {
  return sorted(Object.entries(map).map(([k, v]) => [k, ruleListJson(v)]));
}

function rulesJson(rules: MatchingRules, bodyCategory: 'body' | 'content' = 'body'): JsonObject | undefined {
  const entries: Array<[string, JsonValue | undefined]> = [];
  // As Pact's Rust core writes them: the path category holds its rule list directly, while status
  // and method are maps like the others, with the single key '$'.
  if (rules.path !== undefined) entries.push(['path', ruleListJson(rules.path)]);
  if (rules.status !== undefined) entries.push(['status', { $: ruleListJson(rules.status) }]);
  if (rules.method !== undefined) entries.push(['method', { $: ruleListJson(rules.method) }]);
  for (const category of ['query', 'header', 'body', 'metadata'] as const) {
    const map = rules[category];
    if (map !== undefined && Object.keys(map).length > 0)
      entries.push([category === 'body' ? bodyCategory : category, ruleMapJson(map)]);
  }
  return entries.length === 0 ? undefined : sorted(entries);
}

function generatorJson(g: Generator): JsonObject {
  return sorted(Object.entries(g) as Array<[string, JsonValue]>);
}

function generatorMapJson(map: Record<string, Generator>): JsonObject {
  return sorted(Object.entries(map).map(([k, v]) => [k, generatorJson(v)]));
}

function generatorsJson(generators: Generators): JsonObject | undefined {
  const entries: Array<[string, JsonValue | undefined]> = [];
  if (generators.path !== undefined) entries.push(['path', generatorJson(generators.path)]);
  if (generators.status !== undefined) entries.push(['status', generatorJson(generators.status)]);
  if (generators.method !== undefined) entries.push(['method', generatorJson(generators.method)]);
  for (const category of ['query', 'header', 'body', 'metadata'] as const) {
    const map = generators[category];
    if (map !== undefined && Object.keys(map).length > 0) entries.push([category, generatorMapJson(map)]);
  }
  return entries.length === 0 ? undefined : sorted(entries);
}

function bytesToBase64(bytes: Uint8Array): string {
  let raw = '';
  for (let i = 0; i < bytes.length; i += 0x8000) raw += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(raw);
}

function defaultContentType(body: Body): string {
  if (body.kind === 'json') return 'application/json';
  if (body.kind === 'binary') return 'application/octet-stream';
  const t = body.text.trimStart();
  return t.startsWith('<') ? 'application/xml' : 'text/plain';
}

/** A V4 body object. */
function bodyV4(body: Body, declared: string | undefined): JsonObject {
  const contentType = body.contentType ?? declared ?? defaultContentType(body);
  const hint = body.contentTypeHint;
  if (body.kind === 'binary') {
    return sorted([
      ['content', bytesToBase64(body.bytes)],
      ['contentType', contentType],
      ['contentTypeHint', hint],
      ['encoded', 'base64'],
    ]);
  }
  if (body.kind === 'text')
    return sorted([
      ['content', body.text],
      ['contentType', contentType],
      ['contentTypeHint', hint],
      ['encoded', false],
    ]);
  // A JSON document that is itself a string must be written as JSON text, or it would read back as raw text.
  if (typeof body.value === 'string')
    return sorted([
      ['content', JSON.stringify(body.value)],
      ['contentType', contentType],
      ['contentTypeHint', hint],
      ['encoded', 'JSON'],
    ]);
  return sorted([
    ['content', body.value],
    ['contentType', contentType],
    ['contentTypeHint', hint],
    ['encoded', false],
  ]);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A V3 raw body: JSON as a value, text as a string, bytes as base64 text. V3 has no encoding flag
 * and readers take a string under a textual content type as the text itself, so bytes under such a
 * type that are valid UTF-8 are written as that text (or JSON value), as Pact does. The declared type
 * (the Content-Type header) decides, since that is what a V3 reader goes by.
 */
function bodyV3(body: Body, declared: string | undefined): JsonValue {
  if (body.kind === 'json') return body.value;
  if (body.kind === 'text') return body.text;
  const kind =
    body.contentTypeHint === 'BINARY'
      ? 'binary'
      : (classifyContentType(declared ?? body.contentType) ??
        (body.contentTypeHint === 'TEXT' ? 'text' : 'binary'));
  if (kind !== 'binary') {
    let text: string | undefined;
    try {
      text = utf8.decode(body.bytes);
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      if (kind !== 'json') return text;
      try {
        return parseJson(text);
      } catch {
        return text;
      }
    }
  }
  return bytesToBase64(body.bytes);
}

function headersJson(headers: Headers, v4: boolean): JsonObject | undefined {
  const entries = Object.entries(headers);
  if (entries.length === 0) return undefined;
  return sorted(entries.map(([k, v]) => [k, v4 ? [...v] : v.join(', ')]));
}

function queryJson(query: Record<string, string[]>): JsonObject | undefined {
  const entries = Object.entries(query);
  if (entries.length === 0) return undefined;
  return sorted(entries.map(([k, v]) => [k, [...v]]));
}

function statesJson(states: ProviderState[]): JsonValue | undefined {
  if (states.length === 0) return undefined;
  return states.map((s) =>
    sorted([
      ['name', s.name],
      ['params', s.params],
    ]),
  );
}

function requestJson(r: HttpRequest, v4: boolean): JsonObject {
  return sorted([
    ['method', r.method],
    ['path', r.path],
    ['query', queryJson(r.query)],
    ['headers', headersJson(r.headers, v4)],
    [
      'body',
      r.body === undefined
        ? undefined
        : v4
          ? bodyV4(r.body, headerValue(r.headers, 'content-type'))
          : bodyV3(r.body, headerValue(r.headers, 'content-type')),
    ],
    ['matchingRules', rulesJson(r.matchingRules)],
    ['generators', generatorsJson(r.generators)],
  ]);
}

function responseJson(r: HttpResponse, v4: boolean): JsonObject {
  return sorted([
    ['status', r.status],
    ['headers', headersJson(r.headers, v4)],
    [
      'body',
      r.body === undefined
        ? undefined
        : v4
          ? bodyV4(r.body, headerValue(r.headers, 'content-type'))
          : bodyV3(r.body, headerValue(r.headers, 'content-type')),
    ],
    ['matchingRules', rulesJson(r.matchingRules)],
    ['generators', generatorsJson(r.generators)],
  ]);
}

function messageContentType(m: Message): string | undefined {
  for (const [k, v] of Object.entries(m.metadata))
    if (/^content-?type$/i.test(k) && typeof v === 'string') return v;
  return undefined;
}

function messageJson(m: Message, v4: boolean): Array<[string, JsonValue | undefined]> {
  return [
    [
      'contents',
      m.contents === undefined
        ? undefined
        : v4
          ? bodyV4(m.contents, messageContentType(m))
          : bodyV3(m.contents, messageContentType(m)),
    ],
    ['metadata', Object.keys(m.metadata).length === 0 ? undefined : m.metadata],
    ['matchingRules', rulesJson(m.matchingRules)],
    ['generators', generatorsJson(m.generators)],
  ];
}

/*
 * The V4 key identifies an interaction within its contract. When the model has none, Treaty
 * derives it from the interaction's V4 JSON (type, description, provider states and content, not
 * annotations such as comments or pending) with two chained 32-bit FNV-1a lanes over the UTF-16
 * code units, written as 16 hex digits: the same interaction always gets the same key, in pure TS.
 */
function fnv1a64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 7), 0x01000193) >>> 0;
  }
  return h2.toString(16).padStart(8, '0') + h1.toString(16).padStart(8, '0');
}

/**
 * An interaction's V4 key: the one it has, or the one serialization computes for it.
 * @example interactionKey(contract.interactions[0]) // '3f2a…' (16 hex digits)
 */
export function interactionKey(i: Interaction): string {
  return String(interactionV4(i).key);
}

function interactionV4(i: Interaction): JsonObject {
  const common: Array<[string, JsonValue | undefined]> = [
    ['type', i.type],
    ['description', i.description],
    ['providerStates', statesJson(i.providerStates)],
    ['pending', i.pending],
    ['comments', i.comments === undefined ? undefined : (i.comments as JsonObject)],
    ['pluginConfiguration', i.pluginConfiguration],
    [
      'interactionMarkup',
      i.interactionMarkup === undefined
        ? undefined
        : sorted([
            ['markup', i.interactionMarkup.markup],
            ['markupType', i.interactionMarkup.markupType],
          ]),
    ],
  ];
  let specific: Array<[string, JsonValue | undefined]>;
  switch (i.type) {
    case 'Synchronous/HTTP':
      specific = [
        ['request', requestJson(i.request, true)],
        ['response', responseJson(i.response, true)],
      ];
      break;
    case 'Asynchronous/Messages':
      specific = messageJson(i.message, true);
      break;
    case 'Synchronous/Messages':
      specific = [
        ['request', sorted(messageJson(i.request, true))],
        ['response', i.response.map((r) => sorted(messageJson(r, true)))],
      ];
      break;
  }
  const withoutKey = sorted([...common, ...specific]);
  // The key covers what the interaction is (type, description, states, content), not its annotations.
  const key = i.key ?? fnv1a64(stringifyJson(sorted([...common.slice(0, 3), ...specific])));
  return sorted([...(Object.entries(withoutKey) as Array<[string, JsonValue]>), ['key', key]]);
}

function interactionV3(i: Interaction, index: number): JsonObject {
  const common: Array<[string, JsonValue | undefined]> = [
    ['description', i.description],
    ['providerStates', statesJson(i.providerStates)],
  ];
  if (i.type === 'Synchronous/HTTP') {
    return sorted([
      ...common,
      ['request', requestJson(i.request, false)],
      ['response', responseJson(i.response, false)],
    ]);
  }
  if (i.type === 'Asynchronous/Messages') return sorted([...common, ...messageJson(i.message, false)]);
  throw new TreatyError(
    'TREATY_CONTRACT_UNSERIALIZABLE',
    `interactions[${index}] ('${i.description}') is a synchronous message, which Pact V3 cannot express. Write the contract as V4.`,
    { path: `interactions[${index}]` },
  );
}

/**
 * Writes a contract as Pact V4 (default) or V3 JSON text, with stable bytes: the same contract
 * always serializes to the same text.
 * @example writeFileSync('pacts/web-orders.json', serializeContract(contract))
 */
export function serializeContract(contract: Contract, options: SerializeOptions = {}): string {
  const version = normalizeSpecVersion(options.specVersion ?? '4.0');
  if (version !== '4.0' && version !== '3.0.0') {
    throw new TreatyError(
      'TREATY_CONTRACT_UNSUPPORTED_VERSION',
      `Treaty writes Pact V4 or V3 contracts, not ${version}. Use specVersion 4 or 3.`,
    );
  }
  const metadata: JsonObject = sorted([
    ...(Object.entries(contract.metadata) as Array<[string, JsonValue]>),
    ['pactSpecification', { version }],
  ]);
  let body: JsonObject;
  if (version === '4.0') {
    body = sorted([
      ['consumer', { name: contract.consumer.name }],
      ['provider', { name: contract.provider.name }],
      ['interactions', contract.interactions.map(interactionV4)],
      ['metadata', metadata],
    ]);
  } else {
    // Checked first: splitting the contract would not help a synchronous message.
    contract.interactions.forEach((i, index) => {
      if (i.type === 'Synchronous/Messages') interactionV3(i, index);
    });
    const http = contract.interactions.filter((i) => i.type === 'Synchronous/HTTP').length;
    const messages = contract.interactions.length - http;
    if (http > 0 && messages > 0) {
      throw new TreatyError(
        'TREATY_CONTRACT_UNSERIALIZABLE',
        `This contract mixes ${http} HTTP interaction(s) and ${messages} message(s); a Pact V3 file holds one kind. Write it as V4, or split it into an HTTP pact and a message pact.`,
      );
    }
    const list = contract.interactions.map(interactionV3);
    body = sorted([
      ['consumer', { name: contract.consumer.name }],
      ['provider', { name: contract.provider.name }],
      [messages > 0 ? 'messages' : 'interactions', list],
      ['metadata', metadata],
    ]);
  }
  return `${stringifyJson(body, 2)}\n`;
}
