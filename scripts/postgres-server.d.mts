/** A running PostgreSQL server (see postgres-server.mjs). */
export interface PostgresServer {
  /** A fresh, empty database owned by the ordinary role; its URL (with the role's password). */
  database(): Promise<string>;
  /**
   * Runs SQL as the superuser, on the `postgres` database (to look at connections, say) or on the
   * database of a URL that `database()` gave.
   */
  admin<T>(sql: string, params?: unknown[], on?: URL): Promise<T[]>;
  /**
   * Runs SQL as the superuser in a transaction left open, on the database of a URL that `database()`
   * gave (to hold a lock while a test looks at what waits for it); `end()` commits and disconnects.
   */
  holding(sql: string, on: URL): Promise<{ end: () => Promise<void> }>;
  /** Resolves once `count` of the broker's sessions (`treaty-broker`) on the database wait for a lock. */
  lockWaiters(on: URL, count: number): Promise<void>;
  /** The role the broker connects as, and its password. */
  role: { name: string; password: string };
  port: number;
}

/** Why no server can start on this machine, or undefined when one can. */
export function postgresUnavailable(): string | undefined;

/** Starts a server on 127.0.0.1; `stop()` stops it and removes its folder. */
export function startPostgres(options?: {
  log?: string[];
  durable?: boolean;
}): Promise<{ server: PostgresServer; stop: () => Promise<void> }>;
