import { resolve } from 'node:path';
import { TreatyError } from '@treaty/core';
import { parsePublicUrl, parseTrustProxy, settingsFromEnv, startBroker } from '@treaty/broker';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';

const usage = `Usage: treaty broker [--port 9292] [--host 127.0.0.1] [--database ./treaty-broker.sqlite]
                     [--public-url https://broker.example.com] [--trust-proxy true|ADDRESSES]

Runs the broker: stores contracts and verification results in one SQLite file (created with its
schema on first start) and serves the Pact Broker HTTP API. Stops cleanly on SIGINT or SIGTERM.
The same settings come from TREATY_BROKER_PORT, TREATY_BROKER_HOST, TREATY_BROKER_DATABASE,
TREATY_BROKER_PUBLIC_URL and TREATY_BROKER_TRUST_PROXY.
Credentials (off unless set): TREATY_BROKER_TOKEN or TREATY_BROKER_USERNAME/_PASSWORD for read-write,
TREATY_BROKER_READ_ONLY_TOKEN or TREATY_BROKER_READ_ONLY_USERNAME/_PASSWORD for read-only.

Links: every HAL link starts with --public-url when given; otherwise with the Host the client used.
X-Forwarded-Host/-Proto are ignored unless --trust-proxy names the proxy in front of the broker
(true trusts any, or a comma-separated list of addresses and CIDRs such as 127.0.0.1,10.0.0.0/8).
Limits: names, versions, branches, tags and environment names up to 255 characters, one line,
well-formed Unicode, not '.' or '..' (refused with 400 TREATY_BROKER_INVALID_NAME); bodies up to 10 MiB.`;

/** `treaty broker`. */
export const brokerCommand: Command = {
  name: 'broker',
  summary: 'run the broker (SQLite) that stores contracts and verification results',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(
      args,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        database: { type: 'string' },
        'public-url': { type: 'string' },
        'trust-proxy': { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const defaults = settingsFromEnv(io.env);
    const port = values.port === undefined ? defaults.port : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--port must be a port number (0–65535), got '${values.port}'.\n\n${usage}`,
      );
    const host = values.host ?? defaults.host;
    if (!/^[\w.:[\]-]+$/.test(host))
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--host must be a host name or an IP address such as 127.0.0.1, got '${host}'.\n\n${usage}`,
      );
    const database = resolve(io.cwd, values.database ?? defaults.database);
    const publicUrl =
      values['public-url'] === undefined ? defaults.publicUrl : parsePublicUrl(values['public-url']);
    const trustProxy =
      values['trust-proxy'] === undefined ? defaults.trustProxy : parseTrustProxy(values['trust-proxy']);
    let broker;
    try {
      broker = await startBroker({
        port,
        host,
        database,
        logger: values.json === true,
        ...(defaults.auth === undefined ? {} : { auth: defaults.auth }),
        ...(trustProxy === undefined ? {} : { trustProxy }),
        ...(publicUrl === undefined ? {} : { publicUrl }),
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
    io.stdout(`Treaty broker listening on ${broker.url} (database ${database})\n`);
    if (defaults.auth === undefined && host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      io.stderr(
        `Warning: listening on ${host} without credentials; anyone who can reach it can publish. Set TREATY_BROKER_TOKEN.\n`,
      );
    }
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        io.stdout('Stopping: finishing in-flight requests and closing the database…\n');
        void broker.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
