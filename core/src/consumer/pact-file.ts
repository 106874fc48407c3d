import { mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
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
 * A test run owns the interactions it records. Beside the contract, a run file
 * (`.<consumer>-<provider>.json.treaty-run`) names the run that wrote last and the identities
 * (type, description, provider states) it recorded. Within one run, the same identity with other
 * content is TREATY_CONTRACT_DUPLICATE_INTERACTION. An interaction an earlier run wrote is:
 * - 'keep' (the default, as Pact's own writers merge into an existing file): kept unless this run
 *   records the same identity, which then replaces it. A filtered run (`vitest run -t …`, one test
 *   file) therefore never shrinks the contract;
 * - 'drop' (staleInteractions: 'drop' or TREATY_DROP_STALE_INTERACTIONS=1): dropped, so the file
 *   holds only what this run recorded and interactions removed from the tests disappear. For full
 *   runs only: a filtered run with it writes a contract with only the tests that ran.
 * Runs are told apart by TREATY_RUN_ID when it is set, and otherwise by the parent process (the
 * test runner that started the workers) and its start time.
 */

/** What a run does with the interactions that earlier runs wrote and it does not record. */
export type StaleInteractions = 'keep' | 'drop';

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

/**
 * The run's choice for stale interactions: the option when given, else TREATY_DROP_STALE_INTERACTIONS.
 * @example staleInteractionsOf(undefined) // 'drop' when TREATY_DROP_STALE_INTERACTIONS=1
 */
export function staleInteractionsOf(option: StaleInteractions | undefined): StaleInteractions {
  if (option !== undefined) {
    if (option !== 'keep' && option !== 'drop')
      throw new TreatyError(
        'TREATY_DSL_INVALID',
        `new ConsumerContract: staleInteractions must be 'keep' or 'drop', got ${JSON.stringify(option)}.`,
      );
    return option;
  }
  const env = process.env.TREATY_DROP_STALE_INTERACTIONS?.trim().toLowerCase();
  if (env === undefined || env === '' || env === '0' || env === 'false') return 'keep';
  if (env === '1' || env === 'true') return 'drop';
  throw new TreatyError(
    'TREATY_DSL_INVALID',
    `TREATY_DROP_STALE_INTERACTIONS must be 1 (or true) to drop the interactions earlier runs wrote, or 0 (or false), got ${JSON.stringify(process.env.TREATY_DROP_STALE_INTERACTIONS)}.`,
  );
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

/*
 * The file operations below are synchronous: a write is a dozen small operations (lock, run file,
 * contract, renames), and through the thread pool each is a round trip that, on a busy machine, took
 * longer than the operation itself. Only the wait for another process's lock yields.
 */

async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock);
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
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        // gone meanwhile: try again
      }
      if (age > timeoutMs) rmSync(lock, { recursive: true, force: true });
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
    // The lock is the empty folder made above; one taken over from a dead process may hold more.
    try {
      rmdirSync(lock);
    } catch {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Options of {@link writeContractFile}. */
export interface WriteOptions {
  specVersion: 3 | 4;
  runId?: string;
  /** What to do with the interactions earlier runs wrote that this one does not record (default 'keep'). */
  staleInteractions?: StaleInteractions;
}

/**
 * The run that wrote last and the identities it recorded; `all` for a run file from before Treaty
 * kept them (it held only the run's id, and that run owned the whole file).
 */
interface RunRecord {
  run: string;
  recorded: ReadonlySet<string> | 'all';
}

function parseRunFile(text: string | undefined): RunRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === 'object' && json !== null && 'run' in json && 'recorded' in json) {
      const { run, recorded } = json;
      if (typeof run === 'string' && Array.isArray(recorded) && recorded.every((r) => typeof r === 'string'))
        return { run, recorded: new Set(recorded) };
    }
  } catch {
    // An older run file holds only the run's id.
  }
  return { run: text, recorded: 'all' };
}

/** Writes `text` to `file` through a temporary file and a rename, so no reader sees half of it. */
function replaceFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** The text of a file, or undefined when it cannot be read. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads the contract already in `file`, if any. */
function readExisting(file: string): Contract | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return parseContract(text);
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
  const drop = options.staleInteractions === 'drop';
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new TreatyError(
      'TREATY_PACT_FILE_WRITE',
      `Cannot create the contract folder ${dir}: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  await withLock(file, async () => {
    const last = parseRunFile(readText(runFile));
    const sameRun = last?.run === runId;
    // With 'drop', a new run starts from nothing: the earlier file need not even be a contract.
    const previous = sameRun || !drop ? readExisting(file) : undefined;
    const existing = previous?.interactions ?? [];
    const metadata =
      previous === undefined ? contract.metadata : { ...previous.metadata, ...contract.metadata };
    const owned = !sameRun
      ? new Set<string>()
      : last.recorded === 'all'
        ? new Set(existing.map(interactionIdentity))
        : last.recorded;
    const added = new Set(contract.interactions.map(interactionIdentity));
    const isOwned = (i: Interaction): boolean => owned.has(interactionIdentity(i));
    // This run's own interactions must agree with what it records now; an earlier run's are kept
    // (unless dropped) where this run records nothing under the same identity.
    const earlier = drop ? [] : existing.filter((i) => !isOwned(i) && !added.has(interactionIdentity(i)));
    const interactions = mergeInteractions(
      [...earlier, ...existing.filter(isOwned)],
      contract.interactions,
      file,
    );
    const text = serializeContract(
      { ...contract, metadata, interactions },
      { specVersion: options.specVersion },
    );
    const recorded = [...new Set([...owned, ...added])].sort();
    try {
      // The run file first: if the contract's rename then fails, it names identities the file
      // lacks, which is harmless; the other way round a later conflict in this run could pass.
      replaceFile(runFile, `${JSON.stringify({ run: runId, recorded })}\n`);
      replaceFile(file, text);
    } catch (error) {
      throw new TreatyError('TREATY_PACT_FILE_WRITE', `Cannot write ${file}: ${(error as Error).message}.`, {
        cause: error,
      });
    }
  });
  return file;
}
