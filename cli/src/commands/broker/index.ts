import { resolve } from 'node:path';
import { TreatyError } from '@treaty/core';
import { settingsFromEnv, startBroker } from '@treaty/broker';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';

const usage = `Usage: treaty broker [--port 9292] [--host 127.0.0.1] [--database ./treaty-broker.sqlite]

Runs the broker: stores contracts and verification results in one SQLite file (created with its
schema on first start) and serves the Pact Broker HTTP API. Stops cleanly on SIGINT or SIGTERM.
The same settings come from TREATY_BROKER_PORT, TREATY_BROKER_HOST and TREATY_BROKER_DATABASE.
Credentials (off unless set): TREATY_BROKER_TOKEN or TREATY_BROKER_USERNAME/_PASSWORD for read-write,
TREATY_BROKER_READ_ONLY_TOKEN or TREATY_BROKER_READ_ONLY_USERNAME/_PASSWORD for read-only.`;

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
    let broker;
    try {
      broker = await startBroker({
        port,
        host,
        database,
        logger: values.json === true,
        ...(defaults.auth === undefined ? {} : { auth: defaults.auth }),
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
