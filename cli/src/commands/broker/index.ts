import { resolve } from 'node:path';
import { TreatyError } from '@treaty/core';
import {
  checkDatabaseSetting,
  isPostgresUrl,
  parseDatabasePool,
  parsePublicUrl,
  parseRetrySchedule,
  parseTrustProxy,
  redactDatabaseUrl,
  settingsFromEnv,
  splitList,
  startBroker,
} from '@treaty/broker';
import type { Command as Cli } from 'commander';
import type { Command, Invocation } from '../../command.js';
import type { CliIo } from '../../io.js';
import { envOption, outputFormat, outputOptions, repeatableEnvOption, text, texts } from '../../options.js';

const description = `Runs the broker: stores contracts and verification results in one SQLite file (created with its
schema on first start) or in PostgreSQL (--database postgres://user@host:5432/database with the
password after the user name; the schema is migrated on start), and serves the Pact Broker HTTP API.
Stops cleanly on SIGINT or SIGTERM.
The same settings come from TREATY_BROKER_PORT, TREATY_BROKER_HOST, TREATY_BROKER_DATABASE (else
DATABASE_URL), TREATY_BROKER_PUBLIC_URL and TREATY_BROKER_TRUST_PROXY; a flag wins over its variable.

Pool: on PostgreSQL each broker opens at most --database-pool-size connections (1–1000, default 10; size
the server's max_connections for it times the instances); a request that waits --database-connect-timeout
seconds for one (1–600, default 10) is answered 503, retryable. SQLite has no pool: both are ignored there,
with a note.

Credentials (off unless set): TREATY_BROKER_TOKEN or TREATY_BROKER_USERNAME/_PASSWORD for read-write,
TREATY_BROKER_READ_ONLY_TOKEN or TREATY_BROKER_READ_ONLY_USERNAME/_PASSWORD for read-only.

Links: every HAL link starts with --public-url when given; otherwise with the Host the client used.
X-Forwarded-Host/-Proto are ignored unless --trust-proxy names the proxy in front of the broker
(true trusts any, or a comma-separated list of addresses and CIDRs such as 127.0.0.1,10.0.0.0/8).
Limits: names, versions, branches, tags and environment names up to 255 characters, one line,
well-formed Unicode, not '.' or '..' (refused with 400 TREATY_BROKER_INVALID_NAME); bodies up to 10 MiB.

Webhooks (the Pact Broker's API and events) are delivered from the database by the broker itself, at
least once, retried on --webhook-retry-schedule. As the Pact Broker: POST only, https only, any host,
unless the allow-lists say otherwise (each flag repeatable or space/comma-separated). Beyond it: private,
loopback, link-local (169.254.169.254), unique-local, CGNAT and multicast addresses are refused, after DNS
too, unless the host (or its IP or CIDR) is on --webhook-host-whitelist. A webhook names secrets as
\${env.TREATY_WEBHOOK_SECRET_NAME}: only variables starting with TREATY_WEBHOOK_SECRET_ are read.`;

/** Declares the broker's options. */
function define(cli: Cli): void {
  cli
    .usage('[--port 9292] [--host 127.0.0.1] [--database ./treaty-broker.sqlite|postgres://…] [options]')
    .description(description)
    .addOption(
      envOption(
        '--port <port>',
        'the port to listen on (0 picks a free one; default 9292)',
        'TREATY_BROKER_PORT',
      ),
    )
    .addOption(
      envOption('--host <host>', 'the address to listen on (default 127.0.0.1)', 'TREATY_BROKER_HOST'),
    )
    .addOption(
      envOption(
        '--database <file|url>',
        'a SQLite file, or a postgres:// URL (default: DATABASE_URL, else ./treaty-broker.sqlite)',
        'TREATY_BROKER_DATABASE',
      ),
    )
    .addOption(
      envOption(
        '--database-pool-size <n>',
        'PostgreSQL: the most connections the broker opens (1–1000, default 10)',
        'TREATY_BROKER_DATABASE_POOL_SIZE',
      ),
    )
    .addOption(
      envOption(
        '--database-connect-timeout <seconds>',
        'PostgreSQL: how long a request waits for a connection before a 503 (1–600, default 10)',
        'TREATY_BROKER_DATABASE_CONNECT_TIMEOUT',
      ),
    )
    .addOption(
      envOption('--public-url <url>', 'the URL every HAL link starts with', 'TREATY_BROKER_PUBLIC_URL'),
    )
    .addOption(
      envOption(
        '--trust-proxy <true|addresses>',
        'read X-Forwarded-* from these proxies',
        'TREATY_BROKER_TRUST_PROXY',
      ),
    )
    .addOption(
      repeatableEnvOption(
        '--webhook-scheme-whitelist <schemes>',
        'URL schemes webhooks may use (default https)',
        'PACT_BROKER_WEBHOOK_SCHEME_WHITELIST',
      ),
    )
    .addOption(
      repeatableEnvOption(
        '--webhook-host-whitelist <hosts>',
        'hosts webhooks may call, private ones too: names, *.example.com, /regex/, IPs, CIDRs (default any public host)',
        'PACT_BROKER_WEBHOOK_HOST_WHITELIST',
      ),
    )
    .addOption(
      repeatableEnvOption(
        '--webhook-http-method-whitelist <methods>',
        'HTTP methods webhooks may use (default POST)',
        'PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST',
      ),
    )
    .addOption(
      envOption(
        '--webhook-retry-schedule <seconds>',
        'seconds before each retry of a failed webhook (default 10,60,120,300,600,1200)',
        'TREATY_BROKER_WEBHOOK_RETRY_SCHEDULE',
      ),
    );
  outputOptions(cli, ['table', 'json'], 'same as --output json: log each request as a JSON line');
}

/** `treaty broker`. */
export const brokerCommand: Command = {
  define,
  async run({ values }: Invocation, io: CliIo): Promise<number> {
    const logger = outputFormat(values, ['table', 'json'], io) === 'json';
    const defaults = settingsFromEnv(io.env);
    const given = {
      port: text(values, 'port'),
      host: text(values, 'host'),
      database: text(values, 'database'),
      publicUrl: text(values, 'publicUrl'),
      trustProxy: text(values, 'trustProxy'),
    };
    const port = given.port === undefined ? defaults.port : Number(given.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--port must be a port number (0–65535), got '${given.port}'.`,
      );
    const host = given.host ?? defaults.host;
    if (!/^[\w.:[\]-]+$/.test(host))
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--host must be a host name or an IP address such as 127.0.0.1, got '${host}'.`,
      );
    const setting = given.database ?? defaults.database;
    checkDatabaseSetting(setting);
    const database = isPostgresUrl(setting) ? setting : resolve(io.cwd, setting);
    const poolGiven = {
      size: text(values, 'databasePoolSize'),
      connectTimeout: text(values, 'databaseConnectTimeout'),
    };
    const databasePool = parseDatabasePool(poolGiven);
    // A deployment's environment may set these for every broker, SQLite ones too: a note, not a refusal.
    const ignored = [
      ...(poolGiven.size === undefined ? [] : ['--database-pool-size (TREATY_BROKER_DATABASE_POOL_SIZE)']),
      ...(poolGiven.connectTimeout === undefined
        ? []
        : ['--database-connect-timeout (TREATY_BROKER_DATABASE_CONNECT_TIMEOUT)']),
    ];
    if (!isPostgresUrl(setting) && ignored.length > 0)
      io.stderr(
        `Note: ${ignored.join(' and ')} ${ignored.length > 1 ? 'apply' : 'applies'} to PostgreSQL only; ignored for the SQLite file ${database}.\n`,
      );
    const publicUrl =
      given.publicUrl === undefined || given.publicUrl === ''
        ? defaults.publicUrl
        : parsePublicUrl(given.publicUrl);
    const trustProxy =
      given.trustProxy === undefined ? defaults.trustProxy : parseTrustProxy(given.trustProxy);
    const list = (key: string): string[] | undefined => {
      const items = splitList(texts(values, key));
      return items.length === 0 ? undefined : items;
    };
    const [schemes, hosts, methods] = [
      list('webhookSchemeWhitelist'),
      list('webhookHostWhitelist'),
      list('webhookHttpMethodWhitelist'),
    ];
    const schedule = text(values, 'webhookRetrySchedule');
    const webhooks = {
      ...defaults.webhooks,
      ...(schemes === undefined ? {} : { schemes }),
      ...(hosts === undefined ? {} : { hosts }),
      ...(methods === undefined ? {} : { methods }),
      ...(schedule === undefined ? {} : { retrySchedule: parseRetrySchedule(schedule) }),
    };
    let broker;
    try {
      broker = await startBroker({
        port,
        host,
        database,
        databasePool,
        logger,
        ...(defaults.auth === undefined ? {} : { auth: defaults.auth }),
        ...(trustProxy === undefined ? {} : { trustProxy }),
        ...(publicUrl === undefined ? {} : { publicUrl }),
        webhooks,
      });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE')
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `Port ${port} is in use; pick another with --port (0 picks a free one).`,
        );
      throw error;
    }
    // The signal handlers are in place before the line that says the broker is up: a supervisor that
    // stops it as soon as it reads that line must not kill it half-way.
    const stopped = new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        io.stdout('Stopping: finishing in-flight requests and closing the database…\n');
        void broker.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.stdout(`Treaty broker listening on ${broker.url} (database ${redactDatabaseUrl(database)})\n`);
    if (defaults.auth === undefined && host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      io.stderr(
        `Warning: listening on ${host} without credentials; anyone who can reach it can publish. Set TREATY_BROKER_TOKEN.\n`,
      );
    }
    await stopped;
    return 0;
  },
};
