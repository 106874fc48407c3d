import type { CliIo } from './io.js';

/** One `treaty` command: its name, a one-line summary, its help text, and how it runs. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run: (args: string[], io: CliIo) => Promise<number>;
}
