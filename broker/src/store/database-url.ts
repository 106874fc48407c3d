/**
 * Which store a `--database` setting names: a `postgres://` (or `postgresql://`) URL is PostgreSQL,
 * anything without a scheme is a SQLite file. The password in a URL is never shown.
 */
import { REDACTED, TreatyError } from '@treaty/core';

const scheme = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * True when the setting is a PostgreSQL connection URL.
 * @example isPostgresUrl('postgres://treaty@db:5432/treaty') // true
 */
export function isPostgresUrl(database: string): boolean {
  const m = scheme.exec(database);
  return m?.[1] !== undefined && ['postgres', 'postgresql'].includes(m[1].toLowerCase());
}

/**
 * The setting as it may be shown in a log or an error message: a URL's password (in its user part or
 * as a `password` parameter) becomes `[redacted]`, as every secret Treaty prints; a file path is
 * returned as it is.
 * @example redactDatabaseUrl('postgres://treaty:s3cret@db/treaty') // 'postgres://treaty:[redacted]@db/…'
 */
export function redactDatabaseUrl(database: string): string {
  if (!scheme.test(database)) return database;
  // Up to the last @: a password may itself hold an unencoded @ or /, and showing too little beats
  // showing part of a password.
  return database
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):.*@/i, `$1:${REDACTED}@`)
    .replace(/([?&]password=)[^&#]*/gi, `$1${REDACTED}`);
}

/**
 * Checks a database setting before anything opens it: a file path, or a PostgreSQL URL with a host.
 * Another scheme (mysql://, file://) is a usage error that says what is accepted.
 * @example checkDatabaseSetting('./treaty-broker.sqlite')
 */
export function checkDatabaseSetting(database: string): void {
  const m = scheme.exec(database);
  if (m === null) {
    if (database.trim() === '')
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        'The database setting is empty: give a SQLite file path or a postgres:// URL.',
      );
    return;
  }
  const shown = redactDatabaseUrl(database);
  if (!isPostgresUrl(database))
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `The database ${shown} is neither a SQLite file path nor a postgres:// URL; give one of those, such as postgres://treaty@db.example.com:5432/treaty (with the password after the user name).`,
    );
  let url: URL | undefined;
  try {
    url = new URL(database);
  } catch {
    url = undefined;
  }
  // A Unix socket is named by a `host` parameter (postgres:///treaty?host=/var/run/postgresql).
  if (url === undefined || (url.hostname === '' && !url.searchParams.has('host')))
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `The database URL ${shown} cannot be read; write it as postgres://treaty@db.example.com:5432/treaty, with the password after the user name (percent-encode its special characters).`,
    );
}
