import type { Command as Cli } from 'commander';
import { TreatyError, treatyLine } from '@treaty/core';
import type { Command } from '../../command.js';
import { brokerCall, type BrokerConnection } from '../../broker-client.js';
import { flag, repeatable, text, texts } from '../../options.js';
import { command, required } from './shared.js';
import { webhookCommands } from './webhook.js';

// The broker client commands, with the Pact CLI's names and flags. Each takes --output table|json.

const e = encodeURIComponent;

async function environmentByName(
  conn: BrokerConnection,
  name: string,
): Promise<{ uuid: string; name: string }> {
  const { json } = await brokerCall(conn, 'GET', `/environments?name=${e(name)}`);
  const env = (
    (json._embedded as { environments?: Array<{ uuid: string; name: string }> } | undefined)?.environments ??
    []
  ).find((x) => x.name === name);
  if (env === undefined)
    throw new TreatyError(
      'TREATY_BROKER_NOT_FOUND',
      `There is no environment named '${name}' on the broker. Create it with: ${treatyLine('create-environment', ['--name', name, '--broker-base-url', conn.baseUrl])}`,
    );
  return env;
}

const createEnvironmentCommand = command(
  '--name <name> [--display-name <text>] [--production] --broker-base-url <url>',
  (cli) =>
    cli
      .option('--name <name>', 'the environment name')
      .option('--display-name <text>', 'its display name')
      .option('--production', 'a production environment'),
  async (values, conn, print) => {
    const name = required(values, 'name', '--name');
    const displayName = text(values, 'displayName');
    const { status, json } = await brokerCall(conn, 'POST', '/environments', {
      name,
      production: flag(values, 'production'),
      ...(displayName === undefined ? {} : { displayName }),
    });
    if (status === 409)
      throw new TreatyError(
        'TREATY_BROKER_CONFLICT',
        String(json.message ?? `An environment named '${name}' already exists.`),
      );
    return print(json, `Created environment ${name} (${String(json.uuid)})`);
  },
);

const listEnvironmentsCommand = command(
  '--broker-base-url <url> [options]',
  () => undefined,
  async (_values, conn, print) => {
    const { json } = await brokerCall(conn, 'GET', '/environments');
    const list =
      (
        json._embedded as
          | { environments?: Array<{ uuid: string; name: string; displayName: string; production: boolean }> }
          | undefined
      )?.environments ?? [];
    return print(
      list,
      list.length === 0
        ? 'No environments.'
        : list
            .map(
              (x) =>
                `${x.name.padEnd(20)} ${x.displayName.padEnd(24)} ${x.production ? 'production' : ''}  ${x.uuid}`,
            )
            .join('\n'),
    );
  },
);

/** --pacticipant, --version, --environment and --application-instance. */
function deploymentOptions(cli: Cli): void {
  cli
    .option('--pacticipant <name>', 'the application')
    .option('--version <version>', 'its version')
    .option('--environment <env>', 'the environment')
    .option('--application-instance <id>', 'which instance, when several run in the environment');
}

function deploymentCommand(kind: 'deployed' | 'released'): Command {
  return command(
    `--pacticipant <name> --version <version> --environment <env>${kind === 'deployed' ? ' [--application-instance <id>]' : ''} --broker-base-url <url>`,
    deploymentOptions,
    async (values, conn, print) => {
      const pacticipant = required(values, 'pacticipant', '--pacticipant');
      const version = required(values, 'version', '--version');
      const env = await environmentByName(conn, required(values, 'environment', '--environment'));
      const instance = text(values, 'applicationInstance');
      const { json } = await brokerCall(
        conn,
        'POST',
        `/pacticipants/${e(pacticipant)}/versions/${e(version)}/${kind}-versions/environment/${env.uuid}`,
        instance === undefined ? {} : { applicationInstance: instance },
      );
      return print(
        json,
        `Recorded ${kind === 'deployed' ? 'deployment' : 'release'} of ${pacticipant} version ${version} to ${env.name}${instance === undefined ? '' : ` (${instance})`}.`,
      );
    },
  );
}

function endCommand(kind: 'deployed' | 'released'): Command {
  return command(
    `--pacticipant <name>${kind === 'released' ? ' --version <version>' : ''} --environment <env> --broker-base-url <url>`,
    deploymentOptions,
    async (values, conn, print) => {
      const pacticipant = required(values, 'pacticipant', '--pacticipant');
      const env = await environmentByName(conn, required(values, 'environment', '--environment'));
      const path =
        kind === 'deployed'
          ? `/environments/${env.uuid}/deployed-versions/currently-deployed?pacticipant=${e(pacticipant)}`
          : `/environments/${env.uuid}/released-versions/currently-supported?pacticipant=${e(pacticipant)}&version=${e(required(values, 'version', '--version'))}`;
      const { json } = await brokerCall(conn, 'GET', path);
      const instance = text(values, 'applicationInstance');
      const items = (
        (
          json._embedded as
            | Record<
                string,
                Array<{
                  _links: { self: { href: string } };
                  applicationInstance?: string;
                  _embedded: { version: { number: string } };
                }>
              >
            | undefined
        )?.[kind === 'deployed' ? 'deployedVersions' : 'releasedVersions'] ?? []
      ).filter((x) => instance === undefined || x.applicationInstance === instance);
      if (items.length === 0)
        throw new TreatyError(
          'TREATY_BROKER_NOT_FOUND',
          `${pacticipant} is not currently ${kind === 'deployed' ? 'deployed to' : 'released and supported in'} ${env.name}.`,
        );
      for (const item of items) {
        const self = new URL(item._links.self.href);
        await brokerCall(
          conn,
          'PATCH',
          self.pathname,
          kind === 'deployed' ? { currentlyDeployed: false } : { currentlySupported: false },
        );
      }
      const versions = items.map((x) => x._embedded.version.number).join(', ');
      return print(
        { [kind === 'deployed' ? 'undeployed' : 'supportEnded']: versions.split(', ') },
        `${kind === 'deployed' ? 'Recorded undeployment of' : 'Recorded end of support for'} ${pacticipant} version ${versions} in ${env.name}.`,
      );
    },
  );
}

const createVersionTagCommand = command(
  '--pacticipant <name> --version <version> --tag <tag>... --broker-base-url <url>',
  (cli) =>
    cli
      .option('--pacticipant <name>', 'the application')
      .option('--version <version>', 'its version')
      .addOption(repeatable('--tag <tag>', 'the tag')),
  async (values, conn, print) => {
    const pacticipant = required(values, 'pacticipant', '--pacticipant');
    const version = required(values, 'version', '--version');
    const tags = texts(values, 'tag');
    if (tags.length === 0) throw new TreatyError('TREATY_CLI_USAGE', '--tag is required.');
    for (const tag of tags)
      await brokerCall(
        conn,
        'PUT',
        `/pacticipants/${e(pacticipant)}/versions/${e(version)}/tags/${e(tag)}`,
        {},
      );
    return print(
      { pacticipant, version, tags },
      `Tagged ${pacticipant} version ${version} with ${tags.join(', ')}.`,
    );
  },
);

const describeVersionCommand = command(
  '--pacticipant <name> [--version <version> | --latest [tag]] --broker-base-url <url>',
  (cli) =>
    cli
      .description('Without --version or --latest, describes the latest version.')
      .option('--pacticipant <name>', 'the application')
      .option('--version <version>', 'the version to describe')
      .option('--latest [tag]', 'its latest version (optionally the latest with this tag)'),
  async (values, conn, print) => {
    const pacticipant = required(values, 'pacticipant', '--pacticipant');
    const version = text(values, 'version');
    const latest = values.latest;
    if (version !== undefined && latest !== undefined)
      throw new TreatyError('TREATY_CLI_USAGE', 'Give --version or --latest, not both.');
    const path =
      version !== undefined
        ? `/pacticipants/${e(pacticipant)}/versions/${e(version)}`
        : typeof latest === 'string'
          ? `/pacticipants/${e(pacticipant)}/latest-version/${e(latest)}`
          : `/pacticipants/${e(pacticipant)}/latest-version`;
    const { json } = await brokerCall(conn, 'GET', path);
    const emb = json._embedded as
      | { branchVersions?: Array<{ name: string }>; tags?: Array<{ name: string }> }
      | undefined;
    return print(
      json,
      [
        `${pacticipant} ${String(json.number)}`,
        `  branches: ${(emb?.branchVersions ?? []).map((b) => b.name).join(', ') || '-'}`,
        `  tags: ${(emb?.tags ?? []).map((t) => t.name).join(', ') || '-'}`,
        `  created: ${String(json.createdAt)}`,
      ].join('\n'),
    );
  },
);

const createOrUpdatePacticipantCommand = command(
  '--name <name> [--display-name <text>] [--main-branch <branch>] [--repository-url <url>] --broker-base-url <url>',
  (cli) =>
    cli
      .option('--name <name>', 'the pacticipant')
      .option('--display-name <text>', 'its display name')
      .option('--main-branch <branch>', 'its main branch')
      .option('--repository-url <url>', 'its repository'),
  async (values, conn, print) => {
    const name = required(values, 'name', '--name');
    const field = (key: string, as: string): Record<string, string> => {
      const value = text(values, key);
      return value === undefined ? {} : { [as]: value };
    };
    const body = {
      name,
      ...field('displayName', 'displayName'),
      ...field('mainBranch', 'mainBranch'),
      ...field('repositoryUrl', 'repositoryUrl'),
    };
    const { status, json } = await brokerCall(conn, 'PATCH', `/pacticipants/${e(name)}`, body);
    return print(
      json,
      `${status === 201 ? 'Created' : 'Updated'} ${name}${json.mainBranch === undefined ? '' : ` (main branch ${String(json.mainBranch)})`}`,
    );
  },
);

/** Every broker client command, by name. */
export const brokerClientCommands: Readonly<Record<string, Command>> = {
  'create-environment': createEnvironmentCommand,
  'list-environments': listEnvironmentsCommand,
  'record-deployment': deploymentCommand('deployed'),
  'record-undeployment': endCommand('deployed'),
  'record-release': deploymentCommand('released'),
  'record-support-ended': endCommand('released'),
  'create-version-tag': createVersionTagCommand,
  'describe-version': describeVersionCommand,
  'create-or-update-pacticipant': createOrUpdatePacticipantCommand,
  ...webhookCommands,
};
