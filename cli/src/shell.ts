/**
 * How the commands Treaty prints for the user to paste (rerun lines, hints) start. `npx` finds the
 * project's local install; `--no` makes it refuse to download anything when there is none, for an
 * unrelated package named `treaty` exists on the npm registry and would be run instead.
 */
export const TREATY = 'npx --no treaty';

/** A string single-quoted for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A word as a POSIX shell reads it back unchanged: bare when it is plain, single-quoted otherwise. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : shellQuote(s);
}

/** A treaty command line to paste: `npx --no treaty <command> <args…>`, each argument quoted as needed. */
export function treatyLine(command: string, args: readonly string[]): string {
  return [TREATY, command, ...args.map(shellWord)].join(' ');
}
