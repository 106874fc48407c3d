import { TreatyError } from '@treaty/core';
import { checkName } from '../limits.js';
import { atRoot } from './root.js';

/** Path parameters that carry a name, and what each is called in a message. */
const PATH_NAMES: Readonly<Record<string, string>> = {
  name: 'pacticipant name',
  pacticipant: 'pacticipant name',
  provider: 'provider name',
  consumer: 'consumer name',
  version: 'version number',
  branch: 'branch',
  tag: 'tag',
};

/** Query parameters that carry a name (an empty one, as a form sends for a blank field, means none). */
const QUERY_NAMES: Readonly<Record<string, string>> = {
  ...PATH_NAMES,
  environment: 'environment name',
  to: 'tag',
  applicationInstance: 'application instance',
  target: 'application instance',
};

/**
 * Checks every name in a request's path and query with the one rule names follow ({@link checkName}),
 * before any route reads them: a route never sees a name the broker would refuse to store.
 */
export const names = atRoot(async (app) => {
  app.addHook('preValidation', async (req) => {
    // The query is read leniently by fastify; a percent-encoding that is not UTF-8 is refused as in a path.
    const search = req.url.indexOf('?');
    if (search !== -1)
      for (const part of req.url.slice(search + 1).split('&')) {
        try {
          decodeURIComponent(part.replace(/\+/g, ' '));
        } catch {
          throw new TreatyError(
            'TREATY_BROKER_BAD_URL',
            'The query string is not valid percent-encoding; encode each value with encodeURIComponent.',
          );
        }
      }
    const params = req.params as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(params ?? {})) {
      const what = PATH_NAMES[key];
      if (what !== undefined) checkName(what, value);
    }
    const query = req.query as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(query ?? {})) {
      const what = QUERY_NAMES[key];
      if (what === undefined || value === '') continue;
      if (typeof value !== 'string')
        throw new TreatyError('TREATY_BROKER_BAD_REQUEST', `Give the query parameter '${key}' once.`);
      checkName(what, value);
    }
  });
});
