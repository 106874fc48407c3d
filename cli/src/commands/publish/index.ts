import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TreatyError, parseContract } from '@treaty/core';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';
import { brokerCall, brokerConnection, brokerFlags } from '../../broker-client.js';

const usage = `Usage: treaty publish <file-or-dir>... --consumer-app-version <version> --broker-base-url <url> [options]

Publishes contract files to a broker, one request per consumer version (all its pacts at once).

Options:
  --consumer-app-version <version>  the consumer version these contracts belong to (e.g. a git sha)
  --branch <branch>                 the consumer's branch (lets selectors such as mainBranch find it)
  --tag <tag>                       tag the version (repeatable)
  --build-url <url>                 a link to the CI build
  --broker-base-url <url>           also PACT_BROKER_BASE_URL; --broker-token / --broker-username / --broker-password
  --json                            print the broker's answers as JSON`;

async function files(paths: string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const full = resolve(cwd, p);
    const info = await stat(full).catch(() => {
      throw new TreatyError('TREATY_CLI_FILE_NOT_FOUND', `Cannot read '${p}': no such file or directory.`);
    });
    if (!info.isDirectory()) out.push(full);
    else
      out.push(
        ...(await readdir(full))
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(full, f)),
      );
  }
  if (out.length === 0)
    throw new TreatyError('TREATY_CLI_USAGE', `No .json contract files in ${paths.join(', ')}.`);
  return out;
}

/** `treaty publish`. */
export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish contract files to a broker for a consumer version',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        ...brokerFlags,
        'consumer-app-version': { type: 'string' },
        branch: { type: 'string' },
        tag: { type: 'string', multiple: true },
        'build-url': { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const version = values['consumer-app-version'];
    if (version === undefined || version.trim() === '')
      throw new TreatyError('TREATY_CLI_USAGE', `--consumer-app-version is required.\n\n${usage}`);
    if (positionals.length === 0)
      throw new TreatyError('TREATY_CLI_USAGE', `Name the contract files or folders to publish.\n\n${usage}`);
    const conn = brokerConnection(values, io, usage);
    const byConsumer = new Map<
      string,
      Array<{
        consumerName: string;
        providerName: string;
        specification: 'pact';
        contentType: 'application/json';
        content: string;
      }>
    >();
    for (const file of await files(positionals, io.cwd)) {
      const text = await readFile(file, 'utf8');
      const contract = parseContract(text);
      const list = byConsumer.get(contract.consumer.name) ?? [];
      list.push({
        consumerName: contract.consumer.name,
        providerName: contract.provider.name,
        specification: 'pact',
        contentType: 'application/json',
        content: Buffer.from(text).toString('base64'),
      });
      byConsumer.set(contract.consumer.name, list);
    }
    let failed = false;
    const answers: unknown[] = [];
    for (const [consumer, contracts] of byConsumer) {
      const { status, json } = await brokerCall(conn, 'POST', '/contracts/publish', {
        pacticipantName: consumer,
        pacticipantVersionNumber: version,
        ...(values.branch === undefined ? {} : { branch: values.branch }),
        ...(values.tag === undefined ? {} : { tags: values.tag }),
        ...(values['build-url'] === undefined ? {} : { buildUrl: values['build-url'] }),
        contracts,
      });
      answers.push(json);
      if (status === 409) failed = true;
      if (values.json !== true) {
        const notices = (json.notices ?? []) as Array<{ type: string; text: string }>;
        for (const n of notices.filter((x) => x.type !== 'debug'))
          io.stdout(`${n.type === 'error' ? 'ERROR' : n.type === 'success' ? 'ok   ' : 'note '} ${n.text}\n`);
      }
    }
    if (values.json === true)
      io.stdout(`${JSON.stringify(answers.length === 1 ? answers[0] : answers, null, 2)}\n`);
    return failed ? 1 : 0;
  },
};
