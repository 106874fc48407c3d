/**
 * The PostgreSQL store's connections: a `pg` Pool that answers ids as numbers and times as ISO 8601
 * text (as SQLite's rows do), transactions retried when PostgreSQL asks for it, and the errors of an
 * unreachable database turned into a retryable TreatyError that never shows the password.
 */
import { createHash } from 'node:crypto';
import { TreatyError, isTreatyError } from '@treaty/core';
import pg from 'pg';
import type { CustomTypesConfig, Pool, PoolClient } from 'pg';

const { builtins } = pg.types;
const parseTimestamp = pg.types.getTypeParser(builtins.TIMESTAMPTZ) as (text: string) => Date;

// bigint ids and counts fit a double (below 2^53); times become the ISO text SQLite stores.
const typeParsers = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown => {
    if (oid === builtins.INT8) return (text: string) => Number(text);
    if (oid === builtins.TIMESTAMPTZ) return (text: string) => parseTimestamp(text).toISOString();
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
  },
} as CustomTypesConfig;

/** The time of a write: when the statement ran (not when its transaction began), as SQLite's rows have it. */
export const NOW = 'clock_timestamp()';

/** Options of a store's pool. */
export interface PoolOptions {
  /** The most connections the pool opens (default 10). */
  max?: number;
  /** How long to wait for a connection before the database counts as unavailable (default 10 s). */
  connectionTimeoutMillis?: number;
}

/** A pool on the URL; connections say `treaty-broker` in pg_stat_activity. */
export function createPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: 'treaty-broker',
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    types: typeParsers,
  });
  // An idle connection that the server ended (a restart, a failover): the pool drops it and the next
  // query opens another. Without a listener the process would crash.
  pool.on('error', () => undefined);
  return pool;
}

/** A query on a pool or on one transaction's client: the rows, typed by the caller. */
export type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * The name a statement is prepared under: the same text always gets the same name. The store's SQL
 * comes from a fixed set of shapes, so each connection prepares a bounded number of statements.
 */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `treaty_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Runs statements as named prepared statements: PostgreSQL parses and plans each text once per
 * connection instead of on every call, which for the gate's bulk reads (CTEs over JSON parameters) was
 * most of their time — 2.6–2.7 ms a call planned every time, 0.8 ms prepared. Text holding several
 * statements (the migrations) cannot be prepared and runs as it is.
 */
export function queryOn(db: Pool | PoolClient): Query {
  return async <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (
      await (sql.includes(';')
        ? db.query(sql, params)
        : db.query({ name: statementName(sql), text: sql, values: params }))
    ).rows as T[];
}

/** SQLSTATE of an error PostgreSQL sent, if it is one. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A transaction PostgreSQL aborted so that it may be run again: a serialization failure or a deadlock. */
function mayRetry(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
}

/**
 * Whether an error says the database cannot be used just now: no connection (refused, reset, timed out,
 * ended), the server shutting down or out of connections, or a transaction still aborted after retries.
 */
function unavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) return /^(0800[0-46]|53|57P0[1-3]|40001|40P01|55P03|58)/.test(state);
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)/.test(e.code))
    return true;
  return (
    typeof e?.message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      e.message,
    )
  );
}

/**
 * The error to throw for one that came from `pg`: a TreatyError as it is; an unreachable database as
 * TREATY_BROKER_DATABASE_UNAVAILABLE (retryable, 503); text the database cannot hold (a NUL character)
 * as TREATY_BROKER_BAD_REQUEST; anything else (a bug) as it is. `where` is the redacted URL.
 */
export function translate(error: unknown, where: string): unknown {
  if (isTreatyError(error)) return error;
  const message = (error as { message?: unknown } | null)?.message;
  const reason = typeof message === 'string' ? message : String(error);
  if (unavailable(error))
    return new TreatyError(
      'TREATY_BROKER_DATABASE_UNAVAILABLE',
      `The broker database at ${where} cannot be used just now (${reason}). Retry; if it persists, check that PostgreSQL is running and reachable.`,
      { cause: error },
    );
  const state = sqlState(error);
  if (state === '22021' || state === '22P05')
    return new TreatyError(
      'TREATY_BROKER_BAD_REQUEST',
      'The request holds text PostgreSQL cannot store (a NUL character); remove it and send it again.',
      { cause: error },
    );
  return error;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in one transaction on a client of its own, committed when it returns and rolled back
 * when it throws. A transaction PostgreSQL aborted as a deadlock or serialization failure is run again
 * (up to 5 times, after a short random pause), so callers see it only if it keeps happening.
 *
 * READ COMMITTED is enough for the store's writes: each race between brokers meets at a unique
 * constraint (`INSERT … ON CONFLICT`, which waits for the other transaction and then sees its row) or
 * at a row lock, never at a read-then-write that only SERIALIZABLE would protect.
 */
export async function inTransaction<T>(pool: Pool, work: (q: Query) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(queryOn(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone: the pool must not hand it out again
      }
      if (!mayRetry(error) || attempt >= 5) throw error;
      await pause(Math.random() * 10 * attempt);
    } finally {
      client.release(broken);
    }
  }
}
