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

/** Checks credentials on every request but the heartbeat, when any are configured. */
export const auth = atRoot<{ auth?: AuthOptions }>(async (app, options) => {
  const auth = options.auth;
  if (auth !== undefined && auth.readWrite.length + auth.readOnly.length > 0) {
    const matches = (header: string | undefined, list: Credential[]): boolean =>
      list.some((c) => {
        if (header === undefined) return false;
        if ('token' in c) return header === `Bearer ${c.token}`;
        return header === `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
      });
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/diagnostic/status/heartbeat')) return;
      const header = req.headers.authorization;
      const write = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
      if (matches(header, auth.readWrite)) return;
      if (matches(header, auth.readOnly)) {
        if (!write) return;
        return send(
          reply,
          403,
          errorBody(
            403,
            'TREATY_BROKER_FORBIDDEN',
            `These credentials are read-only; ${req.method} ${req.url.split('?')[0]} needs read-write credentials.`,
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
  }
});
