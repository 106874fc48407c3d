import type { Command as Cli } from 'commander';
import type { CliIo } from './io.js';

/** A command's option values after parsing, by commander's camelCase names (`providerBaseUrl`). */
export type OptionValues = Readonly<Record<string, unknown>>;

/** One parsed `treaty <command> …` command line. */
export interface Invocation {
  values: OptionValues;
  /** The arguments that are not options (contract files, for example). */
  operands: string[];
  /** The arguments after the command's name, as given (rerun lines and redaction read them). */
  args: readonly string[];
}

/** One `treaty` command: what it takes, declared on its commander command, and how it runs. */
export interface Command {
  /** Declares the command's usage line, description, options and operands. */
  define: (cli: Cli) => void;
  /** Runs the parsed command line; resolves to the exit code. */
  run: (call: Invocation, io: CliIo) => Promise<number>;
}

/** A command as `treaty --help` lists it; its module is imported only when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}
