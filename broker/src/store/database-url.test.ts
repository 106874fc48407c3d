import { describe, expect, it } from 'vitest';
import { checkDatabaseSetting, isPostgresUrl, redactDatabaseUrl } from './database-url.js';

// Only parsed: nothing connects to these hosts.
describe('the database setting', () => {
  it('names PostgreSQL with a postgres:// or postgresql:// URL, and SQLite with anything else', () => {
    expect(isPostgresUrl('postgres://treaty@db:5432/treaty')).toBe(true);
    expect(isPostgresUrl('POSTGRESQL://treaty@db/treaty')).toBe(true);
    expect(isPostgresUrl('./treaty-broker.sqlite')).toBe(false);
    expect(isPostgresUrl('/var/lib/postgres/broker.sqlite')).toBe(false);
    expect(isPostgresUrl('C:\\data\\broker.sqlite')).toBe(false);
  });

  it.each([
    ['postgres://treaty:s3cret@db:5432/treaty', 'postgres://treaty:[redacted]@db:5432/treaty'],
    ['postgres://treaty:p@ss:w/rd@db/treaty', 'postgres://treaty:[redacted]@db/treaty'],
    [
      'postgresql://treaty:%40x@db/treaty?sslmode=require',
      'postgresql://treaty:[redacted]@db/treaty?sslmode=require',
    ],
    [
      'postgres://db/treaty?user=treaty&password=s3cret',
      'postgres://db/treaty?user=treaty&password=[redacted]',
    ],
    ['postgres://treaty@db/treaty', 'postgres://treaty@db/treaty'],
    ['./broker:sqlite@x', './broker:sqlite@x'],
  ])('shows %s as %s', (setting, shown) => {
    expect(redactDatabaseUrl(setting)).toBe(shown);
  });

  it.each([
    ['mysql://root:s3cret@db/treaty', 'neither a SQLite file path nor a postgres:// URL'],
    ['postgres://treaty:s3cret@/treaty', 'cannot be read'],
    ['postgres://treaty:s3cret@db:99999/treaty', 'cannot be read'],
    ['', 'is empty'],
  ])('refuses %j as a usage error, without its password', (setting, message) => {
    let error: unknown;
    try {
      checkDatabaseSetting(setting);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'TREATY_CLI_USAGE', message: expect.stringContaining(message) });
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('takes a file path, a URL with a host, and a Unix socket named by its host parameter', () => {
    for (const setting of [
      './broker.sqlite',
      'postgres://treaty:x@db.internal:5432/treaty',
      'postgres:///treaty?host=/var/run/postgresql',
    ])
      expect(() => checkDatabaseSetting(setting)).not.toThrow();
  });
});
