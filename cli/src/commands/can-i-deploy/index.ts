import { type Command as Cli, Option } from '../../commander.js';
import { TreatyError, mismatchLine } from '@treaty/core/provider';
import type { Command, Invocation } from '../../command.js';
import type { CliIo } from '../../io.js';
import { brokerCall, brokerConnection } from '../../broker-client.js';
import { brokerOptions, flag, outputFormat, outputOptions, text } from '../../options.js';

const description = `Asks the broker whether these versions can be deployed: every integration they need must have a
successful verification with the versions in the target (or with each other, when several
pacticipants are given and no target). Exit 0 when deployable, 1 when not (in every output mode).
--version, --latest, --branch and --main-branch belong to the --pacticipant (or --ignore) before them.`;

/** One selector as the Pact CLI builds it: flags apply to the --pacticipant (or --ignore) before them. */
interface CliSelector {
  kind: 'q' | 'ignore';
  fields: Array<[string, string]>;
}

/**
 * Declares the options. The order-dependent selector options (--pacticipant, --ignore, --version,
 * --latest [tag], --branch, --main-branch, --tag) each add to the selector list as they are parsed.
 */
function define(cli: Cli): void {
  // In the order given: commander calls the parsers in that order. Run reads them as `selectors`.
  const selectors: CliSelector[] = [];
  cli.setOptionValue('selectors', selectors);
  const current = (option: string): CliSelector => {
    const last = selectors[selectors.length - 1];
    if (last === undefined)
      throw new TreatyError('TREATY_CLI_USAGE', `${option} must come after the --pacticipant it belongs to.`);
    return last;
  };
  const selector = (flags: string, help: string, add: (value: string | true) => void): Option =>
    new Option(flags, help).argParser((value: string) => {
      add(value);
      return value;
    });
  const field = (option: string, key: string) => (value: string | true) =>
    current(option).fields.push([key, value === true ? 'true' : value]);
  cli
    .usage(
      '--pacticipant <name> (--version <v> | --latest [tag] | --branch <b> | --main-branch) ... [--to-environment <env> | --to <tag>] --broker-base-url <url>',
    )
    .description(description)
    .addOption(
      selector('-a, --pacticipant <name>', 'an application to deploy (repeat for several)', (name) =>
        selectors.push({ kind: 'q', fields: [['pacticipant', String(name)]] }),
      ),
    )
    .addOption(
      selector(
        '-e, --version <version>',
        'the version of the --pacticipant (or --ignore) just before it',
        field('--version', 'version'),
      ),
    )
    .addOption(
      new Option('-l, --latest [tag]', 'its latest version (optionally the latest with this tag)').argParser(
        (tag: string) => {
          current('--latest').fields.push(['latest', 'true'], ['tag', tag]);
          return tag;
        },
      ),
    )
    .addOption(
      selector(
        '--branch <branch>',
        'the versions on this branch (with --latest, the newest of them)',
        field('--branch', 'branch'),
      ),
    )
    .addOption(selector('--tag <tag>', 'the versions with this tag', field('--tag', 'tag')))
    .option('--main-branch', 'the latest version on its main branch')
    .addOption(
      selector('--ignore <name>', 'leave this pacticipant (or, with --version, one version) out', (name) =>
        selectors.push({ kind: 'ignore', fields: [['pacticipant', String(name)]] }),
      ),
    )
    .option('--to-environment <env>', 'the environment to deploy to')
    .option('--to <tag>', 'the tag to deploy to (tag-based workflows)')
    .option('--retry-while-unknown <n>', 'ask again up to n times while results are missing')
    .option('--retry-interval <seconds>', 'between those attempts (default 10)')
    .option('--dry-run', 'show the answer but always exit 0');
  // A bare --latest or --main-branch has no value for a parser to see: commander reports them as events.
  cli.on('option:latest', (tag: unknown) => {
    if (tag === null || tag === undefined) current('--latest').fields.push(['latest', 'true']);
  });
  cli.on('option:main-branch', () => current('--main-branch').fields.push(['mainBranch', 'true']));
  outputOptions(cli, ['table', 'json']);
  brokerOptions(cli);
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
          ? mismatchLine(f.mismatch.path, f.mismatch.message)
          : (f.exception ?? 'no mismatch reported');
      const where = f._links?.['treaty:page']?.href ?? f._links?.['pb:verification-result']?.href;
      const pair = `${f.provider} ${f.providerVersion} × ${f.consumer} ${f.consumerVersion}`;
      return `✘ ${pair}: '${f.interaction}'\n    ${why}\n${where === undefined ? '' : `    details: ${where}\n`}`;
    })
    .join('');
}

/** `treaty can-i-deploy`. */
export const canIDeployCommand: Command = {
  define,
  async run({ values }: Invocation, io: CliIo): Promise<number> {
    const selectors = Array.isArray(values.selectors) ? (values.selectors as CliSelector[]) : [];
    const conn = brokerConnection(values);
    const wanted = selectors.filter((s) => s.kind === 'q');
    if (wanted.length === 0) throw new TreatyError('TREATY_CLI_USAGE', '--pacticipant is required.');
    for (const s of wanted) {
      if (
        !s.fields.some(([k]) => k === 'version' || k === 'latest' || k === 'branch' || k === 'mainBranch')
      ) {
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `Say which version of ${s.fields[0]?.[1] ?? ''}: --version <v>, --latest [tag], --branch <b> or --main-branch.`,
        );
      }
      if (s.fields.some(([k]) => k === 'version') && s.fields.some(([k]) => k === 'latest'))
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `Give --version or --latest for ${s.fields[0]?.[1] ?? ''}, not both.`,
        );
    }
    const to = text(values, 'to');
    if (text(values, 'toEnvironment') !== undefined && to !== undefined)
      throw new TreatyError('TREATY_CLI_USAGE', 'Give --to-environment <env> or --to <tag>, not both.');
    const output = outputFormat(values, ['table', 'json'], io);
    const retries = Number(text(values, 'retryWhileUnknown') ?? 0);
    const interval = Number(text(values, 'retryInterval') ?? 10);
    // setTimeout cannot wait longer than 2^31-1 ms: a longer interval would not wait at all.
    if (!Number.isSafeInteger(retries) || retries < 0 || !(interval >= 0 && interval <= 2_147_483))
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        '--retry-while-unknown takes a whole number and --retry-interval seconds (at most 2147483).',
      );
    // The query the Pact CLI sends: selectors in order, then the target and how rows are reduced.
    const e = encodeURIComponent;
    const query = selectors.flatMap((s) => s.fields.map(([k, v]) => `${s.kind}[][${k}]=${e(v)}`));
    const environment = text(values, 'toEnvironment');
    if (to !== undefined) query.push(`tag=${e(to)}`);
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
    return deployable === true || flag(values, 'dryRun') ? 0 : 1;
  },
};
