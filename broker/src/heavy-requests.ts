import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { TreatyError } from '@treaty/core';

/** How many heavy requests may run, and wait, at once. */
export interface HeavyRequestOptions {
  /** Heavy requests running at the same time (default 1: the SQLite store answers synchronously). */
  concurrency?: number;
  /** Heavy requests waiting for their turn before the broker answers 503 (default 100). */
  maxQueued?: number;
  /** The Retry-After given with a 503, in seconds (default 1). */
  retryAfterSeconds?: number;
}

/**
 * The routes whose answer is computed from many rows: the gate (matrix, can-i-deploy and their
 * pages) and pacts for verification. Everything else is a lookup and is never queued.
 */
export const heavyRoutes: ReadonlySet<string> = new Set([
  'POST /pacts/provider/:provider/for-verification',
  'GET /matrix',
  'GET /can-i-deploy',
  'GET /ui/matrix',
  'GET /ui/can-i-deploy',
]);

/**
 * A queue of bounded length in front of a bounded number of runners. A runner's turn starts in a
 * later turn of the event loop (setImmediate), never straight after the previous one finished, so
 * the requests that arrived meanwhile — a heartbeat, a publish — are served between two heavy ones
 * instead of after all of them.
 */
export class HeavyGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** How many wait for a turn now. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Waits for a turn; false (at once) when the queue is full. Even a free runner starts in a later
   * turn of the event loop: requests that arrive together (a burst and a heartbeat) are all read
   * first, and only the heavy ones wait.
   */
  enter(): Promise<boolean> {
    if (this.running < this.concurrency && this.waiting.length === 0) {
      this.running++;
      return new Promise((resolve) => setImmediate(() => resolve(true)));
    }
    if (this.waiting.length >= this.maxQueued) return Promise.resolve(false);
    return new Promise((resolve) => this.waiting.push(() => resolve(true)));
  }

  /** Ends a turn; the next waiting request starts after the event loop has polled for I/O. */
  leave(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.running--;
      return;
    }
    setImmediate(next);
  }
}

/**
 * Puts every heavy route (see `heavyRoutes`) behind one `HeavyGate`. A full queue answers 503 with
 * `Retry-After` and TREATY_BROKER_BUSY. Register it before the routes.
 */
export function limitHeavyRequests(app: FastifyInstance, options: HeavyRequestOptions = {}): HeavyGate {
  const gate = new HeavyGate(Math.max(1, options.concurrency ?? 1), Math.max(0, options.maxQueued ?? 100));
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((m) => heavyRoutes.has(`${m} ${route.url}`))) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = async function gated(req, reply) {
      if (!(await gate.enter())) {
        reply.header('Retry-After', retryAfter);
        throw new TreatyError(
          'TREATY_BROKER_BUSY',
          `The broker has ${gate.queued} heavy requests (matrix, can-i-deploy, pacts for verification) waiting already; retry after ${retryAfter} s.`,
        );
      }
      try {
        return await handler.call(this, req, reply);
      } finally {
        gate.leave();
      }
    };
  });
  return gate;
}
