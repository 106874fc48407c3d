import { type Command as Cli, Option } from './commander.js';
import { TreatyError } from '@treaty/core/provider';
import type { OptionValues } from './command.js';
import type { CliIo } from './io.js';

// The options several commands share, declared once, and the readers of parsed values.

const envVariables = new WeakMap<Option, string>();

/**
 * An option that falls back to an environment variable, as commander's `.env()` does, but read from
 * the CliIo's environment (see {@link applyEnv}) so that a program embedding the CLI passes its own.
 */
export function envOption(flags: string, description: string, variable: string): Option {
  const option = new Option(flags, `${description} (env: ${variable})`);
  envVariables.set(option, variable);
  return option;
}

/** Sets each option not given on the command line from its environment variable, when that is set. */
export function applyEnv(cli: Cli, env: CliIo['env']): void {
  for (const option of cli.options) {
    const variable = envVariables.get(option);
    const value = variable === undefined ? undefined : env[variable];
    const key = option.attributeName();
    if (value === undefined || cli.getOptionValueSource(key) === 'cli') continue;
    cli.setOptionValueWithSource(key, option.isBoolean() ? value === 'true' : value, 'env');
  }
}

/** An option that may be given several times; its value is the list, in order. */
export function repeatable(flags: string, description: string): Option {
  return new Option(flags, `${description} (repeatable)`).argParser((value: string, list: unknown) => [
    ...(Array.isArray(list) ? (list as string[]) : []),
    value,
  ]);
}

/**
 * An option that may be given several times and falls back to an environment variable; its value is the
 * list given, or the variable's text as one item.
 */
export function repeatableEnvOption(flags: string, description: string, variable: string): Option {
  const option = repeatable(flags, `${description} (env: ${variable})`);
  envVariables.set(option, variable);
  return option;
}

/** A string option's value, or undefined. */
export function text(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable option's values (empty when not given; one item when it came from the environment). */
export function texts(values: OptionValues, key: string): string[] {
  const value = values[key];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether a boolean option was given. */
export function flag(values: OptionValues, key: string): boolean {
  return values[key] === true;
}

/** The broker options every broker command takes, with the Pact CLI's environment variables. */
export function brokerOptions(cli: Cli): void {
  cli
    .addOption(envOption('--broker-base-url <url>', 'the broker', 'PACT_BROKER_BASE_URL'))
    .addOption(envOption('--broker-token <token>', 'bearer token for the broker', 'PACT_BROKER_TOKEN'))
    .addOption(
      envOption('--broker-username <name>', 'basic auth user for the broker', 'PACT_BROKER_USERNAME'),
    )
    .addOption(envOption('--broker-password <password>', 'basic auth password', 'PACT_BROKER_PASSWORD'));
}

/** What `--output` names: how a command prints its result. */
export type Format = 'table' | 'json' | 'junit';

/** Declares `-o, --output <format>` and `--json` (its alias for `--output json`). */
export function outputOptions(cli: Cli, formats: readonly Format[], json = 'same as --output json'): void {
  cli
    .option('-o, --output <format>', `output format: ${formats.join(', ')} (default table)`)
    .option('--json', json);
}

/** Prints the one warning line for a spelling that still works but will go. */
export function deprecated(io: CliIo, old: string, now: string): void {
  io.stderr(`treaty: warning: ${old} is deprecated and goes in the next release; use ${now}\n`);
}

/**
 * The format `--output` / `--json` ask for (table when neither is given). `renamed` maps the old
 * names of a format, which still work with a warning, to the new ones.
 */
export function outputFormat(
  values: OptionValues,
  formats: readonly Format[],
  io: CliIo,
  renamed: Readonly<Record<string, Format>> = {},
): Format {
  let output = text(values, 'output');
  const now = output === undefined ? undefined : renamed[output];
  if (now !== undefined) {
    deprecated(io, `--output ${output}`, `--output ${now}`);
    output = now;
  }
  if (flag(values, 'json')) {
    if (output !== undefined && output !== 'json')
      throw new TreatyError('TREATY_CLI_USAGE', `Give --output ${output} or --json, not both.`);
    return 'json';
  }
  if (output === undefined) return 'table';
  const format = formats.find((f) => f === output);
  if (format === undefined)
    throw new TreatyError('TREATY_CLI_USAGE', `--output must be ${formats.join(', ')}; got '${output}'.`);
  return format;
}
