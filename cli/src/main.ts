import { Command as Cli, CommanderError } from './commander.js';
import type { CliIo } from './io.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { PROGRAM } from './help.js';
import { VERSION } from './version.js';

// The one entry: it parses the command line with commander, runs the command, and maps every error
// to a message and an exit code. It imports neither the commands nor @treaty/core up front, so that
// `treaty --version` and `treaty --help` stay fast: a command's module loads only when it runs, and
// what the CLI itself needs of core comes from @treaty/core/provider, about half of core.

/** `Usage: …` and where to see more, printed under a usage error instead of the whole help. */
async function usageLines(cli: Cli): Promise<string> {
  const { TREATY } = await import('@treaty/core/provider');
  const sub = cli.parent !== null;
  const name = sub ? `treaty ${cli.name()}` : 'treaty';
  const help = sub ? `${TREATY} ${cli.name()} --help` : `${TREATY} --help`;
  return `Usage: ${name} ${cli.usage()}\n${sub ? 'Every option' : 'The commands'}: ${help}\n`;
}

/**
 * The known name a mistyped one was meant to be, when commander (which suggests within an edit
 * distance of 3) found none: the shortest name it is the start of (`--provider-states-setup`).
 */
function completion(error: CommanderError, cli: Cli): string | undefined {
  const typed = /^error: unknown (?:option|command) '([^']+)'$/.exec(error.message)?.[1];
  if (typed === undefined || typed.length < 3) return undefined;
  const known =
    error.code === 'commander.unknownOption'
      ? cli.options.flatMap((o) => (o.long === undefined || o.hidden ? [] : [o.long]))
      : cli.commands.map((c) => c.name());
  return known.filter((k) => k.startsWith(typed)).sort((a, b) => a.length - b.length)[0];
}

/** Commander's message for a usage mistake, as a sentence of ours, with its `did you mean`. */
function usageMessage(error: CommanderError, cli: Cli): string {
  const guess = completion(error, cli);
  const text = `${error.message}${guess === undefined ? '' : `\n(Did you mean ${guess}?)`}`
    .replace(/^error: /, '')
    .replace(/\s*\(Did you mean (?:one of )?(.+?)\?\)\s*$/s, ' — did you mean $1?');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * The program: every command's name and summary; `load` adds one command's options. (The binary
 * prints `treaty --help` from help.ts without it.)
 */
function program(io: CliIo): Cli {
  const cli = new Cli('treaty')
    .description(PROGRAM.description)
    .usage(PROGRAM.usage)
    .version(VERSION, PROGRAM.version.flags, PROGRAM.version.description)
    .helpOption(PROGRAM.help.flags, PROGRAM.help.description)
    .helpCommand(PROGRAM.helpCommand.term, PROGRAM.helpCommand.description)
    // Options after a command's name are that command's: `can-i-deploy --version 1` is not ours.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // Errors are printed by reportError, with their code and the usage line.
      outputError: () => undefined,
    });
  for (const c of commands) cli.command(c.name).summary(c.summary);
  return cli;
}

/** True when a command line asks for JSON output, so that its error is printed as JSON too. */
function wantsJson(args: readonly string[]): boolean {
  return args.some(
    (a, i) =>
      a === '--json' || a === '--output=json' || ((a === '--output' || a === '-o') && args[i + 1] === 'json'),
  );
}

/**
 * Runs the `treaty` command line and resolves to its exit code; never calls process.exit.
 * @example await main(['validate', 'pacts/web-orders.json'], processIo())
 */
export async function main(argv: readonly string[], given: CliIo): Promise<number> {
  let io = given;
  const cli = program(given);
  let current: Cli = cli;
  try {
    // No shell can pass a NUL byte; a program that does would have it cut short by the C APIs below
    // (a path, a host name), so that a different file or address is used than the one named.
    const nul = argv.findIndex((a) => a.includes('\0'));
    if (nul !== -1) {
      const { TreatyError } = await import('@treaty/core/provider');
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `Argument ${nul + 1} contains a NUL byte; no name, path or URL may contain one.`,
      );
    }
    const name = argv[0] === 'help' ? argv[1] : argv[0];
    const entry = commands.find((c) => c.name === name);
    let exitCode = 0;
    if (entry !== undefined) {
      const sub = cli.commands.find((c) => c.name() === entry.name) as Cli;
      const [command, { commandRedactor }] = await Promise.all([entry.load(), import('./secrets.js')]);
      // Whatever a command prints passes through one redactor: no credential from the command line
      // or the environment reaches a terminal or a CI log.
      const redactor = commandRedactor(argv.slice(1), given.env);
      io = {
        ...given,
        stdout: (text) => given.stdout(redactor.text(text)),
        stderr: (text) => given.stderr(redactor.text(text)),
      };
      sub.configureOutput({ ...sub.configureOutput(), writeOut: io.stdout, writeErr: io.stderr });
      current = sub;
      define(sub, command, io, argv.slice(1), (code) => {
        exitCode = code;
      });
    }
    await cli.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.version' || error.code === 'commander.helpDisplayed') return 0;
      // `treaty` alone: the help, on stderr, as a usage error.
      if (error.code === 'commander.help') return 2;
      const { TreatyError } = await import('@treaty/core/provider');
      return reportError(
        new TreatyError('TREATY_CLI_USAGE', usageMessage(error, current)),
        io,
        wantsJson(argv),
        await usageLines(current),
      );
    }
    return reportError(error, io, wantsJson(argv), await usageLines(current));
  }
}

/**
 * Joins the lines of each paragraph of a description written to fit the source's columns, so that
 * commander wraps it to the terminal's width; paragraphs and indented or bulleted lines stay as written.
 */
function reflow(text: string): string {
  return text
    .split('\n\n')
    .map((p) => (/\n[\s-]/.test(p) ? p : p.replace(/\n/g, ' ')))
    .join('\n\n');
}

/** Declares a command on its commander command and runs it as its action. */
function define(
  sub: Cli,
  command: Command,
  io: CliIo,
  args: readonly string[],
  done: (code: number) => void,
): void {
  command.define(sub);
  sub.description(reflow(sub.description()));
  sub.action(async () => {
    const { applyEnv } = await import('./options.js');
    applyEnv(sub, io.env);
    done(await command.run({ values: sub.opts(), operands: [...sub.args], args }, io));
  });
}

/** Prints an error without a stack trace when it is the user's to fix, and picks the exit code. */
async function reportError(error: unknown, io: CliIo, json: boolean, usage: string): Promise<number> {
  const { isTreatyError } = await import('@treaty/core/provider');
  if (isTreatyError(error)) {
    if (json) io.stdout(`${JSON.stringify({ error: error.toJSON() })}\n`);
    else io.stderr(`treaty: ${error.message} [${error.code}]\n`);
    if (error.code === 'TREATY_CLI_USAGE' && !json) io.stderr(usage);
    if (error.kind === 'internal' && error.stack !== undefined) io.stderr(`${error.stack}\n`);
    // Mistakes in the command line exit 2, as the Pact tools do; everything else the user must fix
    // exits 1.
    return error.code === 'TREATY_CLI_USAGE' ||
      error.code === 'TREATY_VERIFY_CONFIG' ||
      error.code === 'TREATY_CLI_FILE_NOT_FOUND'
      ? 2
      : 1;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`treaty: unexpected internal error; please report it [TREATY_INTERNAL]\n${detail}\n`);
  return 70;
}
