import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { atRoot } from './root.js';

/** What a JSON answer may load or run: nothing, and it may not be framed. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * The Content-Security-Policy of an HTML page: no script at all, only the inline styles given (by hash),
 * images from the broker, forms posting to the broker, never framed.
 * @example reply.header('Content-Security-Policy', pagePolicy([CSS]))
 */
export function pagePolicy(inlineStyles: readonly string[]): string {
  const hashes = inlineStyles.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
  return [
    "default-src 'none'",
    `style-src ${hashes.join(' ')}`,
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the headers every answer carries; an HTML page keeps the policy it set itself. */
export function securityHeaders(reply: FastifyReply, html: boolean): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Referrer-Policy', 'no-referrer');
  if (!html || !reply.hasHeader('Content-Security-Policy'))
    reply.header('Content-Security-Policy', html ? pagePolicy([]) : API_POLICY);
}

/**
 * Security headers on every answer: no MIME sniffing, no framing (X-Frame-Options and CSP
 * frame-ancestors), no referrer, and a Content-Security-Policy (pages set theirs with {@link pagePolicy}).
 */
export const security = atRoot(async (app) => {
  app.addHook('onSend', async (_req, reply, payload) => {
    const type = reply.getHeader('Content-Type');
    securityHeaders(reply, typeof type === 'string' && type.startsWith('text/html'));
    return payload;
  });
});
