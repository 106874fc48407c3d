import type { FastifyServerOptions } from 'fastify';
import type { AppOptions } from '../options.js';
import { MAX_PARAM_LENGTH } from '../limits.js';
import { bodyLimit } from './body.js';
import { clientErrorHandler, frameworkErrors } from './errors.js';

/**
 * The fastify instance's own options: the body limit, a router that takes every link the broker
 * issues, proxies trusted only when configured, and framework and client errors in Treaty's shape.
 */
export function instanceOptions(options: AppOptions): FastifyServerOptions {
  return {
    logger: options.logger ?? false,
    bodyLimit: bodyLimit(options),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: frameworkErrors(options),
    clientErrorHandler,
  };
}
