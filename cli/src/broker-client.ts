import {
  DEFAULT_TIMEOUT_MS,
  TreatyError,
  isHttpUrl,
  isTreatyError,
  sendHttpRequest,
  type ClientResponse,
} from '@treaty/core';
import type { CliIo } from './io.js';

/** Broker connection settings from flags, falling back to the Pact CLI's environment variables. */
export interface BrokerConnection {
  baseUrl: string;
  headers: Record<string, string>;
}

/** Reads --broker-base-url/--broker-token/--broker-username/--broker-password or PACT_BROKER_*. */
export function brokerConnection(
  values: {
    'broker-base-url'?: string;
    'broker-token'?: string;
    'broker-username'?: string;
    'broker-password'?: string;
  },
  io: CliIo,
  usage: string,
): BrokerConnection {
  const baseUrl = values['broker-base-url'] ?? io.env.PACT_BROKER_BASE_URL;
  if (baseUrl === undefined || baseUrl === '')
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `--broker-base-url (or PACT_BROKER_BASE_URL) is required.\n\n${usage}`,
    );
  if (!isHttpUrl(baseUrl))
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `--broker-base-url (or PACT_BROKER_BASE_URL) must be an http(s) URL such as http://127.0.0.1:9292.\n\n${usage}`,
    );
  const token = values['broker-token'] ?? io.env.PACT_BROKER_TOKEN;
  const username = values['broker-username'] ?? io.env.PACT_BROKER_USERNAME;
  const password = values['broker-password'] ?? io.env.PACT_BROKER_PASSWORD;
  const headers: Record<string, string> = { Accept: 'application/hal+json, application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  else if (username !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  return { baseUrl: baseUrl.replace(/\/+$/, ''), headers };
}

/** The broker flags every broker command takes. */
export const brokerFlags = {
  'broker-base-url': { type: 'string' },
  'broker-token': { type: 'string' },
  'broker-username': { type: 'string' },
  'broker-password': { type: 'string' },
} as const;

/** Calls the broker; a broker error comes back as its `{ code, message }` in a TreatyError. */
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
      'TREATY_VERIFY_SOURCE',
      `The broker at ${conn.baseUrl} could not be reached (${(error as Error).message}).`,
      { cause: error },
    );
  }
  const text = new TextDecoder().decode(res.body);
  let json: Record<string, unknown> = {};
  try {
    json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    throw new TreatyError(
      'TREATY_VERIFY_SOURCE',
      `The broker answered ${method} ${path} with something that is not JSON (${res.status}).`,
    );
  }
  if (res.status >= 400 && res.status !== 409) {
    throw new TreatyError(
      'TREATY_VERIFY_SOURCE',
      `The broker refused ${method} ${path} (${res.status}): ${typeof json.message === 'string' ? json.message : text.slice(0, 300)}`,
    );
  }
  return { status: res.status, json };
}
