import { STATUS_CODES } from 'node:http';
import { TreatyError, isTreatyError, type ErrorCode } from '@treaty/core';
import { bodyLimit } from './body.js';
import { send } from './hal.js';
import { atRoot } from './root.js';

export function fail(code: ErrorCode, message: string): never {
  throw new TreatyError(code, message);
}

export function errorBody(
  statusCode: number,
  code: string,
  message: string,
): { statusCode: number; code: string; error: string; message: string } {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** Every error, and every request no route takes, answered as `{ statusCode, code, error, message }`. */
export const errors = atRoot<{ bodyLimit?: number }>(async (app, options) => {
  app.setErrorHandler((error: unknown, _req, reply) => {
    if (isTreatyError(error))
      return send(reply, error.status, errorBody(error.status, error.code, error.message));
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return send(
        reply,
        413,
        errorBody(
          413,
          'TREATY_BROKER_BAD_REQUEST',
          `The request body is larger than the broker accepts (${bodyLimit(options)} bytes).`,
        ),
      );
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return send(
        reply,
        415,
        errorBody(415, 'TREATY_BROKER_BAD_REQUEST', 'Send JSON with Content-Type: application/json.'),
      );
    if (e.statusCode !== undefined && e.statusCode < 500)
      return send(
        reply,
        e.statusCode,
        errorBody(e.statusCode, 'TREATY_BROKER_BAD_REQUEST', e.message ?? 'Bad request.'),
      );
    app.log.error(error);
    return send(
      reply,
      500,
      errorBody(500, 'TREATY_INTERNAL', 'A bug in Treaty. Please report it with the request that caused it.'),
    );
  });

  app.setNotFoundHandler((req, reply) =>
    send(reply, 404, errorBody(404, 'TREATY_BROKER_NOT_FOUND', `No resource at ${req.method} ${req.url}.`)),
  );
});
