import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TreatyError, isTreatyError } from '../errors.js';
import type { Contract, Interaction } from '../contract/model.js';
import { parseContract } from '../contract/parse.js';
import { serializeContract } from '../contract/serialize.js';

/*
 * Many tests, files and worker processes write one contract file. Each write takes a lock (a
 * folder created atomically beside the file), reads what is there, merges, writes a temporary file
 * and renames it into place, so readers never see half a file and no interaction is lost.
 *
 * A file written by an earlier test run is replaced, not merged into, so interactions removed from
 * the tests disappear from the contract. Runs are told apart by TREATY_RUN_ID when it is set, and
 * otherwise by the parent process (the test runner that started the workers) and its start time.
 */

/** The identity of this test run, shared by the worker processes of one test runner. */
function currentRunId(): string {
  const explicit = process.env.TREATY_RUN_ID;
  if (explicit !== undefined && explicit !== '') return explicit;
  let started = '';
  try {
    // Field 22 of /proc/<pid>/stat is the start time; it tells a reused pid apart (Linux only).
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    started = '';
  }
  return `${process.ppid}:${started}`;
}

/** The file a contract is written to: `<dir>/<consumer>-<provider>.json`. */
function contractPath(dir: string, consumer: string, provider: string): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return join(dir, `${safe(consumer)}-${safe(provider)}.json`);
}

/** The identity of an interaction within a contract: its type, description and provider states. */
function interactionIdentity(i: Interaction): string {
  return JSON.stringify([i.type, i.description, i.providerStates.map((s) => [s.name, s.params ?? null])]);
}

function content(i: Interaction): string {
  const { key: _key, ...rest } = i;
  return serializeContract({
    consumer: { name: '' },
    provider: { name: '' },
    interactions: [rest as Interaction],
    metadata: {},
    specVersion: '4.0',
  });
}

/**
 * Merges interactions into a list: the same identity with the same content is kept once; the same
 * identity with different content is TREATY_CONTRACT_DUPLICATE_INTERACTION.
 */
export function mergeInteractions(
  existing: readonly Interaction[],
  added: readonly Interaction[],
  where: string,
): Interaction[] {
  const byId = new Map<string, Interaction>();
  for (const i of [...existing, ...added]) {
    const id = interactionIdentity(i);
    const seen = byId.get(id);
    if (seen === undefined) byId.set(id, i);
    else if (content(seen) !== content(i)) {
      const states =
        i.providerStates.length === 0
          ? 'no provider state'
          : `provider state(s) ${i.providerStates.map((s) => `'${s.name}'`).join(', ')}`;
      throw new TreatyError(
        'TREATY_CONTRACT_DUPLICATE_INTERACTION',
        `Two interactions '${i.description}' with ${states} differ (${where}). Give one of them another description or provider state; Treaty never overwrites one with the other.`,
      );
    }
  }
  // A stable order, whatever order the processes wrote in.
  return [...byId.values()].sort((a, b) =>
    interactionIdentity(a) < interactionIdentity(b)
      ? -1
      : interactionIdentity(a) > interactionIdentity(b)
        ? 1
        : 0,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new TreatyError(
          'TREATY_PACT_FILE_WRITE',
          `Cannot create the lock ${lock}: ${(error as Error).message}.`,
          { cause: error },
        );
      }
      // A lock older than the timeout was left by a process that died: take it over.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > timeoutMs) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new TreatyError(
          'TREATY_PACT_FILE_LOCKED',
          `Another process held ${lock} for more than ${timeoutMs / 1000}s. Run again; if it stays, delete that folder.`,
        );
      await sleep(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Options of {@link writeContractFile}. */
export interface WriteOptions {
  specVersion: 3 | 4;
  runId?: string;
}

/**
 * Merges a contract's interactions into its file under a lock and writes it atomically.
 * @example await writeContractFile('./pacts', contract, { specVersion: 4 })
 */
export async function writeContractFile(
  dir: string,
  contract: Contract,
  options: WriteOptions,
): Promise<string> {
  const file = contractPath(dir, contract.consumer.name, contract.provider.name);
  const runFile = join(dir, `.${file.slice(dir.length + 1)}.treaty-run`);
  const runId = options.runId ?? currentRunId();
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw new TreatyError(
      'TREATY_PACT_FILE_WRITE',
      `Cannot create the contract folder ${dir}: ${(error as Error).message}.`,
      { cause: error },
    );
  });
  await withLock(file, async () => {
    const lastRun = await readFile(runFile, 'utf8').catch(() => undefined);
    let existing: Interaction[] = [];
    let metadata = contract.metadata;
    if (lastRun === runId) {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        try {
          const parsed = parseContract(text);
          existing = parsed.interactions;
          metadata = { ...parsed.metadata, ...contract.metadata };
        } catch (error) {
          if (isTreatyError(error))
            throw new TreatyError(
              'TREATY_PACT_FILE_WRITE',
              `${file} is not a contract Treaty can merge into (${error.message}). Delete it and run again.`,
              { cause: error },
            );
          throw error;
        }
      }
    }
    const interactions = mergeInteractions(existing, contract.interactions, file);
    const text = serializeContract(
      { ...contract, metadata, interactions },
      { specVersion: options.specVersion },
    );
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, text);
      await rename(tmp, file);
      if (lastRun !== runId) await writeFile(runFile, runId);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new TreatyError('TREATY_PACT_FILE_WRITE', `Cannot write ${file}: ${(error as Error).message}.`, {
        cause: error,
      });
    }
  });
  return file;
}
