import { afterEach, describe, expect, it } from 'vitest';
import { programHelp } from './help.js';
import { main } from './main.js';

// The binary prints `treaty --help` from programHelp() without loading commander; main() prints it
// through commander. Both must print the same text at every terminal width: commander wraps to the
// width of standard output when it is a terminal, and to 80 columns otherwise.

const stdout = process.stdout as { isTTY?: boolean; columns?: number };
const saved = { isTTY: stdout.isTTY, columns: stdout.columns };
afterEach(() => {
  stdout.isTTY = saved.isTTY;
  stdout.columns = saved.columns;
});

/** What main(['--help']) prints, with standard output a terminal `columns` wide (or not a terminal). */
async function commanderHelp(columns: number | undefined): Promise<string> {
  stdout.isTTY = columns !== undefined;
  stdout.columns = columns;
  let out = '';
  const code = await main(['--help'], {
    stdout: (text) => {
      out += text;
    },
    stderr: () => undefined,
    cwd: process.cwd(),
    env: {},
  });
  expect(code).toBe(0);
  return out;
}

describe('treaty --help without commander', () => {
  it('prints what commander prints, at every width from too narrow to wrap to wider than any line', async () => {
    for (let width = 20; width <= 140; width++)
      expect(programHelp(width), `${width} columns`).toBe(await commanderHelp(width));
  });

  it('wraps to 80 columns when standard output is not a terminal, as the binary calls it', async () => {
    const help = await commanderHelp(undefined);
    expect(programHelp(80)).toBe(help);
    expect(help).toContain('\n  create-webhook                create a webhook: the broker calls a URL (a\n');
    expect(Math.max(...help.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });
});
