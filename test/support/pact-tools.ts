import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real Pact command-line tools installed from @pact-foundation/pact-cli, and Treaty's own CLI. */
export type PactTool = 'pact-broker' | 'pact-verifier' | 'treaty';

/**
 * Runs a real Pact tool with usage tracking off (it would otherwise try the network) and collects
 * its exit code and everything it printed.
 */
export function runPactTool(tool: PactTool, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const bin = fileURLToPath(new URL(tool === 'treaty' ? '../../cli/bin/treaty.js' : `../../node_modules/.bin/${tool}`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(tool === 'treaty' ? process.execPath : bin, tool === 'treaty' ? [bin, ...args] : args, { env: { ...process.env, PACT_DO_NOT_TRACK: 'true', ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}
