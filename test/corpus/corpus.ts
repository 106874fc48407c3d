import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../support/process.js';
import { referenceDir } from '../support/reference.js';

/** One Pact file of the real-world corpus. */
export interface CorpusFile {
  name: string;
  path: string;
  text: string;
}

/** Every Pact file of test/reference/real-world-pacts, by name. */
export function corpusFiles(): CorpusFile[] {
  const dir = referenceDir('real-world-pacts');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name, path: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * pact-stub-server 0.7.1 listens on 0.0.0.0 whatever it is told, and pact-verifier tries to download
 * plugins from GitHub for plugin interactions. So both run in a network namespace of their own
 * (`unshare --net`, as an unprivileged user namespace), where the only interface is a loopback
 * device nothing outside can reach. This is the argument list that runs `command` so, loopback up.
 */
export function isolated(command: string, args: string[]): { command: string; args: string[] } {
  return {
    command: 'unshare',
    args: [
      '--user',
      '--map-root-user',
      '--net',
      'sh',
      '-c',
      'ip link set lo up && exec "$0" "$@"',
      command,
      ...args,
    ],
  };
}

/**
 * The environment the Pact tools run in: no usage tracking, and plugin downloads (pact-verifier fetches
 * a missing plugin from GitHub) sent to a proxy that refuses at once (nothing listens on port 9)
 * rather than left to time out resolving a name.
 */
export const pactEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PACT_DO_NOT_TRACK: 'true',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
};

/** Why this machine cannot run a command in a network namespace of its own, or null when it can. */
export async function isolationProblem(): Promise<string | null> {
  const { command, args } = isolated('true', []);
  const { code, output } = await runProcess(command, args);
  return code === 0 ? null : `unshare --net failed (${code}): ${output.trim()}`;
}

/** How Pact's Rust core takes a file: loaded, or refused with its error message. */
export type RustLoad = { loaded: true } | { loaded: false; error: string };

/**
 * The executable that node_modules/.bin/pact-verifier and pact-stub-server start (their Node wrappers
 * cost a Node start each; the load checks below run it directly, a hundred times).
 */
function pactExecutable(): string {
  const pkg = `pact-cli-${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  return fileURLToPath(
    new URL(`../../node_modules/@pact-foundation/${pkg}/standalone/pact`, import.meta.url),
  );
}

/**
 * Asks the real pact-verifier to load each file (in an isolated network, verifying no interaction:
 * the description filter `a^` matches nothing), in three batches at once, and reports which it refused.
 */
export async function rustLoads(paths: string[]): Promise<RustLoad[]> {
  const marker = '@@@ corpus file ';
  const script = `for f; do printf '\\n${marker}%s\\n' "$f"; "$PACT" verifier --file "$f" --hostname 127.0.0.1 --port 9 --filter-description 'a^' 2>&1; done`;
  const batches = [0, 1, 2].map((b) => paths.filter((_, i) => i % 3 === b));
  const outputs = await Promise.all(
    batches.map(async (batch) => {
      const { command, args } = isolated('sh', ['-c', script, 'sh', ...batch]);
      const env = { ...pactEnv, PACT: pactExecutable() };
      return (await runProcess(command, args, { env })).output;
    }),
  );
  const byFile = new Map<string, string>();
  for (const output of outputs)
    for (const section of output.split(marker).slice(1)) {
      const newline = section.indexOf('\n');
      byFile.set(section.slice(0, newline), section.slice(newline + 1));
    }
  return paths.map((path) => {
    const output = byFile.get(path);
    if (output === undefined) throw new Error(`pact-verifier did not run for ${path}`);
    // The error is coloured even with --no-colour, and part of it is written with escaped codes.
    const plain = output.replace(
      new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m|\\\\x1b\\[[0-9;]*m`, 'g'),
      '',
    );
    const refused = /Failed to load pact '[^']*' - (.*)/.exec(plain);
    return refused === null ? { loaded: true } : { loaded: false, error: refused[1]?.trim() ?? '' };
  });
}
/** Runs `task` over `items`, at most `limit` at once, and keeps the order of the results. */
export async function mapLimit<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
