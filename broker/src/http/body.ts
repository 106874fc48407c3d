import { TreatyError } from '@treaty/core';
import { atRoot } from './root.js';

/** Largest accepted request body in bytes: the option given, or 10 MiB. */
export function bodyLimit(options: { bodyLimit?: number }): number {
  return options.bodyLimit ?? 10 * 1024 * 1024;
}

/** Pact clients send JSON as application/json, HAL, or merge-patch; nothing else is read. */
export const body = atRoot(async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/hal+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (error) {
        done(
          new TreatyError(
            'TREATY_BROKER_BAD_REQUEST',
            `The request body is not valid JSON: ${(error as Error).message}.`,
          ),
          undefined,
        );
      }
    },
  );
});
