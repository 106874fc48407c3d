import type { Command as Cli } from 'commander';
import { TreatyError } from '@treaty/core';
import type { Command, OptionValues } from '../../command.js';
import type { CliIo } from '../../io.js';
import { brokerConnection, type BrokerConnection } from '../../broker-client.js';
import { brokerOptions, outputFormat, outputOptions, text } from '../../options.js';

// What every broker client command shares: its options, its output and its required values.

/** A string option that must be given and not blank. */
export function required(values: OptionValues, key: string, option: string): string {
  const value = text(values, key);
  if (value === undefined || value.trim() === '')
    throw new TreatyError('TREATY_CLI_USAGE', `${option} is required.`);
  return value;
}

/** What a broker client command prints: the broker's answer as JSON, or a line of text. */
export type Printer = (value: unknown, line: string) => number;

/**
 * A broker client command: its usage line, its own options (the broker and output options are
 * added), and what it does with the connection.
 */
export function command(
  usage: string,
  options: (cli: Cli) => void,
  run: (
    values: OptionValues,
    conn: BrokerConnection,
    print: Printer,
    operands: readonly string[],
  ) => Promise<number>,
): Command {
  return {
    define(cli) {
      cli.usage(usage);
      options(cli);
      outputOptions(cli, ['table', 'json']);
      brokerOptions(cli);
    },
    async run({ values, operands }, io: CliIo) {
      // `text` was the table format's name before every command said `table`.
      const json = outputFormat(values, ['table', 'json'], io, { text: 'table' }) === 'json';
      const print: Printer = (value, line) => {
        io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${line}\n`);
        return 0;
      };
      return run(values, brokerConnection(values), print, operands);
    },
  };
}
