import { TreatyError } from '../errors.js';
import type { SpecVersion } from './model.js';

const forms: Record<string, SpecVersion> = {
  '1': '1.0.0',
  '1.0': '1.0.0',
  '1.0.0': '1.0.0',
  '1.1': '1.1.0',
  '1.1.0': '1.1.0',
  '2': '2.0.0',
  '2.0': '2.0.0',
  '2.0.0': '2.0.0',
  '3': '3.0.0',
  '3.0': '3.0.0',
  '3.0.0': '3.0.0',
  '4': '4.0',
  '4.0': '4.0',
  '4.0.0': '4.0',
};

/**
 * Normalises a Pact Specification version as files or people write it.
 * @example normalizeSpecVersion('3') // '3.0.0'
 */
export function normalizeSpecVersion(input: string | number): SpecVersion {
  // The parsers pass an already normalised version for every request, response and message.
  if (typeof input === 'string' && Object.hasOwn(forms, input)) return forms[input] as SpecVersion;
  const key = String(input).trim().replace(/^v/i, '');
  const version = forms[key];
  if (version === undefined) {
    throw new TreatyError(
      'TREATY_CONTRACT_UNSUPPORTED_VERSION',
      `Unsupported Pact Specification version ${JSON.stringify(input)}: use 1.0.0, 1.1.0, 2.0.0, 3.0.0 or 4.0 (or 1, 2, 3, 4).`,
    );
  }
  return version;
}
