import { type Command as Cli, Option } from '../../commander.js';
import { TreatyError } from '@treaty/core';
import type { Command, OptionValues } from '../../command.js';
import { brokerCall, type BrokerConnection } from '../../broker-client.js';
import { flag, text, texts } from '../../options.js';
import { command, required, type Printer } from './shared.js';

// `treaty create-webhook`, `create-or-update-webhook`, `test-webhook` and `delete-webhook`, with the
// flags of `pact broker …`: the webhook body the Pact Broker API takes, built from the command line.

const e = encodeURIComponent;

/** The events a webhook can be triggered by, each with its flag, in the order the Pact CLI sends them. */
const EVENTS = [
  ['contract_content_changed', 'when the content of a contract changes'],
  ['contract_published', 'when a contract is published'],
  ['provider_verification_published', 'when a provider verification result is published'],
  ['provider_verification_failed', 'when a failed provider verification result is published'],
  ['provider_verification_succeeded', 'when a successful provider verification result is published'],
  [
    'contract_requiring_verification_published',
    'when a contract is published that a provider version must verify',
  ],
] as const;

const flagOf = (event: string): string => `--${event.replaceAll('_', '-')}`;
const keyOf = (event: string): string => event.replace(/_(.)/g, (_m, c: string) => c.toUpperCase());

function webhookOptions(cli: Cli): void {
  cli
    .argument('<url>', 'the URL the broker sends the request to (may hold ${pactbroker.…} parameters)')
    .option('-X, --request <method>', 'the HTTP method of the request', 'POST')
    .addOption(
      new Option(
        '-H, --header <header...>',
        "headers of the request, each 'Name: value' (e.g. 'Content-Type: application/json')",
      ),
    )
    .option('-d, --data <data>', 'the request body: JSON, or any text (may hold ${pactbroker.…} parameters)')
    .option('--user <user:password>', 'basic auth for the receiver')
    .option('--consumer <name>', 'only for this consumer')
    .option('--consumer-label <label>', 'only for consumers with this label (instead of --consumer)')
    .option('--provider <name>', 'only for this provider')
    .option('--provider-label <label>', 'only for providers with this label (instead of --provider)')
    .option('--description <text>', 'what the webhook is for')
    .option('--team-uuid <uuid>', 'the team that owns the webhook (PactFlow; passed on as given)');
  for (const [event, when] of EVENTS) cli.option(flagOf(event), `trigger it ${when}`);
}

/** `Name: value` → [name, value]. */
function header(given: string): [string, string] {
  const colon = given.indexOf(':');
  const name = colon < 0 ? '' : given.slice(0, colon).trim();
  if (name === '' || /[^!#$%&'*+.^_`|~0-9A-Za-z-]/.test(name))
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `--header takes 'Name: value', such as 'Content-Type: application/json'; got '${given}'.`,
    );
  return [name, given.slice(colon + 1).trim()];
}

/** One pacticipant by --x or --x-label; not both. */
function party(
  values: OptionValues,
  role: 'consumer' | 'provider',
): Record<string, { name?: string; label?: string }> {
  const name = text(values, role);
  const label = text(values, `${role}Label`);
  if (name !== undefined && label !== undefined)
    throw new TreatyError('TREATY_CLI_USAGE', `Give --${role} or --${role}-label, not both.`);
  if (name !== undefined) return { [role]: { name } };
  if (label !== undefined) return { [role]: { label } };
  return {};
}

/** The webhook resource the Pact Broker API takes, from the command line. */
function webhookBody(values: OptionValues, url: string | undefined): Record<string, unknown> {
  if (url === undefined || url.trim() === '')
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      'Give the URL the webhook calls, e.g. https://ci.example.com/build.',
    );
  const events = EVENTS.filter(([event]) => flag(values, keyOf(event))).map(([name]) => ({ name }));
  if (events.length === 0)
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `Say which events trigger the webhook: one or more of ${EVENTS.map(([event]) => flagOf(event)).join(', ')}.`,
    );
  const headers = Object.fromEntries(texts(values, 'header').map(header));
  const data = text(values, 'data');
  let body: unknown = null;
  if (data !== undefined) {
    try {
      body = JSON.parse(data) as unknown;
    } catch {
      body = data;
    }
  }
  const user = text(values, 'user');
  const colon = user?.indexOf(':') ?? -1;
  const auth =
    user === undefined
      ? {}
      : colon < 0
        ? { username: user }
        : { username: user.slice(0, colon), password: user.slice(colon + 1) };
  const description = text(values, 'description');
  const team = text(values, 'teamUuid');
  return {
    ...(description === undefined ? {} : { description }),
    ...party(values, 'consumer'),
    ...party(values, 'provider'),
    events,
    request: { method: (text(values, 'request') ?? 'POST').toUpperCase(), url, headers, body, ...auth },
    ...(team === undefined ? {} : { teamUuid: team }),
  };
}

/** What the broker answered for a webhook, in a line. */
function created(json: Record<string, unknown>, status: number): string {
  const uuid = String(json.uuid ?? '');
  const what = typeof json.description === 'string' ? ` (${json.description})` : '';
  return `${status === 201 ? 'Created' : 'Updated'} webhook ${uuid}${what}`;
}

async function webhook(conn: BrokerConnection, uuid: string): Promise<Record<string, unknown>> {
  return (await brokerCall(conn, 'GET', `/webhooks/${e(uuid)}`)).json;
}

const createWebhookCommand = command(
  '<url> [-X <method>] [-H <header>...] [-d <data>] [--consumer <name>] [--provider <name>] --<event>... --broker-base-url <url>',
  webhookOptions,
  async (values, conn, print, operands) => {
    const { status, json } = await brokerCall(conn, 'POST', '/webhooks', webhookBody(values, operands[0]));
    return print(json, created(json, status));
  },
);

/** --uuid, as the commands that name one webhook take it. */
const uuidOption = (cli: Cli): Cli =>
  cli.option('--uuid <uuid>', 'the webhook (16 or more letters, digits, - or _)');

const createOrUpdateWebhookCommand = command(
  '<url> --uuid <uuid> [-X <method>] [-H <header>...] [-d <data>] --<event>... --broker-base-url <url>',
  (cli) => {
    webhookOptions(cli);
    uuidOption(cli);
  },
  async (values, conn, print, operands) => {
    const uuid = required(values, 'uuid', '--uuid');
    const { status, json } = await brokerCall(
      conn,
      'PUT',
      `/webhooks/${e(uuid)}`,
      webhookBody(values, operands[0]),
    );
    return print(json, created(json, status));
  },
);

/** The execution result's own lines: the request sent, the answer, the log. */
function executionLines(json: Record<string, unknown>, uuid: string): string {
  const response = json.response as { status?: number } | undefined;
  const logs = typeof json.logs === 'string' ? json.logs.trimEnd() : '';
  return [
    `Webhook ${uuid} ${json.success === true ? 'succeeded' : 'failed'}${response?.status === undefined ? '' : ` (the receiver answered ${response.status})`}.`,
    ...(logs === '' ? [] : ['', logs]),
  ].join('\n');
}

const testWebhookCommand = command(
  '--uuid <uuid> --broker-base-url <url>',
  uuidOption,
  async (values, conn, print: Printer) => {
    const uuid = required(values, 'uuid', '--uuid');
    const links = (await webhook(conn, uuid))._links as Record<string, { href?: string }> | undefined;
    const href = links?.['pb:execute']?.href;
    if (href === undefined)
      throw new TreatyError(
        'TREATY_BROKER_NOT_FOUND',
        `The broker does not offer to execute webhook ${uuid}.`,
      );
    const { json } = await brokerCall(conn, 'POST', new URL(href, `${conn.baseUrl}/`).pathname, {});
    print(json, executionLines(json, uuid));
    return json.success === true ? 0 : 1;
  },
);

const deleteWebhookCommand = command(
  '--uuid <uuid> --broker-base-url <url>',
  uuidOption,
  async (values, conn, print) => {
    const uuid = required(values, 'uuid', '--uuid');
    await brokerCall(conn, 'DELETE', `/webhooks/${e(uuid)}`);
    return print({ deleted: uuid }, `Deleted webhook ${uuid}.`);
  },
);

/** The webhook commands, by name. */
export const webhookCommands: Readonly<Record<string, Command>> = {
  'create-webhook': createWebhookCommand,
  'create-or-update-webhook': createOrUpdateWebhookCommand,
  'test-webhook': testWebhookCommand,
  'delete-webhook': deleteWebhookCommand,
};
