/** Where a command writes. Tests pass their own; the binary passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** True when stderr is a terminal: progress may be drawn there. */
  isTTY?: boolean;
}

/**
 * The process's own streams, directory and environment. A reader that goes away (`treaty … | head`)
 * ends the command quietly, as Unix tools do, instead of crashing on EPIPE.
 */
export function processIo(): CliIo {
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: process.stderr.isTTY === true,
  };
}
