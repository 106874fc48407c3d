// The public surface of @treaty/core, written out by name.
export { TreatyError, isTreatyError, ERROR_CODES, brokerRefusalCode } from './errors.js';
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
export { mismatchLine } from './matching/mismatch.js';
export { normalizeSpecVersion } from './contract/version.js';
export { parseRequest, parseResponse, parseMessage } from './contract/fragments.js';
export type { FragmentOptions } from './contract/fragments.js';
export {
  parseJson,
  stringifyJson,
  isFloatLiteral,
  markFloatLiteral,
  checkJsonTextDepth,
  MAX_JSON_DEPTH,
  CONTRACT_ENVELOPE_DEPTH,
} from './contract/json.js';
export { matchRequest, matchResponse, matchMessage } from './matching/match.js';
export { checkContractRegexes } from './matching/regex-check.js';
export {
  type ContractWarning,
  type ParseContractOptions,
  parseContract,
} from './contract/parse.js';
export { serializeContract } from './contract/serialize.js';
export type { SerializeOptions } from './contract/serialize.js';
export {
  like,
  eachLike,
  atLeastOneLike,
  atLeastLike,
  atMostLike,
  constrainedArrayLike,
  eachKeyLike,
  regex,
  integer,
  decimal,
  number,
  boolean,
  booleanValue,
  string,
  datetime,
  timestamp,
  date,
  time,
  uuid,
  includes,
  nullValue,
  equal,
  arrayContaining,
  eachKeyMatches,
  eachValueMatches,
  semver,
  notEmpty,
  statusCode,
  matchStatus,
  contentType,
  fromProviderState,
  url,
  url2,
  generators,
  isMatcher,
} from './matchers/matchers.js';
export type { Matcher, Reify } from './matchers/matchers.js';
export { reify, extractMatching } from './matchers/extract.js';
export { generateRequest, generateResponse, generateMessage } from './generators/parts.js';
export type { GeneratorContext } from './generators/generate.js';
export type { ExtractedMatching, ExtractOptions, MatcherCategory } from './matchers/extract.js';
export { ConsumerContract } from './consumer/contract.js';
export type { ConsumerContractOptions } from './consumer/contract.js';
export type { StaleInteractions } from './consumer/pact-file.js';
export { HttpInteractionBuilder, RequestBuilder, ResponseBuilder } from './consumer/builders.js';
export type { MockServerInfo } from './consumer/builders.js';
export {
  AsyncMessageBuilder,
  SyncMessageBuilder,
  MessageContentBuilder,
} from './consumer/message-builders.js';
export type { ReifiedMessage, ReifiedSyncMessage } from './consumer/message-builders.js';
export type { StringTemplate, MultiTemplate } from './consumer/template.js';
export { verifyProvider } from './provider/verify.js';
export type {
  VerifyOptions,
  VerificationResult,
  ContractResult,
  InteractionResult,
  ProviderRequest,
  StateHandler,
  MessageProducer,
} from './provider/verify.js';
export { loadContracts } from './provider/sources.js';
export { checkAgainstOpenApi, OpenApiChecker } from './openapi/check.js';
export type {
  OpenApiCheckOptions,
  OpenApiContractCheck,
  OpenApiInteractionCheck,
} from './openapi/check.js';
export { loadOpenApi, loadOpenApiText } from './openapi/load.js';
export type { OpenApiSource, LoadOpenApiOptions, LoadedOpenApi } from './openapi/load.js';
export { FINDING_CODES } from './openapi/findings.js';
export type { OpenApiFinding, FindingCode, FindingLevel } from './openapi/findings.js';
export { Redactor, isSecretHeader, REDACTED } from './provider/redact.js';
export {
  send as sendHttpRequest,
  isHttpUrl,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MAX_BYTES,
  MAX_TIMEOUT_MS,
} from './provider/http-client.js';
export type { SendOptions, ClientResponse } from './provider/http-client.js';
export type { LoadedContract } from './provider/sources.js';
export { TREATY, shellQuote, shellWord, treatyLine, verifyCommand } from './provider/shell-line.js';
