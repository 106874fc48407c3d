import { TreatyError } from '@treaty/core';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';
import { brokerCall, brokerConnection, brokerFlags, type BrokerConnection } from '../../broker-client.js';

// The broker client commands, with the Pact CLI's names and flags. Each takes --output json|text.

const e = encodeURIComponent;
const brokerHelp =
  '  --broker-base-url <url>   also PACT_BROKER_BASE_URL; --broker-token / --broker-username / --broker-password';

function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value.trim() === '')
    throw new TreatyError('TREATY_CLI_USAGE', `${flag} is required.\n\n${usage}`);
  return value;
}

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
      'TREATY_CLI_USAGE',
      `There is no environment named '${name}' on the broker. Create it with: treaty create-environment --name ${name}`,
    );
  return env;
}

function print(io: CliIo, json: boolean, value: unknown, text: string): number {
  io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  return 0;
}

const outputFlag = { output: { type: 'string' } } as const;
const isJson = (output: string | undefined): boolean => {
  if (output !== undefined && output !== 'json' && output !== 'text')
    throw new TreatyError('TREATY_CLI_USAGE', `--output must be text or json, got '${output}'.`);
  return output === 'json';
};

function command(
  name: string,
  summary: string,
  usage: string,
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
  run: (
    v: Record<string, string | boolean | string[] | undefined>,
    conn: BrokerConnection,
    io: CliIo,
    usage: string,
  ) => Promise<number>,
): Command {
  return {
    name,
    summary,
    usage,
    async run(args, io) {
      const { values, positionals } = parseCommandArgs(
        args,
        { ...brokerFlags, ...outputFlag, ...options },
        usage,
      );
      const v = values as Record<string, string | boolean | string[] | undefined>;
      // Only `--latest [tag]` takes an optional value, which arrives as the one positional.
      if (positionals.length > (v.latest === true ? 1 : 0))
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `Unexpected argument '${positionals.join(' ')}'.\n\n${usage}`,
        );
      if (positionals[0] !== undefined) v.latest = positionals[0];
      isJson(v.output as string | undefined);
      return run(v, brokerConnection(v as Record<string, string | undefined>, io, usage), io, usage);
    },
  };
}

/** `treaty create-environment`. */
const createEnvironmentCommand = command(
  'create-environment',
  'create an environment on the broker',
  `Usage: treaty create-environment --name <name> [--display-name <text>] [--production] --broker-base-url <url>\n\n${brokerHelp}`,
  { name: { type: 'string' }, 'display-name': { type: 'string' }, production: { type: 'boolean' } },
  async (v, conn, io, usage) => {
    const name = required(v.name as string | undefined, '--name', usage);
    const { status, json } = await brokerCall(conn, 'POST', '/environments', {
      name,
      production: v.production === true,
      ...(typeof v['display-name'] === 'string' ? { displayName: v['display-name'] } : {}),
    });
    if (status === 409)
      throw new TreatyError(
        'TREATY_BROKER_CONFLICT',
        String(json.message ?? `An environment named '${name}' already exists.`),
      );
    return print(
      io,
      isJson(v.output as string | undefined),
      json,
      `Created environment ${name} (${String(json.uuid)})`,
    );
  },
);

/** `treaty list-environments`. */
const listEnvironmentsCommand = command(
  'list-environments',
  'list the environments on the broker',
  `Usage: treaty list-environments --broker-base-url <url>\n\n${brokerHelp}`,
  {},
  async (v, conn, io) => {
    const { json } = await brokerCall(conn, 'GET', '/environments');
    const list =
      (
        json._embedded as
          | { environments?: Array<{ uuid: string; name: string; displayName: string; production: boolean }> }
          | undefined
      )?.environments ?? [];
    return print(
      io,
      isJson(v.output as string | undefined),
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

function deploymentCommand(name: string, summary: string, kind: 'deployed' | 'released'): Command {
  return command(
    name,
    summary,
    `Usage: treaty ${name} --pacticipant <name> --version <version> --environment <env>${kind === 'deployed' ? ' [--application-instance <id>]' : ''} --broker-base-url <url>\n\n${brokerHelp}`,
    {
      pacticipant: { type: 'string' },
      version: { type: 'string' },
      environment: { type: 'string' },
      'application-instance': { type: 'string' },
    },
    async (v, conn, io, usage) => {
      const pacticipant = required(v.pacticipant as string | undefined, '--pacticipant', usage);
      const version = required(v.version as string | undefined, '--version', usage);
      const env = await environmentByName(
        conn,
        required(v.environment as string | undefined, '--environment', usage),
      );
      const instance = v['application-instance'] as string | undefined;
      const { json } = await brokerCall(
        conn,
        'POST',
        `/pacticipants/${e(pacticipant)}/versions/${e(version)}/${kind}-versions/environment/${env.uuid}`,
        instance === undefined ? {} : { applicationInstance: instance },
      );
      return print(
        io,
        isJson(v.output as string | undefined),
        json,
        `Recorded ${kind === 'deployed' ? 'deployment' : 'release'} of ${pacticipant} version ${version} to ${env.name}${instance === undefined ? '' : ` (${instance})`}.`,
      );
    },
  );
}

/** `treaty record-deployment`. */
const recordDeploymentCommand = deploymentCommand(
  'record-deployment',
  'record that a version is deployed to an environment',
  'deployed',
);
/** `treaty record-release`. */
const recordReleaseCommand = deploymentCommand(
  'record-release',
  'record that a version is released to an environment',
  'released',
);

function endCommand(name: string, summary: string, kind: 'deployed' | 'released'): Command {
  return command(
    name,
    summary,
    `Usage: treaty ${name} --pacticipant <name>${kind === 'released' ? ' --version <version>' : ''} --environment <env> --broker-base-url <url>\n\n${brokerHelp}`,
    {
      pacticipant: { type: 'string' },
      version: { type: 'string' },
      environment: { type: 'string' },
      'application-instance': { type: 'string' },
    },
    async (v, conn, io, usage) => {
      const pacticipant = required(v.pacticipant as string | undefined, '--pacticipant', usage);
      const env = await environmentByName(
        conn,
        required(v.environment as string | undefined, '--environment', usage),
      );
      const path =
        kind === 'deployed'
          ? `/environments/${env.uuid}/deployed-versions/currently-deployed?pacticipant=${e(pacticipant)}`
          : `/environments/${env.uuid}/released-versions/currently-supported?pacticipant=${e(pacticipant)}&version=${e(required(v.version as string | undefined, '--version', usage))}`;
      const { json } = await brokerCall(conn, 'GET', path);
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
      ).filter(
        (x) => v['application-instance'] === undefined || x.applicationInstance === v['application-instance'],
      );
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
        io,
        isJson(v.output as string | undefined),
        { [kind === 'deployed' ? 'undeployed' : 'supportEnded']: versions.split(', ') },
        `${kind === 'deployed' ? 'Recorded undeployment of' : 'Recorded end of support for'} ${pacticipant} version ${versions} in ${env.name}.`,
      );
    },
  );
}

/** `treaty record-undeployment`. */
const recordUndeploymentCommand = endCommand(
  'record-undeployment',
  'record that a pacticipant is no longer deployed to an environment',
  'deployed',
);
/** `treaty record-support-ended`. */
const recordSupportEndedCommand = endCommand(
  'record-support-ended',
  'record that a released version is no longer supported',
  'released',
);

/** `treaty create-version-tag`. */
const createVersionTagCommand = command(
  'create-version-tag',
  'tag a pacticipant version',
  `Usage: treaty create-version-tag --pacticipant <name> --version <version> --tag <tag>... --broker-base-url <url>\n\n${brokerHelp}`,
  { pacticipant: { type: 'string' }, version: { type: 'string' }, tag: { type: 'string', multiple: true } },
  async (v, conn, io, usage) => {
    const pacticipant = required(v.pacticipant as string | undefined, '--pacticipant', usage);
    const version = required(v.version as string | undefined, '--version', usage);
    const tags = (v.tag as string[] | undefined) ?? [];
    if (tags.length === 0) throw new TreatyError('TREATY_CLI_USAGE', `--tag is required.\n\n${usage}`);
    for (const tag of tags)
      await brokerCall(
        conn,
        'PUT',
        `/pacticipants/${e(pacticipant)}/versions/${e(version)}/tags/${e(tag)}`,
        {},
      );
    return print(
      io,
      isJson(v.output as string | undefined),
      { pacticipant, version, tags },
      `Tagged ${pacticipant} version ${version} with ${tags.join(', ')}.`,
    );
  },
);

/** `treaty describe-version`. */
const describeVersionCommand = command(
  'describe-version',
  'show a pacticipant version with its branches and tags',
  `Usage: treaty describe-version --pacticipant <name> (--version <version> | --latest [tag]) --broker-base-url <url>

Without --version or --latest, describes the latest version.

${brokerHelp}`,
  { pacticipant: { type: 'string' }, version: { type: 'string' }, latest: { type: 'boolean' } },
  async (v, conn, io, usage) => {
    const pacticipant = required(v.pacticipant as string | undefined, '--pacticipant', usage);
    const version = v.version as string | undefined;
    if (version !== undefined && v.latest !== undefined)
      throw new TreatyError('TREATY_CLI_USAGE', `Give --version or --latest, not both.\n\n${usage}`);
    const path =
      version !== undefined
        ? `/pacticipants/${e(pacticipant)}/versions/${e(version)}`
        : typeof v.latest === 'string'
          ? `/pacticipants/${e(pacticipant)}/latest-version/${e(v.latest)}`
          : `/pacticipants/${e(pacticipant)}/latest-version`;
    const { json } = await brokerCall(conn, 'GET', path);
    const emb = json._embedded as
      | { branchVersions?: Array<{ name: string }>; tags?: Array<{ name: string }> }
      | undefined;
    return print(
      io,
      isJson(v.output as string | undefined),
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

/** `treaty create-or-update-pacticipant`. */
const createOrUpdatePacticipantCommand = command(
  'create-or-update-pacticipant',
  'create a pacticipant or change its display name, main branch or repository URL',
  `Usage: treaty create-or-update-pacticipant --name <name> [--display-name <text>] [--main-branch <branch>] [--repository-url <url>] --broker-base-url <url>\n\n${brokerHelp}`,
  {
    name: { type: 'string' },
    'display-name': { type: 'string' },
    'main-branch': { type: 'string' },
    'repository-url': { type: 'string' },
  },
  async (v, conn, io, usage) => {
    const name = required(v.name as string | undefined, '--name', usage);
    const body = {
      name,
      ...(typeof v['display-name'] === 'string' ? { displayName: v['display-name'] } : {}),
      ...(typeof v['main-branch'] === 'string' ? { mainBranch: v['main-branch'] } : {}),
      ...(typeof v['repository-url'] === 'string' ? { repositoryUrl: v['repository-url'] } : {}),
    };
    const { status, json } = await brokerCall(conn, 'PATCH', `/pacticipants/${e(name)}`, body);
    return print(
      io,
      isJson(v.output as string | undefined),
      json,
      `${status === 201 ? 'Created' : 'Updated'} ${name}${json.mainBranch === undefined ? '' : ` (main branch ${String(json.mainBranch)})`}`,
    );
  },
);

/** Every broker client command. */
export const brokerClientCommands: readonly Command[] = [
  createEnvironmentCommand,
  listEnvironmentsCommand,
  recordDeploymentCommand,
  recordUndeploymentCommand,
  recordReleaseCommand,
  recordSupportEndedCommand,
  createVersionTagCommand,
  describeVersionCommand,
  createOrUpdatePacticipantCommand,
];
