import { TreatyError, isTreatyError } from '@treaty/core';
import type { Command } from './command.js';
import type { CliIo } from './io.js';
import { validateCommand } from './commands/validate/index.js';
import { verifyCommand } from './commands/verify/index.js';
import { brokerCommand } from './commands/broker/index.js';
import { publishCommand } from './commands/publish/index.js';
import { canIDeployCommand } from './commands/can-i-deploy/index.js';
import { brokerClientCommands } from './commands/broker-client/index.js';
import { commandRedactor } from './secrets.js';

/** Every command, in the order `treaty --help` lists them. */
export const commands: readonly Command[] = [
  verifyCommand,
  publishCommand,
  canIDeployCommand,
  ...brokerClientCommands,
  brokerCommand,
  validateCommand,
];

const version = '0.1.0';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'treaty — consumer-driven contract testing that speaks Pact',
    '',
    'Usage: treaty <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also: treaty <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

/**
 * Runs the `treaty` command line and resolves to its exit code; never calls process.exit.
 * @example await main(['validate', 'pacts/web-orders.json'], processIo())
 */
export async function main(argv: readonly string[], given: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  // Whatever a command prints passes through one redactor: no credential from the command line or
  // the environment reaches a terminal or a CI log.
  const redactor = commandRedactor(rest, given.env);
  const io: CliIo = {
    ...given,
    stdout: (text) => given.stdout(redactor.text(text)),
    stderr: (text) => given.stderr(redactor.text(text)),
  };
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(helpText());
    return name === undefined ? 1 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout(`${version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    // No shell can pass a NUL byte; a program that does would have it cut short by the C APIs below
    // (a path, a host name), so that a different file or address is used than the one named.
    const nul = argv.findIndex((a) => a.includes('\0'));
    if (nul !== -1)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `Argument ${nul + 1} contains a NUL byte; no name, path or URL may contain one.`,
      );
    if (command === undefined) {
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `Unknown command '${name}'. Run 'treaty --help' to see the commands: ${commands.map((c) => c.name).join(', ')}.`,
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io, rest.includes('--json'));
  }
}

/** Prints an error without a stack trace when it is the user's to fix, and picks the exit code. */
function reportError(error: unknown, io: CliIo, json: boolean): number {
  if (isTreatyError(error)) {
    if (json) io.stdout(`${JSON.stringify({ error: error.toJSON() })}\n`);
    else io.stderr(`treaty: ${error.message} [${error.code}]\n`);
    if (error.kind === 'internal' && error.stack !== undefined) io.stderr(`${error.stack}\n`);
    // Usage and configuration mistakes exit 2, as the Pact tools do; everything else the user must fix exits
    // 1.
    return error.code === 'TREATY_CLI_USAGE' || error.code === 'TREATY_VERIFY_CONFIG' ? 2 : 1;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`treaty: unexpected internal error; please report it [TREATY_INTERNAL]\n${detail}\n`);
  return 70;
}
