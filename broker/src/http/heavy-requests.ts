import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { TreatyError } from '@treaty/core';
import type { Store } from '../store/types.js';
import { atRoot } from './root.js';

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
const heavyRoutes: ReadonlySet<string> = new Set([
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

/** The heavy request running now (its store calls may yield), with when it last yielded. */
const heavyTurn = new AsyncLocalStorage<{ lastYield: number }>();

/** How long a heavy request computes before it lets the event loop serve other requests. */
const sliceMs = 2;

/**
 * The store as the routes see it: outside a heavy request it is the store itself; inside one, a
 * call made after `sliceMs` of work first waits for the event loop to poll, so requests that came
 * in meanwhile (a heartbeat, a publish, a page) are answered within milliseconds, not after the
 * whole matrix. Heavy requests still run one at a time (the gate), so each finishes as fast as
 * before. A store call itself is never split: each stays atomic as the Store interface promises.
 */
export function cooperativeStore(store: Store): Store {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(key);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        fn = (...args: unknown[]): unknown => {
          const turn = heavyTurn.getStore();
          if (turn === undefined || performance.now() - turn.lastYield < sliceMs)
            return method.apply(target, args);
          return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
            turn.lastYield = performance.now();
            return method.apply(target, args);
          });
        };
        wrapped.set(key, fn);
      }
      return fn;
    },
  });
}

/**
 * Puts every heavy route (see `heavyRoutes`) behind one `HeavyGate`. A full queue answers 503 with
 * `Retry-After` and TREATY_BROKER_BUSY. Register it before the routes.
 */
function limitHeavyRequests(app: FastifyInstance, options: HeavyRequestOptions = {}): HeavyGate {
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
        return await heavyTurn.run({ lastYield: performance.now() }, () => handler.call(this, req, reply));
      } finally {
        gate.leave();
      }
    };
  });
  return gate;
}

/** The gate as a root-scope plugin; register it before the routes, so its onRoute hook sees them. */
export const heavyRequests = atRoot<{ heavyRequests?: HeavyRequestOptions }>(async (app, options) => {
  limitHeavyRequests(app, options.heavyRequests);
});
