import { fileURLToPath } from 'node:url';
import { runProcess } from './process.js';

/** The real Pact command-line tools installed from @pact-foundation/pact-cli, and Treaty's own CLI. */
export type PactTool = 'pact-broker' | 'pact-verifier' | 'pactflow' | 'treaty';

/**
 * Runs a real Pact tool with usage tracking off (it would otherwise try the network) and collects
 * its exit code and everything it printed.
 */
export function runPactTool(
  tool: PactTool,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const bin = fileURLToPath(
    new URL(
      tool === 'treaty' ? '../../cli/bin/treaty.js' : `../../node_modules/.bin/${tool}`,
      import.meta.url,
    ),
  );
  const options = { env: { ...process.env, PACT_DO_NOT_TRACK: 'true', ...env } };
  return tool === 'treaty'
    ? runProcess(process.execPath, [bin, ...args], options)
    : runProcess(bin, args, options);
}
