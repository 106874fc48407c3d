import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, TreatyError, isTreatyError, type ErrorCode } from '@treaty/core';
import { LIMITS } from '../limits.js';
import { bodyLimit } from './body.js';
import { send } from './hal.js';
import { atRoot } from './root.js';
import { securityHeaders } from './security.js';

export function fail(code: ErrorCode, message: string): never {
  throw new TreatyError(code, message);
}

/** The one shape of every error answer. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** An error answer under one of Treaty's codes, with the status that code has. */
function treatyBody(code: ErrorCode, message: string): ErrorBody {
  return errorBody(ERROR_CODES[code].status, code, message);
}

/**
 * Fastify's own errors (`FST_ERR_*`), each under the Treaty code that says the same thing; the message
 * says what to do instead. An error fastify gives no code for is mapped by its status.
 */
function frameworkError(
  error: { code?: string; statusCode?: number; message?: string },
  limit: number,
): ErrorBody | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return treatyBody(
        'TREATY_BROKER_BODY_TOO_LARGE',
        `The request body is larger than the broker accepts (${limit} bytes).`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE':
      return treatyBody(
        'TREATY_BROKER_UNSUPPORTED_MEDIA_TYPE',
        'Send JSON with Content-Type: application/json.',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return treatyBody(
        'TREATY_BROKER_BAD_REQUEST',
        'The Content-Length header does not match the body sent; send the body with its real length.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return treatyBody('TREATY_BROKER_BAD_REQUEST', 'The request body is not valid JSON.');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_INVALID_URL':
      return treatyBody(
        'TREATY_BROKER_BAD_URL',
        'The URL is not valid percent-encoding; encode each path segment with encodeURIComponent.',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return treatyBody(
        'TREATY_BROKER_INVALID_NAME',
        `A name in the URL is longer than the ${LIMITS.name} characters the broker accepts.`,
      );
    case 'FST_ERR_NOT_FOUND':
      return treatyBody('TREATY_BROKER_NOT_FOUND', 'No resource at that URL.');
    case 'FST_ERR_VALIDATION':
      return treatyBody('TREATY_BROKER_BAD_REQUEST', error.message ?? 'The request is not valid.');
  }
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status === 404) return treatyBody('TREATY_BROKER_NOT_FOUND', 'No resource at that URL.');
  if (status === 408)
    return treatyBody('TREATY_BROKER_REQUEST_TIMEOUT', 'The request did not arrive in time.');
  if (status === 413) return frameworkError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' }, limit);
  if (status === 415) return frameworkError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }, limit);
  // Fastify's other 4xx (an aborted body, a bad header): the client sent something unreadable.
  return treatyBody(
    'TREATY_BROKER_BAD_REQUEST',
    `The request cannot be read: ${error.message ?? 'bad request'}.`,
  );
}

const internal = (): ErrorBody =>
  treatyBody('TREATY_INTERNAL', 'A bug in Treaty. Please report it with the request that caused it.');

/** The answer to any error: a TreatyError as it is, a framework error mapped, anything else internal. */
function answerFor(error: unknown, limit: number): ErrorBody {
  if (isTreatyError(error)) return errorBody(error.status, error.code, error.message);
  return frameworkError(error as { code?: string; statusCode?: number }, limit) ?? internal();
}

/**
 * For fastify's `frameworkErrors` option: errors found before routing (bad URL encoding, a parameter
 * longer than the router accepts), which never reach the error handler.
 */
export function frameworkErrors(options: {
  bodyLimit?: number;
}): (error: Error, req: FastifyRequest, reply: FastifyReply) => void {
  return (error, _req, reply) => {
    const body = answerFor(error, bodyLimit(options));
    securityHeaders(reply, false);
    void send(reply, body.statusCode, body);
  };
}

/**
 * For fastify's `clientErrorHandler` option: an HTTP request Node cannot parse (headers too large, a
 * malformed request line, a timeout) is answered on the socket in the same shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const body =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? treatyBody(
          'TREATY_BROKER_HEADERS_TOO_LARGE',
          'The request headers are larger than the broker accepts.',
        )
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? treatyBody('TREATY_BROKER_REQUEST_TIMEOUT', 'The request did not arrive in time; send it again.')
        : treatyBody('TREATY_BROKER_BAD_REQUEST', 'The request is not valid HTTP.');
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${body.statusCode} ${body.error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
      `Connection: close\r\n\r\n${text}`,
  );
}

/** Every error, and every request no route takes, answered as `{ statusCode, code, error, message }`. */
export const errors = atRoot<{ bodyLimit?: number }>(async (app, options) => {
  app.setErrorHandler((error: unknown, _req, reply) => {
    const body = answerFor(error, bodyLimit(options));
    if (body.code === 'TREATY_INTERNAL') app.log.error(error);
    return send(reply, body.statusCode, body);
  });

  // A URL that a route takes with another method is answered 405 with Allow, not 404: every link the
  // broker issues resolves, even one only to POST to.
  const routes: Array<{ method: string; path: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    const path = route.url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    for (const method of [route.method].flat()) routes.push({ method, path: new RegExp(`^${path}$`) });
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.path.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('Allow', allowed.join(', '));
      return send(
        reply,
        405,
        treatyBody(
          'TREATY_BROKER_METHOD_NOT_ALLOWED',
          `${path} does not take ${req.method}; it takes ${allowed.join(', ')}.`,
        ),
      );
    }
    return send(
      reply,
      404,
      errorBody(404, 'TREATY_BROKER_NOT_FOUND', `No resource at ${req.method} ${req.url}.`),
    );
  });
});
