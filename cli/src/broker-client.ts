import {
  DEFAULT_TIMEOUT_MS,
  TreatyError,
  brokerRefusalCode,
  isHttpUrl,
  isTreatyError,
  sendHttpRequest,
  type ClientResponse,
} from '@treaty/core/provider';
import type { OptionValues } from './command.js';
import { text } from './options.js';

/** Broker connection settings from flags, falling back to the Pact CLI's environment variables. */
export interface BrokerConnection {
  baseUrl: string;
  headers: Record<string, string>;
}

/**
 * Reads --broker-base-url/--broker-token/--broker-username/--broker-password (which fall back to
 * PACT_BROKER_BASE_URL, PACT_BROKER_TOKEN, PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD).
 */
export function brokerConnection(values: OptionValues): BrokerConnection {
  const baseUrl = text(values, 'brokerBaseUrl');
  if (baseUrl === undefined || baseUrl === '')
    throw new TreatyError('TREATY_CLI_USAGE', '--broker-base-url (or PACT_BROKER_BASE_URL) is required.');
  if (!isHttpUrl(baseUrl))
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      '--broker-base-url (or PACT_BROKER_BASE_URL) must be an http(s) URL such as http://127.0.0.1:9292.',
    );
  const token = text(values, 'brokerToken');
  const username = text(values, 'brokerUsername');
  const password = text(values, 'brokerPassword');
  const headers: Record<string, string> = { Accept: 'application/hal+json, application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  else if (username !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  return { baseUrl: baseUrl.replace(/\/+$/, ''), headers };
}

/**
 * Calls the broker. A refusal comes back as a TreatyError with the broker's own code (or the one its
 * status means) and message; a broker that cannot be reached as TREATY_BROKER_UNREACHABLE.
 */
export async function brokerCall(
  conn: BrokerConnection,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  let res: ClientResponse;
  try {
    // Bounded like every request verify makes: a broker that trickles its answer cannot hang the
    // command, nor a huge one exhaust its memory.
    res = await sendHttpRequest(`${conn.baseUrl}${path}`, {
      method,
      headers: { ...conn.headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: DEFAULT_TIMEOUT_MS,
    });
  } catch (error) {
    if (isTreatyError(error))
      throw new TreatyError(error.code, `The broker at ${conn.baseUrl}: ${error.message}`, { cause: error });
    throw new TreatyError(
      'TREATY_BROKER_UNREACHABLE',
      `The broker at ${conn.baseUrl} could not be reached (${(error as Error).message}); check --broker-base-url and that the broker is running.`,
      { cause: error },
    );
  }
  const text = new TextDecoder().decode(res.body);
  let json: Record<string, unknown> = {};
  try {
    json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    throw new TreatyError(
      res.status >= 400 ? brokerRefusalCode(res.status, undefined) : 'TREATY_BROKER_UNREACHABLE',
      `The broker at ${conn.baseUrl} answered ${method} ${path} with something that is not JSON (${res.status}); is --broker-base-url a broker?`,
    );
  }
  if (res.status >= 400 && res.status !== 409) {
    throw new TreatyError(
      brokerRefusalCode(res.status, json),
      `The broker refused ${method} ${path} (${res.status}): ${typeof json.message === 'string' ? json.message : text.slice(0, 300)}`,
    );
  }
  return { status: res.status, json };
}
