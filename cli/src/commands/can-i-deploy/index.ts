import { TreatyError } from '@treaty/core';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';
import { brokerCall, brokerConnection, brokerFlags } from '../../broker-client.js';

const usage = `Usage: treaty can-i-deploy --pacticipant <name> (--version <v> | --latest [tag]) (--to-environment <env> | --to <tag>) --broker-base-url <url>

Asks the broker whether this version can be deployed: every integration it needs must have a
successful verification with the versions in the target. Exit 0 when deployable, 1 when not (in
every output mode).

Options:
  --pacticipant <name>          the application to deploy
  --version <version>           its version; or --latest (optionally --latest <tag>)
  --to-environment <env>        the environment to deploy to; or --to <tag> for tag-based workflows
  --retry-while-unknown <n>     ask again up to n times while results are missing
  --retry-interval <seconds>    between those attempts (default 10)
  --output table|json           default table
  --broker-base-url <url>       also PACT_BROKER_BASE_URL; --broker-token / --broker-username / --broker-password`;

interface MatrixAnswer {
  summary?: { deployable?: boolean | null; reason?: string };
  matrix?: Array<{ consumer: { name: string; version?: { number: string } }; provider: { name: string; version: { number: string } | null }; verificationResult: { success: boolean } | null }>;
}

/** `treaty can-i-deploy`. */
export const canIDeployCommand: Command = {
  name: 'can-i-deploy',
  summary: 'ask the broker whether a version can be deployed to an environment',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(
      args,
      {
        ...brokerFlags,
        pacticipant: { type: 'string' },
        version: { type: 'string' },
        latest: { type: 'boolean' },
        'to-environment': { type: 'string' },
        to: { type: 'string' },
        'retry-while-unknown': { type: 'string' },
        'retry-interval': { type: 'string' },
        output: { type: 'string' },
      },
      usage,
    );
    const conn = brokerConnection(values, io, usage);
    const pacticipant = values.pacticipant ?? '';
    if (pacticipant === '') throw new TreatyError('TREATY_CLI_USAGE', `--pacticipant is required.\n\n${usage}`);
    if ((values.version === undefined) === (values.latest !== true)) throw new TreatyError('TREATY_CLI_USAGE', `Give --version <v> or --latest.\n\n${usage}`);
    if ((values['to-environment'] === undefined) === (values.to === undefined)) throw new TreatyError('TREATY_CLI_USAGE', `Give --to-environment <env> or --to <tag>.\n\n${usage}`);
    const output = values.output ?? 'table';
    if (output !== 'table' && output !== 'json') throw new TreatyError('TREATY_CLI_USAGE', `--output must be table or json.`);
    const retries = Number(values['retry-while-unknown'] ?? 0);
    const interval = Number(values['retry-interval'] ?? 10);
    if (!Number.isInteger(retries) || retries < 0 || !(interval >= 0)) throw new TreatyError('TREATY_CLI_USAGE', '--retry-while-unknown takes a whole number and --retry-interval seconds.');
    const e = encodeURIComponent;
    const selector = `q[][pacticipant]=${e(pacticipant)}&${values.version === undefined ? 'q[][latest]=true' : `q[][version]=${e(values.version)}`}`;
    const target = values['to-environment'] === undefined ? `latest=true&tag=${e(values.to as string)}` : `environment=${e(values['to-environment'])}`;
    let answer: MatrixAnswer = {};
    for (let attempt = 0; ; attempt++) {
      answer = (await brokerCall(conn, 'GET', `/matrix?${selector}&latestby=cvpv&${target}`)).json as MatrixAnswer;
      if (answer.summary?.deployable !== null || attempt >= retries) break;
      if (output === 'table') io.stderr(`Waiting for verification results (${attempt + 1}/${retries})…\n`);
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
    const deployable = answer.summary?.deployable;
    if (output === 'json') io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
    else {
      const rows = (answer.matrix ?? []).map((r) => [r.consumer.name, r.consumer.version?.number ?? '?', r.provider.name, r.provider.version?.number ?? '(none)', r.verificationResult === null ? 'not verified' : r.verificationResult.success ? 'success' : 'FAILED']);
      if (rows.length > 0) {
        const head = ['CONSUMER', 'C.VERSION', 'PROVIDER', 'P.VERSION', 'RESULT'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
        for (const r of [head, ...rows]) io.stdout(`${r.map((c, i) => c.padEnd(widths[i] as number)).join('  ')}\n`);
        io.stdout('\n');
      }
      io.stdout(`${deployable === true ? 'Computer says yes \\o/' : deployable === false ? 'Computer says no ¯\\_(ツ)_/¯' : 'Computer says no: results are missing'}\n`);
      if (answer.summary?.reason !== undefined && answer.summary.reason !== '') io.stdout(`\n${answer.summary.reason}\n`);
    }
    return deployable === true ? 0 : 1;
  },
};
