import { TreatyError, isTreatyError, type ErrorCode } from '../errors.js';
import {
  type ContractFragmentOptions,
  parseMessage,
  parseProviderStates,
  parseRequest,
  parseResponse,
} from './fragments.js';
import { CONTRACT_ENVELOPE_DEPTH, MAX_JSON_DEPTH, jsonValueDepth, parseJsonMeasured } from './json.js';
import { setOwn } from './own.js';
import type {
  Contract,
  Interaction,
  InteractionBase,
  InteractionComments,
  InteractionMarkup,
  JsonObject,
  JsonValue,
  SpecVersion,
} from './model.js';
import { child, describeValue, expectObject, expectString, invalid, isObject } from './shape.js';
import { normalizeSpecVersion } from './version.js';

const shapeHint =
  'A Pact file is a JSON object with consumer.name, provider.name, interactions (or messages) and metadata.pactSpecification.version.';

function notAContract(why: string, cause?: unknown): never {
  throw new TreatyError(
    'TREATY_CONTRACT_NOT_A_CONTRACT',
    `This is not a Pact contract: ${why}. ${shapeHint}`,
    cause === undefined ? {} : { cause },
  );
}

/** Reads the spec version a file declares, in any of the places Pact tools have written it. */
function declaredVersion(metadata: JsonObject | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  const candidates: unknown[] = [
    isObject(metadata.pactSpecification) ? metadata.pactSpecification.version : undefined,
    isObject(metadata['pact-specification']) ? metadata['pact-specification'].version : undefined,
    metadata.pactSpecificationVersion,
  ];
  for (const c of candidates) if (typeof c === 'string' || typeof c === 'number') return String(c);
  return undefined;
}

/** Something a reader set aside or filled in to read a file as the Pact tools read it. */
export interface ContractWarning {
  /** JSON path of the value, e.g. `interactions[0].comments`. */
  path: string;
  message: string;
  /**
   * Set when what was read can never verify (`TREATY_CONTRACT_UNKNOWN_RULE`: a matching rule Pact
   * does not define). The Pact tools read such a file and fail the interaction; `treaty validate`
   * refuses it.
   */
  code?: ErrorCode;
}

/** Options of {@link parseContract}. */
export interface ParseContractOptions {
  /**
   * Called for each part of the file that is read leniently, as the Pact tools read it (a missing
   * description, `comments: ""`, `interactionMarkup: ""`, `pluginConfiguration: []`).
   */
  onWarning?: (warning: ContractWarning) => void;
}

type Warn = (path: string, message: string, code?: ErrorCode) => void;

/**
 * An optional object (`parent[key]`) the Pact tools ignore when it is not one: undefined, with a
 * warning, then.
 */
function lenientObject(parent: JsonObject, key: string, path: string, warn: Warn): JsonObject | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  warn(
    child(path, key),
    `expected an object, got ${describeValue(value)}; ignored, as the Pact tools ignore it.`,
  );
  return undefined;
}

function parseBase(obj: JsonObject, path: string, index: number, warn: Warn): InteractionBase {
  let description: string;
  if (typeof obj.description === 'string') description = obj.description;
  else if (obj.description === undefined) {
    // The Pact core names such an interaction by its place in the file, and reads any other JSON
    // value as its text.
    description = `Interaction ${index}`;
    warn(
      child(path, 'description'),
      `the interaction has no description; it is called '${description}', as the Pact tools call it.`,
    );
  } else {
    description = JSON.stringify(obj.description);
    warn(
      child(path, 'description'),
      `expected a string, got ${describeValue(obj.description)}; read as the text ${description}.`,
    );
  }
  const base: InteractionBase = {
    description,
    providerStates: parseProviderStates(obj, path),
    pending: false,
  };
  if (obj.key !== undefined && obj.key !== null)
    base.key = typeof obj.key === 'string' ? obj.key : expectString(obj.key, child(path, 'key'));
  if (obj.pending !== undefined && obj.pending !== null) {
    if (typeof obj.pending !== 'boolean') invalid(child(path, 'pending'), 'true or false', obj.pending);
    base.pending = obj.pending;
  }
  const c = lenientObject(obj, 'comments', path, warn);
  if (c !== undefined) {
    const at = child(path, 'comments');
    const comments: InteractionComments = { ...c };
    if (c.text !== undefined) {
      if (!Array.isArray(c.text) || !c.text.every((t) => typeof t === 'string'))
        invalid(child(at, 'text'), 'an array of strings', c.text);
      comments.text = c.text as string[];
    }
    if (c.testname !== undefined) comments.testname = expectString(c.testname, child(at, 'testname'));
    base.comments = comments;
  }
  const plugins = lenientObject(obj, 'pluginConfiguration', path, warn);
  if (plugins !== undefined) base.pluginConfiguration = plugins;
  const m = lenientObject(obj, 'interactionMarkup', path, warn);
  if (m !== undefined) {
    const at = child(path, 'interactionMarkup');
    const markupType = m.markupType ?? 'COMMON_MARK';
    if (markupType !== 'COMMON_MARK' && markupType !== 'HTML')
      invalid(child(at, 'markupType'), "'COMMON_MARK' or 'HTML'", markupType);
    const markup: InteractionMarkup = { markup: expectString(m.markup, child(at, 'markup')), markupType };
    base.interactionMarkup = markup;
  }
  return base;
}

/*
 * A file that does not say its version: V3 if it has `messages` (message pacts began with V3), V4
 * if an interaction carries a V4 `type` (only V4 files have one), otherwise V2, the last version
 * whose files commonly omitted the declaration.
 */
function undeclaredVersion(obj: JsonObject, hasMessages: boolean): SpecVersion {
  const list = obj.interactions;
  if (
    Array.isArray(list) &&
    list.some(
      (i) =>
        isObject(i) && typeof i.type === 'string' && (interactionTypes as readonly string[]).includes(i.type),
    )
  )
    return '4.0';
  return hasMessages ? '3.0.0' : '2.0.0';
}

const interactionTypes = ['Synchronous/HTTP', 'Asynchronous/Messages', 'Synchronous/Messages'] as const;

function parseInteraction(
  value: unknown,
  version: SpecVersion,
  path: string,
  messagePact: boolean,
  index: number,
  warn: Warn,
  bodiesWithinDepth: boolean,
): Interaction {
  const options = (at: string): ContractFragmentOptions => ({ path: at, onWarning: warn, bodiesWithinDepth });
  const obj = expectObject(value, path, 'an interaction object');
  const base = parseBase(obj, path, index, warn);
  let type: string;
  if (version === '4.0' && obj.type !== undefined)
    type = typeof obj.type === 'string' ? obj.type : expectString(obj.type, child(path, 'type'));
  else if (
    messagePact ||
    (!('request' in obj) && ('contents' in obj || 'metaData' in obj || 'metadata' in obj))
  )
    type = 'Asynchronous/Messages';
  else type = 'Synchronous/HTTP';
  switch (type) {
    case 'Synchronous/HTTP':
      return {
        type,
        ...base,
        request: parseRequest(
          obj.request ?? invalid(child(path, 'request'), 'a request object', undefined),
          version,
          options(child(path, 'request')),
        ),
        response: parseResponse(
          obj.response ?? invalid(child(path, 'response'), 'a response object', undefined),
          version,
          options(child(path, 'response')),
        ),
      };
    case 'Asynchronous/Messages':
      return { type, ...base, message: parseMessage(obj, version, options(path)) };
    case 'Synchronous/Messages': {
      const at = child(path, 'response');
      const responses =
        obj.response === undefined
          ? []
          : Array.isArray(obj.response)
            ? obj.response
            : invalid(at, 'an array of response messages', obj.response);
      return {
        type,
        ...base,
        request: parseMessage(obj.request ?? {}, version, options(child(path, 'request'))),
        response: responses.map((r, i) => parseMessage(r, version, options(child(at, i)))),
      };
    }
    default:
      return invalid(child(path, 'type'), interactionTypes.map((t) => `'${t}'`).join(', '), type);
  }
}

/**
 * Reads a Pact contract of any specification version (V1, V1.1, V2, V3 including message pacts,
 * V4) from JSON text or an already-parsed value. From text, number forms such as `100.0` are kept.
 * @example const contract = parseContract(readFileSync('pacts/web-orders.json', 'utf8'))
 */
export function parseContract(input: string | unknown, options: ParseContractOptions = {}): Contract {
  const warn: Warn = (path, message, code) =>
    options.onWarning?.({ path, message: `${path}: ${message}`, ...(code === undefined ? {} : { code }) });
  let value: unknown = input;
  // From text, the depth of the whole document is known: within the body limit, no body can exceed it.
  let bodiesWithinDepth = false;
  if (typeof input === 'string') {
    try {
      const parsed = parseJsonMeasured(input, MAX_JSON_DEPTH + CONTRACT_ENVELOPE_DEPTH);
      value = parsed.value;
      bodiesWithinDepth = parsed.depth <= MAX_JSON_DEPTH;
    } catch (error) {
      if (isTreatyError(error) && error.code === 'TREATY_INPUT_TOO_DEEP') throw error;
      notAContract(
        `the text is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        error,
      );
    }
  } else {
    // A value parsed elsewhere (the broker's body parser) is checked before anything walks it.
    bodiesWithinDepth = jsonValueDepth(value, MAX_JSON_DEPTH + CONTRACT_ENVELOPE_DEPTH) <= MAX_JSON_DEPTH;
  }
  if (!isObject(value)) notAContract(`expected a JSON object, got ${describeValue(value)}`);
  const obj = value;
  const hasInteractions = 'interactions' in obj;
  const hasMessages = 'messages' in obj;
  if (!('consumer' in obj) || !('provider' in obj) || (!hasInteractions && !hasMessages)) {
    const missing = ['consumer', 'provider', 'interactions'].filter(
      (k) => !(k in obj) && !(k === 'interactions' && hasMessages),
    );
    notAContract(`it has no ${missing.join(', ')}`);
  }
  const consumer = expectObject(obj.consumer, 'consumer', 'an object { name }');
  const provider = expectObject(obj.provider, 'provider', 'an object { name }');
  const metadataValue =
    obj.metadata === undefined || obj.metadata === null ? undefined : expectObject(obj.metadata, 'metadata');
  const declared = declaredVersion(metadataValue);
  let version: SpecVersion;
  try {
    version = declared === undefined ? undeclaredVersion(obj, hasMessages) : normalizeSpecVersion(declared);
  } catch (error) {
    if (isTreatyError(error))
      throw new TreatyError(error.code, `metadata.pactSpecification.version: ${error.message}`, {
        path: 'metadata.pactSpecification.version',
        cause: error,
      });
    throw error;
  }
  const listKey = hasInteractions ? 'interactions' : 'messages';
  const list = obj[listKey];
  if (!Array.isArray(list)) invalid(listKey, 'an array of interactions', list);
  const interactions = list.map((item, i) =>
    parseInteraction(item, version, child(listKey, i), listKey === 'messages', i, warn, bodiesWithinDepth),
  );
  if (hasInteractions && hasMessages && Array.isArray(obj.messages)) {
    obj.messages.forEach((item, i) => {
      interactions.push(
        parseInteraction(item, version, child('messages', i), true, list.length + i, warn, bodiesWithinDepth),
      );
    });
  }
  const metadata: JsonObject = {};
  for (const [k, v] of Object.entries(metadataValue ?? {})) {
    if (k !== 'pactSpecification' && k !== 'pact-specification' && k !== 'pactSpecificationVersion')
      setOwn(metadata, k, v as JsonValue);
  }
  return {
    consumer: { name: expectString(consumer.name, 'consumer.name') },
    provider: { name: expectString(provider.name, 'provider.name') },
    interactions,
    metadata,
    specVersion: version,
  };
}
