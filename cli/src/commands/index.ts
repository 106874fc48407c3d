import type { Command, CommandEntry } from '../command.js';

// Every command, in the order `treaty --help` lists them. A command's module (and what it imports:
// the verifier, the broker) is loaded only when that command runs, so `treaty --version` and
// `treaty --help` start fast.

const brokerClient = (name: string) => async (): Promise<Command> => {
  const { brokerClientCommands } = await import('./broker-client/index.js');
  const command = brokerClientCommands[name];
  if (command === undefined) throw new Error(`no broker client command ${name}`);
  return command;
};

/** Every `treaty` command with its one-line summary. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'verify',
    summary: 'replay contracts against a running provider and report every mismatch',
    load: async () => (await import('./verify/index.js')).verifyCommand,
  },
  {
    name: 'publish',
    summary: 'publish contract files to a broker for a consumer version',
    load: async () => (await import('./publish/index.js')).publishCommand,
  },
  {
    name: 'can-i-deploy',
    summary: 'ask the broker whether a version can be deployed to an environment',
    load: async () => (await import('./can-i-deploy/index.js')).canIDeployCommand,
  },
  {
    name: 'publish-provider-contract',
    summary: "publish a provider's OpenAPI document to the broker, which compares it with the pacts",
    load: async () => (await import('./broker-client/provider-contract.js')).publishProviderContractCommand,
  },
  {
    name: 'create-environment',
    summary: 'create an environment on the broker',
    load: brokerClient('create-environment'),
  },
  {
    name: 'list-environments',
    summary: 'list the environments on the broker',
    load: brokerClient('list-environments'),
  },
  {
    name: 'record-deployment',
    summary: 'record that a version is deployed to an environment',
    load: brokerClient('record-deployment'),
  },
  {
    name: 'record-undeployment',
    summary: 'record that a pacticipant is no longer deployed to an environment',
    load: brokerClient('record-undeployment'),
  },
  {
    name: 'record-release',
    summary: 'record that a version is released to an environment',
    load: brokerClient('record-release'),
  },
  {
    name: 'record-support-ended',
    summary: 'record that a released version is no longer supported',
    load: brokerClient('record-support-ended'),
  },
  {
    name: 'create-version-tag',
    summary: 'tag a pacticipant version',
    load: brokerClient('create-version-tag'),
  },
  {
    name: 'describe-version',
    summary: 'show a pacticipant version with its branches and tags',
    load: brokerClient('describe-version'),
  },
  {
    name: 'create-or-update-pacticipant',
    summary: 'create a pacticipant or change its display name, main branch or repository URL',
    load: brokerClient('create-or-update-pacticipant'),
  },
  {
    name: 'create-webhook',
    summary: "create a webhook: the broker calls a URL (a provider's CI, a commit status) on contract events",
    load: brokerClient('create-webhook'),
  },
  {
    name: 'create-or-update-webhook',
    summary: 'create or replace the webhook with the given --uuid',
    load: brokerClient('create-or-update-webhook'),
  },
  {
    name: 'test-webhook',
    summary: 'execute a webhook now and show what the receiver answered',
    load: brokerClient('test-webhook'),
  },
  {
    name: 'delete-webhook',
    summary: 'delete a webhook',
    load: brokerClient('delete-webhook'),
  },
  {
    name: 'broker',
    summary: 'run the broker (SQLite) that stores contracts and verification results',
    load: async () => (await import('./broker/index.js')).brokerCommand,
  },
  {
    name: 'validate',
    summary: 'check that Pact contract files (V1–V4) are readable, with the path of each fault',
    load: async () => (await import('./validate/index.js')).validateCommand,
  },
];
