import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs a command without blocking this process (so servers started by the test keep answering),
 * and collects its exit code and everything it printed: stdout and stderr interleaved, and each apart.
 */
export function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; output: string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let output = '';
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, output, stdout, stderr }));
  });
}

/** A `treaty broker` process started by a test, and the URL it listens on. */
export interface BrokerProcess {
  child: ChildProcess;
  url: string;
}

const treatyBin = fileURLToPath(new URL('../../cli/bin/treaty.js', import.meta.url));

/**
 * Starts the built `treaty broker` on a free port with the database given (and any other flags), and
 * resolves once it says where it listens.
 */
export function startBrokerProcess(database: string, args: string[] = []): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [
    treatyBin,
    'broker',
    '--port',
    '0',
    '--database',
    database,
    ...args,
  ]);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve({ child, url: m[1] });
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', () => reject(new Error(`broker exited: ${out}`)));
  });
}
