import { commands } from './commands/index.js';

// `treaty --help` is printed here, as commander prints it, without loading commander: its modules
// took about a third of the command's time, and the list of commands is all this help shows.
// main.ts declares the same program on commander from the texts below; help.test.ts checks that both
// print the same at every width.

/** The `treaty` program's own texts: its usage, description, options and help command. */
export const PROGRAM = {
  usage: '<command> [options]',
  description: 'treaty — consumer-driven contract testing that speaks Pact',
  version: { flags: '-v, --version', description: 'print the version' },
  help: { flags: '-h, --help', description: 'show help (also: treaty <command> --help)' },
  helpCommand: { term: 'help [command]', description: 'show the help of a command' },
} as const;

// commander's Help: items are indented by 2, a term and its description are 2 apart, and nothing is
// wrapped into fewer than 40 columns.
const MIN_WIDTH_TO_WRAP = 40;

/** Wraps text at whitespace to `width` columns, keeping its line breaks (commander's `boxWrap`). */
function wrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  return text
    .split(/\r\n|\n/)
    .map((line) => {
      const [first, ...chunks] = line.match(/\s*\S+/g) ?? [''];
      const lines: string[] = [];
      let current = first as string;
      for (const chunk of chunks) {
        if (current.length + chunk.length <= width) current += chunk;
        else {
          lines.push(current);
          current = chunk.trimStart();
        }
      }
      lines.push(current);
      return lines.join('\n');
    })
    .join('\n');
}

/** A term padded to `termWidth`, then its description wrapped beside it (commander's `formatItem`). */
function item(term: string, termWidth: number, description: string, width: number): string {
  if (description === '') return `  ${term}`;
  const remaining = width - termWidth - 4;
  const text =
    remaining < MIN_WIDTH_TO_WRAP || /\n[^\S\r\n]/.test(description)
      ? description
      : wrap(description, remaining).replace(/\n/g, `\n${' '.repeat(termWidth + 2)}`);
  return `  ${term.padEnd(termWidth)}  ${text.replace(/\n/g, '\n  ')}`;
}

/**
 * `treaty --help` for a terminal `width` columns wide (80 when standard output is not a terminal).
 * @example process.stdout.write(programHelp(process.stdout.columns ?? 80))
 */
export function programHelp(width: number): string {
  const options = [PROGRAM.version, PROGRAM.help].map((o) => ({ term: o.flags, text: o.description }));
  const subcommands = [
    ...commands.map((c) => ({ term: c.name, text: c.summary })),
    { term: PROGRAM.helpCommand.term, text: PROGRAM.helpCommand.description },
  ];
  const termWidth = Math.max(...[...options, ...subcommands].map((i) => i.term.length));
  const list = (heading: string, items: { term: string; text: string }[]) => [
    heading,
    ...items.map((i) => item(i.term, termWidth, i.text, width)),
    '',
  ];
  return [
    `Usage: treaty ${PROGRAM.usage}`,
    '',
    wrap(PROGRAM.description, width),
    '',
    ...list('Options:', options),
    ...list('Commands:', subcommands),
  ].join('\n');
}
