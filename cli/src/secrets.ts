import { Redactor } from '@treaty/core/provider';

const secretFlags = new Set(['--broker-token', '--broker-password']);

/** Each value of `flag` in the arguments, written as `--flag value` or `--flag=value`. */
function flagValues(args: readonly string[], flags: (flag: string) => boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!flags(flag)) continue;
    if (eq !== -1) out.push([flag, arg.slice(eq + 1)]);
    else if (args[i + 1] !== undefined) out.push([flag, args[++i] as string]);
  }
  return out;
}

/** `Name: value` split at its first colon, or undefined when there is none. */
export function splitHeader(text: string): [string, string] | undefined {
  const i = text.indexOf(':');
  return i <= 0 ? undefined : [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

/**
 * The redactor for one command line: it hides the broker token and password (from flags or
 * PACT_BROKER_TOKEN / PACT_BROKER_PASSWORD) and every credential-bearing --custom-header, wherever
 * they would be printed or written.
 */
export function commandRedactor(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Redactor {
  const headers: Record<string, string> = {};
  for (const [, h] of flagValues(args, (f) => f === '--custom-header')) {
    const pair = splitHeader(h);
    if (pair !== undefined) headers[pair[0]] = pair[1];
  }
  const username = flagValues(args, (f) => f === '--broker-username')[0]?.[1] ?? env.PACT_BROKER_USERNAME;
  const password = flagValues(args, (f) => f === '--broker-password')[0]?.[1] ?? env.PACT_BROKER_PASSWORD;
  return new Redactor({
    secrets: [
      env.PACT_BROKER_TOKEN,
      env.PACT_BROKER_PASSWORD,
      ...flagValues(args, (f) => secretFlags.has(f)).map(([, v]) => v),
      ...(username === undefined
        ? []
        : [`Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`]),
    ],
    headers,
  });
}
