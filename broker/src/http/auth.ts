import { createHash, timingSafeEqual } from 'node:crypto';
import { errorBody } from './errors.js';
import { send } from './hal.js';
import { atRoot } from './root.js';

/** A credential: a bearer token, or a username and password for basic auth. */
export type Credential = { token: string } | { username: string; password: string };

/** Who may do what. Without any credential the broker is open (meant for loopback). */
export interface AuthOptions {
  readWrite: Credential[];
  readOnly: Credential[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call a route when credentials are configured: `public` needs none (the heartbeat), `read`
     * any credential whatever the method (a POST that only reads); by default GET/HEAD/OPTIONS are
     * reads and other methods writes.
     */
    access?: 'public' | 'read';
  }
}

// Credentials are compared as SHA-256 hashes with timingSafeEqual: neither content nor length leaks.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A credential as the hashes of what is compared, computed once. */
type Known = { token: Buffer } | { username: Buffer; password: Buffer };

function known(list: Credential[]): Known[] {
  return list.map((c) =>
    'token' in c
      ? { token: digest(c.token) }
      : { username: digest(c.username), password: digest(c.password) },
  );
}

/** What an Authorization header presents, hashed; undefined when it is neither Bearer nor Basic. */
function presented(header: string): Known | undefined {
  const space = header.indexOf(' ');
  if (space === -1) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return { token: digest(value) };
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { username: digest(decoded.slice(0, colon)), password: digest(decoded.slice(colon + 1)) };
}

/** Whether any credential of the list matches; every one is compared, so timing says nothing of which. */
function matches(given: Known, list: Known[]): boolean {
  let found = false;
  for (const k of list) {
    if ('token' in k && 'token' in given) found = timingSafeEqual(k.token, given.token) || found;
    else if ('username' in k && 'username' in given)
      found =
        (timingSafeEqual(k.username, given.username) && timingSafeEqual(k.password, given.password)) || found;
  }
  return found;
}

/** Checks credentials on every request but the heartbeat's route, when any are configured. */
export const auth = atRoot<{ auth?: AuthOptions }>(async (app, options) => {
  const auth = options.auth;
  if (auth === undefined || auth.readWrite.length + auth.readOnly.length === 0) return;
  const readWrite = known(auth.readWrite);
  const readOnly = known(auth.readOnly);
  app.addHook('onRequest', async (req, reply) => {
    // By the route matched, not the URL text: `/diagnostic/status/heartbeatX` or a query is no heartbeat.
    const access = req.routeOptions.config?.access;
    if (access === 'public') return;
    const header = req.headers.authorization;
    const given = header === undefined ? undefined : presented(header);
    const write =
      access !== 'read' && req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
    if (given !== undefined && matches(given, readWrite)) return;
    if (given !== undefined && matches(given, readOnly)) {
      if (!write) return;
      return send(
        reply,
        403,
        errorBody(
          403,
          'TREATY_BROKER_FORBIDDEN',
          `${req.method} ${req.url.split('?')[0]} needs the read-write role; these credentials have the read-only role. Use read-write credentials (TREATY_BROKER_TOKEN or TREATY_BROKER_USERNAME/_PASSWORD on the broker).`,
        ),
      );
    }
    reply.header('WWW-Authenticate', 'Bearer realm="treaty", Basic realm="treaty"');
    return send(
      reply,
      401,
      errorBody(
        401,
        'TREATY_BROKER_UNAUTHORIZED',
        header === undefined
          ? 'This broker needs credentials: send a bearer token or basic auth.'
          : 'These credentials are not known to this broker.',
      ),
    );
  });
});
