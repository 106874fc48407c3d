import { TreatyError, brokerRefusalCode, isTreatyError } from '../errors.js';
import { parseContract } from '../contract/parse.js';
import type { JsonValue } from '../contract/model.js';
import { send } from './http-client.js';
import { pactLimits, type LoadedContract, type PactLimits } from './sources.js';

/** Where and how to reach a broker; `timeoutMs` and `maxBytes` bound every request to it. */
export interface BrokerOptions extends PactLimits {
  baseUrl: string;
  token?: string;
  username?: string;
  password?: string;
  /**
   * Consumer version selectors, e.g. `[{ mainBranch: true }, { deployedOrReleased: true }]`; empty means the
   * broker's defaults.
   */
  consumerVersionSelectors?: Array<Record<string, unknown>>;
  /** Ask the broker which pacts are pending for this provider branch. */
  enablePending?: boolean;
  /** The branch of the provider version being verified (drives pending and matchingBranch). */
  providerVersionBranch?: string;
  /** Also verify work-in-progress pacts published since this date (YYYY-MM-DD); needs a provider branch. */
  includeWipPactsSince?: string;
}

type Links = Record<string, { href: string } | Array<{ href: string }>>;

function headersFor(options: BrokerOptions): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/hal+json, application/json' };
  if (options.token !== undefined) h.Authorization = `Bearer ${options.token}`;
  else if (options.username !== undefined)
    h.Authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  return h;
}

/** GET or POST JSON on the broker, with a clear error for every way it can fail. */
async function brokerJson(
  url: string,
  options: BrokerOptions,
  method = 'GET',
  body?: unknown,
): Promise<Record<string, unknown>> {
  let res;
  try {
    res = await send(url, {
      method,
      headers: {
        ...headersFor(options),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...pactLimits(options),
    });
  } catch (error) {
    if (isTreatyError(error))
      throw new TreatyError(error.code, `The broker at ${options.baseUrl}: ${error.message}`, {
        cause: error,
      });
    throw new TreatyError(
      'TREATY_BROKER_UNREACHABLE',
      `The broker at ${options.baseUrl} could not be reached (${(error as Error).message}); check --broker-base-url and that the broker is running.`,
      { cause: error },
    );
  }
  const text = new TextDecoder().decode(res.body);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  // A refusal carries the broker's own code (an unknown environment is TREATY_BROKER_NOT_FOUND or
  // _BAD_REQUEST, not a contract source that cannot be read).
  if (res.status === 401 || res.status === 403)
    throw new TreatyError(
      brokerRefusalCode(res.status, json),
      `The broker refused ${method} ${url} (${res.status}): give a token (PACT_BROKER_TOKEN) or a username and password.`,
    );
  if (res.status < 200 || res.status > 299)
    throw new TreatyError(
      brokerRefusalCode(res.status, json),
      `The broker answered ${res.status} to ${method} ${url}: ${text.slice(0, 300)}`,
    );
  if (typeof json !== 'object' || json === null)
    throw new TreatyError(
      'TREATY_BROKER_UNREACHABLE',
      `The broker's answer to ${method} ${url} is not JSON; is ${options.baseUrl} a broker?`,
    );
  return json as Record<string, unknown>;
}

function link(doc: Record<string, unknown>, rel: string): string | undefined {
  const l = (doc._links as Links | undefined)?.[rel];
  const one = Array.isArray(l) ? l[0] : l;
  return one?.href;
}

/**
 * Fetches the pacts a provider must verify from a broker: the for-verification resource with the
 * selectors (or the latest pacts when the broker has none), each pact with its pending flag and the
 * link its results go to.
 * @example
 * const pacts = await pactsFromBroker('orders', {
 *   baseUrl: 'http://127.0.0.1:9292',
 *   consumerVersionSelectors: [{ mainBranch: true }],
 * })
 */
export async function pactsFromBroker(provider: string, options: BrokerOptions): Promise<LoadedContract[]> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const index = await brokerJson(`${base}/`, options);
  const template = link(index, 'pb:provider-pacts-for-verification');
  const entries: Array<{ href: string; pending: boolean; notices: string[] }> = [];
  if (template !== undefined) {
    const url = template.replace('{provider}', encodeURIComponent(provider));
    const doc = await brokerJson(url, options, 'POST', {
      consumerVersionSelectors: options.consumerVersionSelectors ?? [],
      includePendingStatus: options.enablePending === true,
      ...(options.providerVersionBranch === undefined
        ? {}
        : { providerVersionBranch: options.providerVersionBranch }),
      ...(options.includeWipPactsSince === undefined
        ? {}
        : { includeWipPactsSince: options.includeWipPactsSince }),
    });
    const pacts = ((doc._embedded as { pacts?: unknown[] } | undefined)?.pacts ?? []) as Array<{
      verificationProperties?: {
        pending?: boolean;
        wip?: boolean;
        notices?: Array<{ when?: string; text?: string }>;
      };
      _links?: Links;
    }>;
    for (const p of pacts) {
      const href = link(p as Record<string, unknown>, 'self');
      if (href === undefined) continue;
      const notices = (p.verificationProperties?.notices ?? [])
        .filter((n) => n.when === 'before_verification' && typeof n.text === 'string')
        .map((n) => n.text as string);
      // Work-in-progress pacts are always pending: verifying them never fails the build.
      entries.push({
        href,
        pending:
          p.verificationProperties?.wip === true ||
          (options.enablePending === true && p.verificationProperties?.pending === true),
        notices,
      });
    }
  } else {
    const latest = link(index, 'pb:latest-provider-pacts');
    if (latest === undefined)
      throw new TreatyError(
        'TREATY_VERIFY_SOURCE',
        `The broker at ${base} offers neither pacts for verification nor latest provider pacts.`,
      );
    const doc = await brokerJson(latest.replace('{provider}', encodeURIComponent(provider)), options);
    const list = ((doc._links as Links | undefined)?.['pb:pacts'] ?? []) as Array<{ href: string }>;
    for (const l of list) entries.push({ href: l.href, pending: false, notices: [] });
  }
  const out: LoadedContract[] = [];
  for (const e of entries) {
    const doc = await brokerJson(e.href, options);
    let contract;
    try {
      contract = parseContract(doc);
    } catch (error) {
      if (isTreatyError(error))
        throw new TreatyError(error.code, `${e.href}: ${error.message}`, { cause: error });
      throw error;
    }
    const publishUrl = link(doc, 'pb:publish-verification-results');
    const providerUrl = link(doc, 'pb:provider');
    const interactionIds = brokerIds(doc, contract.interactions.length);
    out.push({
      source: e.href,
      contract,
      broker: {
        pending: e.pending,
        notices: e.notices,
        ...(publishUrl === undefined ? {} : { publishUrl }),
        ...(providerUrl === undefined ? {} : { providerUrl }),
        ...(interactionIds === undefined ? {} : { interactionIds }),
      },
    });
  }
  return out;
}

/**
 * The `_id` the broker gave each interaction (and V3 message), in the order the contract reads them;
 * undefined when the counts disagree, so no result is ever sent under another interaction's id.
 */
function brokerIds(doc: Record<string, unknown>, count: number): Array<string | undefined> | undefined {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const ids = [...list(doc.interactions), ...list(doc.messages)].map((i) => {
    const id = typeof i === 'object' && i !== null ? (i as Record<string, unknown>)._id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  });
  return ids.length === count && ids.some((id) => id !== undefined) ? ids : undefined;
}

/**
 * Publishes one contract's verification result to the broker, first putting the provider version on its
 * branch.
 */
export async function publishResult(
  loaded: LoadedContract,
  result: {
    success: boolean;
    providerVersion: string;
    providerBranch?: string;
    buildUrl?: string;
    /** Pact's per-interaction results (see test-results.ts). */
    testResults?: JsonValue[];
  },
  options: BrokerOptions,
): Promise<void> {
  const publishUrl = loaded.broker?.publishUrl;
  if (publishUrl === undefined)
    throw new TreatyError(
      'TREATY_VERIFY_SOURCE',
      `${loaded.source} came without a link to publish results to.`,
    );
  if (result.providerBranch !== undefined && loaded.broker?.providerUrl !== undefined) {
    const providerDoc = await brokerJson(loaded.broker.providerUrl, options);
    const branchVersion = link(providerDoc, 'pb:branch-version');
    if (branchVersion !== undefined) {
      await brokerJson(
        branchVersion
          .replace('{branch}', encodeURIComponent(result.providerBranch))
          .replace('{version}', encodeURIComponent(result.providerVersion)),
        options,
        'PUT',
        {},
      );
    }
  }
  await brokerJson(publishUrl, options, 'POST', {
    success: result.success,
    providerApplicationVersion: result.providerVersion,
    verifiedBy: { implementation: 'Treaty', version: '0.1.0' },
    ...(result.buildUrl === undefined ? {} : { buildUrl: result.buildUrl }),
    ...(result.testResults === undefined ? {} : { testResults: result.testResults }),
  });
}
