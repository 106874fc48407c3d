// The public surface of @treaty/core, written out by name.
export { TreatyError, isTreatyError, ERROR_CODES } from './errors.js';
export type { ErrorCode, ErrorKind, TreatyErrorOptions } from './errors.js';
export type {
  JsonValue,
  JsonObject,
  SpecVersion,
  Pacticipant,
  ProviderState,
  StatusClass,
  ArrayContainsVariant,
  MatchingRule,
  RuleName,
  RuleList,
  MatchingRules,
  UuidFormat,
  Generator,
  GeneratorName,
  Generators,
  Body,
  ContentTypeHint,
  Headers,
  Query,
  HttpRequest,
  HttpResponse,
  Message,
  InteractionMarkup,
  InteractionComments,
  InteractionBase,
  HttpInteraction,
  AsyncMessageInteraction,
  SyncMessageInteraction,
  Interaction,
  InteractionType,
  Contract,
} from './contract/model.js';
export type { Mismatch, MismatchPart } from './matching/mismatch.js';
export { normalizeSpecVersion } from './contract/version.js';
export { parseRequest, parseResponse, parseMessage } from './contract/fragments.js';
export type { FragmentOptions } from './contract/fragments.js';
export { parseJson, stringifyJson, isFloatLiteral } from './contract/json.js';
export { matchRequest, matchResponse, matchMessage } from './matching/match.js';
export { parseContract } from './contract/parse.js';
export { serializeContract } from './contract/serialize.js';
export type { SerializeOptions } from './contract/serialize.js';
