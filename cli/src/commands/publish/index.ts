import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TreatyError, parseContract } from '@treaty/core';
import type { Command as Cli } from 'commander';
import type { Command, Invocation } from '../../command.js';
import type { CliIo } from '../../io.js';
import { brokerCall, brokerConnection } from '../../broker-client.js';
import { brokerOptions, outputFormat, outputOptions, repeatable, text, texts } from '../../options.js';

/** Declares publish's usage, operands and options. */
function define(cli: Cli): void {
  cli
    .usage('<file-or-dir>... --consumer-app-version <version> --broker-base-url <url> [options]')
    .description(
      'Publishes contract files to a broker, one request per consumer version (all its pacts at once).',
    )
    .argument('[contracts...]', 'contract files, or folders of them')
    .option(
      '--consumer-app-version <version>',
      'the consumer version these contracts belong to (e.g. a git sha)',
    )
    .option('--branch <branch>', "the consumer's branch (lets selectors such as mainBranch find it)")
    .addOption(repeatable('--tag <tag>', 'tag the version'))
    .option('--build-url <url>', 'a link to the CI build');
  outputOptions(cli, ['table', 'json'], "same as --output json: print the broker's answers as JSON");
  brokerOptions(cli);
}

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
  define,
  async run({ values, operands }: Invocation, io: CliIo): Promise<number> {
    const asJson = outputFormat(values, ['table', 'json'], io) === 'json';
    const version = text(values, 'consumerAppVersion');
    if (version === undefined || version.trim() === '')
      throw new TreatyError('TREATY_CLI_USAGE', '--consumer-app-version is required.');
    if (operands.length === 0)
      throw new TreatyError('TREATY_CLI_USAGE', 'Name the contract files or folders to publish.');
    const conn = brokerConnection(values);
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
    for (const file of await files(operands, io.cwd)) {
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
    const branch = text(values, 'branch');
    const tags = texts(values, 'tag');
    const buildUrl = text(values, 'buildUrl');
    let failed = false;
    const answers: unknown[] = [];
    for (const [consumer, contracts] of byConsumer) {
      const { status, json } = await brokerCall(conn, 'POST', '/contracts/publish', {
        pacticipantName: consumer,
        pacticipantVersionNumber: version,
        ...(branch === undefined ? {} : { branch }),
        ...(tags.length === 0 ? {} : { tags }),
        ...(buildUrl === undefined ? {} : { buildUrl }),
        contracts,
      });
      answers.push(json);
      if (status === 409) failed = true;
      if (!asJson) {
        const notices = (json.notices ?? []) as Array<{ type: string; text: string }>;
        for (const n of notices.filter((x) => x.type !== 'debug'))
          io.stdout(`${n.type === 'error' ? 'ERROR' : n.type === 'success' ? 'ok   ' : 'note '} ${n.text}\n`);
      }
    }
    if (asJson) io.stdout(`${JSON.stringify(answers.length === 1 ? answers[0] : answers, null, 2)}\n`);
    return failed ? 1 : 0;
  },
};
