import { processIo } from './io.js';
import { VERSION } from './version.js';

const args = process.argv.slice(2);
const io = processIo();
// `treaty --version` alone needs only the number, not the command-line parser (main() prints the
// same for these two). No top-level await: with one, rolldown keeps each shared module in a file of
// its own (scripts/bundle.mjs).
const only = args.length === 1 ? args[0] : undefined;
if (only === '--version' || only === '-v') io.stdout(`${VERSION}\n`);
// `treaty --help` needs the commands' names, not the parser either; its width is commander's.
else if (only === '--help' || only === '-h')
  void import('./help.js').then(({ programHelp }) =>
    io.stdout(programHelp((process.stdout.isTTY ? process.stdout.columns : undefined) ?? 80)),
  );
else
  void import('./main.js').then(async ({ main }) => {
    process.exitCode = await main(args, io);
  });
