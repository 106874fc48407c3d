import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TreatyError, isTreatyError } from '../errors.js';
import type { Contract } from '../contract/model.js';
import { parseContract } from '../contract/parse.js';

/** A contract with where it came from. */
export interface LoadedContract {
  source: string;
  contract: Contract;
  /** What was read leniently, as the Pact tools read it (see `parseContract`'s `onWarning`). */
  warnings?: string[];
  /** For a pact from a broker: whether it is pending, the broker's notices, and where results go. */
  broker?: { pending: boolean; notices: string[]; publishUrl?: string; providerUrl?: string };
}

async function fromUrl(url: string, headers: Record<string, string>): Promise<LoadedContract> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Accept: 'application/hal+json, application/json', ...headers },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new TreatyError(
      'TREATY_VERIFY_SOURCE',
      `Cannot fetch the contract at ${url}: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  if (!res.ok)
    throw new TreatyError(
      'TREATY_VERIFY_SOURCE',
      `Fetching the contract at ${url} answered ${res.status} ${res.statusText}.`,
    );
  return { source: url, ...parseLabelled(await res.text(), url) };
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
  options: { cwd?: string; headers?: Record<string, string> } = {},
): Promise<LoadedContract[]> {
  const out: LoadedContract[] = [];
  for (const source of sources) {
    if (/^https?:\/\//i.test(source)) {
      out.push(await fromUrl(source, options.headers ?? {}));
      continue;
    }
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
      out.push({ source: file, ...parseLabelled(await readFile(file, 'utf8'), file) });
  }
  return out;
}
