// @treaty/core/provider: the provider side alone (verification, its HTTP client, credential
// redaction and the command lines Treaty prints), for programs such as the treaty CLI that need
// neither the consumer DSL, the mock server nor the matchers, and so load about half of core.
export { TreatyError, isTreatyError, ERROR_CODES, brokerRefusalCode } from '../errors.js';
export type { ErrorCode, ErrorKind, TreatyErrorOptions } from '../errors.js';
export { verifyProvider } from './verify.js';
export type {
  VerifyOptions,
  VerificationResult,
  ContractResult,
  InteractionResult,
  ProviderRequest,
  StateHandler,
  MessageProducer,
} from './verify.js';
export { mismatchLine } from '../matching/mismatch.js';
export { loadContracts } from './sources.js';
export type { LoadedContract } from './sources.js';
export { Redactor, isSecretHeader, REDACTED } from './redact.js';
export {
  send as sendHttpRequest,
  isHttpUrl,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MAX_BYTES,
  MAX_TIMEOUT_MS,
} from './http-client.js';
export type { SendOptions, ClientResponse } from './http-client.js';
export { TREATY, shellQuote, shellWord, treatyLine, verifyCommand } from './shell-line.js';
