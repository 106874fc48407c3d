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

/**
 * The command that verifies a provider version and publishes the result, as the broker suggests it
 * for a missing verification: every required flag is there; the provider's URL, which only the
 * provider team knows, comes from PROVIDER_BASE_URL, and the shell stops with a message when it is unset.
 * @example verifyCommand('orders', '1.4.0', 'http://127.0.0.1:9292')
 */
export function verifyCommand(provider: string, providerVersion: string, brokerBaseUrl: string): string {
  return `${treatyLine('verify', [
    '--provider',
    provider,
    '--broker-base-url',
    brokerBaseUrl,
    '--provider-app-version',
    providerVersion,
    '--publish-verification-results',
  ])} --provider-base-url "\${PROVIDER_BASE_URL:?set it to the URL of the running provider}"`;
}
