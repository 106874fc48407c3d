import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TreatyError, isTreatyError } from '../errors.js';
import type { Contract } from '../contract/model.js';
import { parseContract } from '../contract/parse.js';
import { DEFAULT_MAX_BYTES, limitsOf, send, type ClientResponse, type SendLimits } from './http-client.js';
import { isSecretHeader } from './redact.js';

/** A contract with where it came from. */
export interface LoadedContract {
  source: string;
  contract: Contract;
  /** What was read leniently, as the Pact tools read it (see `parseContract`'s `onWarning`). */
  warnings?: string[];
  /** For a pact from a broker: whether it is pending, the broker's notices, and where results go. */
  broker?: {
    pending: boolean;
    notices: string[];
    publishUrl?: string;
    providerUrl?: string;
    /** The broker's `_id` of each interaction, in the order of `contract.interactions`, where it gave one. */
    interactionIds?: Array<string | undefined>;
  };
}

/** How a pact is read: its deadline and size limit, as {@link send} takes them. */
export interface PactLimits {
  /** The deadline of fetching one pact by URL, the whole answer included (default 30,000 ms). */
  timeoutMs?: number;
  /** The most bytes of one pact read from a URL, the broker or a file (default 50 MiB). */
  maxBytes?: number;
}

/** The send options a pact is fetched with. */
export function pactLimits(limits: PactLimits): SendLimits {
  return limitsOf(limits, 'max-pact-bytes');
}

const MAX_REDIRECTS = 5;

async function fromUrl(
  url: string,
  headers: Record<string, string>,
  limits: PactLimits,
): Promise<LoadedContract> {
  let at = url;
  let sent = headers;
  for (let hops = 0; ; hops++) {
    let res: ClientResponse;
    try {
      res = await send(at, {
        method: 'GET',
        headers: { Accept: 'application/hal+json, application/json', ...sent },
        ...pactLimits(limits),
      });
    } catch (error) {
      throw new TreatyError(
        isTreatyError(error) ? error.code : 'TREATY_VERIFY_SOURCE',
        `Cannot fetch the contract at ${url}: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location !== undefined && hops < MAX_REDIRECTS) {
      const next = new URL(location, at);
      // As fetch does: credentials never follow a redirect to another origin.
      if (next.origin !== new URL(at).origin)
        sent = Object.fromEntries(Object.entries(sent).filter(([name]) => !isSecretHeader(name)));
      at = next.href;
      continue;
    }
    if (res.status < 200 || res.status > 299)
      throw new TreatyError(
        'TREATY_VERIFY_SOURCE',
        `Fetching the contract at ${url} answered ${res.status}.`,
      );
    return { source: url, ...parseLabelled(new TextDecoder().decode(res.body), url) };
  }
}

async function fromFile(file: string, maxBytes: number): Promise<string> {
  const { size } = await stat(file);
  if (size > maxBytes)
    throw new TreatyError(
      'TREATY_VERIFY_TOO_LARGE',
      `The contract file ${file} is ${size} bytes, more than the limit of ${maxBytes} (--max-pact-bytes / maxPactBytes).`,
    );
  return readFile(file, 'utf8');
}

function parseLabelled(text: string, source: string): { contract: Contract; warnings?: string[] } {
  const warnings: string[] = [];
  try {
    const contract = parseContract(text, { onWarning: (w) => warnings.push(w.message) });
    return warnings.length === 0 ? { contract } : { contract, warnings };
  } catch (error) {
    if (isTreatyError(error))
      throw new TreatyError(error.code, `${source}: ${error.message}`, {
        cause: error,
        ...(error.path === undefined ? {} : { path: error.path }),
      });
    throw error;
  }
}

/**
 * Reads contracts from files, folders (every `*.json` inside, recursively) and http(s) URLs.
 * @example
 * const contracts = await loadContracts(['./pacts', 'https://broker/pacts/…'], { cwd: process.cwd() })
 */
export async function loadContracts(
  sources: readonly string[],
  options: { cwd?: string; headers?: Record<string, string> } & PactLimits = {},
): Promise<LoadedContract[]> {
  const out: LoadedContract[] = [];
  for (const source of sources) {
    if (/^https?:\/\//i.test(source)) {
      out.push(await fromUrl(source, options.headers ?? {}, options));
      continue;
    }
    if (/^[a-z][\w+.-]*:\/\//i.test(source))
      throw new TreatyError(
        'TREATY_VERIFY_SOURCE',
        `Cannot read the contract source '${source}': only files, folders and http(s) URLs are supported.`,
      );
    const full = resolve(options.cwd ?? process.cwd(), source);
    const info = await stat(full).catch((error: unknown) => {
      throw new TreatyError(
        'TREATY_VERIFY_SOURCE',
        `Cannot read the contract source '${source}': no such file or folder.`,
        { cause: error },
      );
    });
    const files = info.isDirectory()
      ? (await readdir(full, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile() && e.name.endsWith('.json'))
          .map((e) => join(e.parentPath, e.name))
          .sort()
      : [full];
    if (files.length === 0)
      throw new TreatyError('TREATY_VERIFY_SOURCE', `The folder '${source}' holds no .json contract files.`);
    for (const file of files)
      out.push({
        source: file,
        ...parseLabelled(await fromFile(file, options.maxBytes ?? DEFAULT_MAX_BYTES), file),
      });
  }
  return out;
}
