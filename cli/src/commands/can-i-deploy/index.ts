import { TreatyError } from '@treaty/core';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';
import { brokerCall, brokerConnection, brokerFlags } from '../../broker-client.js';

const usage = `Usage: treaty can-i-deploy --pacticipant <name> (--version <v> | --latest [tag] | --branch <b> | --main-branch)
                           [--pacticipant <name> …] [--ignore <name> [--version <v>]]
                           [--to-environment <env> | --to <tag>] --broker-base-url <url>

Asks the broker whether these versions can be deployed: every integration they need must have a
successful verification with the versions in the target (or with each other, when several
pacticipants are given and no target). Exit 0 when deployable, 1 when not (in every output mode).

Options:
  --pacticipant <name>          an application to deploy (repeat for several)
  --version <version>           the version of the --pacticipant (or --ignore) just before it
  --latest [tag]                its latest version (optionally the latest with this tag)
  --branch <branch>             the versions on this branch (with --latest, the newest of them)
  --main-branch                 the latest version on its main branch
  --ignore <name>               leave this pacticipant (or, with --version, one version) out
  --to-environment <env>        the environment to deploy to; or --to <tag> for tag-based workflows
  --retry-while-unknown <n>     ask again up to n times while results are missing
  --retry-interval <seconds>    between those attempts (default 10)
  --dry-run                     show the answer but always exit 0
  --output table|json           default table
  --broker-base-url <url>       also PACT_BROKER_BASE_URL; --broker-token / --broker-username / --broker-password`;

/** One selector as the Pact CLI builds it: flags apply to the --pacticipant (or --ignore) before them. */
interface CliSelector {
  kind: 'q' | 'ignore';
  fields: Array<[string, string]>;
}

/**
 * Splits out the order-dependent selector flags (--pacticipant, --ignore, --version, --latest [tag],
 * --branch, --main-branch, --tag); everything else goes to the usual parser.
 */
function parseSelectors(args: string[]): { selectors: CliSelector[]; rest: string[] } {
  const selectors: CliSelector[] = [];
  const rest: string[] = [];
  const current = (flag: string): CliSelector => {
    const last = selectors[selectors.length - 1];
    if (last === undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `${flag} must come after the --pacticipant it belongs to.\n\n${usage}`,
      );
    return last;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new TreatyError('TREATY_CLI_USAGE', `${flag} needs a value.\n\n${usage}`);
      i++;
      return next;
    };
    switch (flag) {
      case '--pacticipant':
      case '-a':
        selectors.push({ kind: 'q', fields: [['pacticipant', value()]] });
        break;
      case '--ignore':
        selectors.push({ kind: 'ignore', fields: [['pacticipant', value()]] });
        break;
      case '--version':
      case '-e':
        current(flag).fields.push(['version', value()]);
        break;
      case '--latest':
      case '-l': {
        const sel = current(flag);
        sel.fields.push(['latest', 'true']);
        const next = args[i + 1];
        if (inline !== undefined) sel.fields.push(['tag', inline]);
        else if (next !== undefined && !next.startsWith('-')) {
          sel.fields.push(['tag', next]);
          i++;
        }
        break;
      }
      case '--branch':
        current(flag).fields.push(['branch', value()]);
        break;
      case '--tag':
        current(flag).fields.push(['tag', value()]);
        break;
      case '--main-branch':
        current(flag).fields.push(['mainBranch', 'true']);
        break;
      default:
        rest.push(arg);
    }
  }
  return { selectors, rest };
}

/** A blocking failed verification as the broker names it (Treaty brokers add it to the notice). */
interface NoticeFailure {
  consumer: string;
  consumerVersion: string;
  provider: string;
  providerVersion: string;
  interaction: string;
  mismatch?: { path: string; message: string };
  exception?: string;
  _links?: Record<string, { href: string } | undefined>;
}

interface MatrixAnswer {
  summary?: { deployable?: boolean | null; reason?: string };
  notices?: Array<{ type?: string; text?: string; failure?: NoticeFailure }>;
  matrix?: Array<{
    consumer: { name: string; version?: { number: string } };
    provider: { name: string; version: { number: string } | null };
    verificationResult: { success: boolean } | null;
    ignored?: boolean;
  }>;
}

/**
 * The failing interaction of each failed verification, its first mismatch and where to read the
 * rest, one block per failure (empty when the broker named none).
 */
function failureLines(answer: MatrixAnswer): string {
  return (answer.notices ?? [])
    .flatMap((n) => (n.failure === undefined ? [] : [n.failure]))
    .map((f) => {
      const why =
        f.mismatch !== undefined
          ? `${f.mismatch.path}: ${f.mismatch.message}`
          : (f.exception ?? 'no mismatch reported');
      const where = f._links?.['treaty:page']?.href ?? f._links?.['pb:verification-result']?.href;
      const pair = `${f.provider} ${f.providerVersion} × ${f.consumer} ${f.consumerVersion}`;
      return `✘ ${pair}: '${f.interaction}'\n    ${why}\n${where === undefined ? '' : `    details: ${where}\n`}`;
    })
    .join('');
}

/** `treaty can-i-deploy`. */
export const canIDeployCommand: Command = {
  name: 'can-i-deploy',
  summary: 'ask the broker whether a version can be deployed to an environment',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { selectors, rest } = parseSelectors(args);
    const { values } = parseCommandArgs(
      rest,
      {
        ...brokerFlags,
        'to-environment': { type: 'string' },
        to: { type: 'string' },
        'retry-while-unknown': { type: 'string' },
        'retry-interval': { type: 'string' },
        'dry-run': { type: 'boolean' },
        output: { type: 'string', short: 'o' },
      },
      usage,
    );
    const conn = brokerConnection(values, io, usage);
    const wanted = selectors.filter((s) => s.kind === 'q');
    if (wanted.length === 0)
      throw new TreatyError('TREATY_CLI_USAGE', `--pacticipant is required.\n\n${usage}`);
    for (const s of wanted) {
      if (
        !s.fields.some(([k]) => k === 'version' || k === 'latest' || k === 'branch' || k === 'mainBranch')
      ) {
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `Say which version of ${s.fields[0]?.[1] ?? ''}: --version <v>, --latest [tag], --branch <b> or --main-branch.\n\n${usage}`,
        );
      }
      if (s.fields.some(([k]) => k === 'version') && s.fields.some(([k]) => k === 'latest'))
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `Give --version or --latest for ${s.fields[0]?.[1] ?? ''}, not both.`,
        );
    }
    if (values['to-environment'] !== undefined && values.to !== undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `Give --to-environment <env> or --to <tag>, not both.\n\n${usage}`,
      );
    const output = values.output ?? 'table';
    if (output !== 'table' && output !== 'json')
      throw new TreatyError('TREATY_CLI_USAGE', `--output must be table or json.`);
    const retries = Number(values['retry-while-unknown'] ?? 0);
    const interval = Number(values['retry-interval'] ?? 10);
    // setTimeout cannot wait longer than 2^31-1 ms: a longer interval would not wait at all.
    if (!Number.isSafeInteger(retries) || retries < 0 || !(interval >= 0 && interval <= 2_147_483))
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        '--retry-while-unknown takes a whole number and --retry-interval seconds (at most 2147483).',
      );
    // The query the Pact CLI sends: selectors in order, then the target and how rows are reduced.
    const e = encodeURIComponent;
    const query = selectors.flatMap((s) => s.fields.map(([k, v]) => `${s.kind}[][${k}]=${e(v)}`));
    const environment = values['to-environment'];
    if (values.to !== undefined) query.push(`tag=${e(values.to)}`);
    query.push(`latestby=${environment !== undefined || wanted.length > 1 ? 'cvpv' : 'cvp'}`);
    if (environment !== undefined) query.push(`environment=${e(environment)}`);
    else if (wanted.length === 1) query.push('latest=true');
    let answer: MatrixAnswer = {};
    for (let attempt = 0; ; attempt++) {
      answer = (await brokerCall(conn, 'GET', `/matrix?${query.join('&')}`)).json as MatrixAnswer;
      if (answer.summary?.deployable !== null || attempt >= retries) break;
      if (output === 'table') io.stderr(`Waiting for verification results (${attempt + 1}/${retries})…\n`);
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
    const deployable = answer.summary?.deployable;
    if (output === 'json') io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
    else {
      const rows = (answer.matrix ?? []).map((r) => [
        r.consumer.name,
        r.consumer.version?.number ?? '?',
        r.provider.name,
        r.provider.version?.number ?? '(none)',
        `${r.verificationResult === null ? 'not verified' : r.verificationResult.success ? 'success' : 'FAILED'}${r.ignored === true ? ' (ignored)' : ''}`,
      ]);
      if (rows.length > 0) {
        const head = ['CONSUMER', 'C.VERSION', 'PROVIDER', 'P.VERSION', 'RESULT'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
        for (const r of [head, ...rows])
          io.stdout(`${r.map((c, i) => c.padEnd(widths[i] as number)).join('  ')}\n`);
        io.stdout('\n');
      }
      io.stdout(
        `${deployable === true ? 'Computer says yes \\o/' : deployable === false ? 'Computer says no ¯\\_(ツ)_/¯' : 'Computer says no: results are missing'}\n`,
      );
      if (answer.summary?.reason !== undefined && answer.summary.reason !== '')
        io.stdout(`\n${answer.summary.reason}\n`);
      const failures = failureLines(answer);
      if (failures !== '') io.stdout(`\nWhat failed:\n${failures}`);
    }
    return deployable === true || values['dry-run'] === true ? 0 : 1;
  },
};
