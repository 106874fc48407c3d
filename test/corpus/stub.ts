import { spawn } from 'node:child_process';
import { type OutgoingHttpHeaders, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isolated, pactEnv } from './corpus.js';

/** A pact-stub-server serving one file, reachable through a Unix socket; `close` ends it. */
export interface Stub {
  socketPath: string;
  close(): void;
}

/**
 * Starts `pact-stub-server -f file` in a network namespace of its own (it would listen on 0.0.0.0
 * otherwise) behind stub-bridge.mjs, and resolves once it serves. Rejects with the stub server's
 * output when it cannot load the file or does not start within `timeoutMs`.
 */
export function startStub(file: string, socketPath: string, timeoutMs = 15_000): Promise<Stub> {
  const bridge = fileURLToPath(new URL('./stub-bridge.mjs', import.meta.url));
  const stubBin = fileURLToPath(new URL('../../node_modules/.bin/pact-stub-server', import.meta.url));
  const { command, args } = isolated(process.execPath, [bridge, stubBin, socketPath, file]);
  const child = spawn(command, args, { env: pactEnv, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const close = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    child.stdin.destroy();
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let log = '';
    const timer = setTimeout(() => {
      close();
      reject(new Error(`pact-stub-server did not start within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) {
        clearTimeout(timer);
        resolve({ socketPath, close });
      } else if (out.startsWith('failed') && out.endsWith('\n') && out.split('\n').length > 2) {
        clearTimeout(timer);
        close();
        reject(new Error(`pact-stub-server could not serve ${file}:\n${log}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stub bridge ended (${code}) before the stub server served:\n${out}\n${log}`));
    });
  });
}

/** One request as it arrived at the recording proxy. */
export interface RecordedRequest {
  method: string;
  /** The path as sent, before the `?`. */
  path: string;
  /** The query string as sent, without the `?` (empty when none). */
  rawQuery: string;
  /** Header lines as sent: names and values alternating. */
  rawHeaders: string[];
  body: Buffer;
  /** Sent to the location a redirect the proxy passed on just named. */
  followsRedirect: boolean;
}

/** A recording HTTP proxy on 127.0.0.1 in front of a stub; `requests` grows as requests arrive. */
export interface RecordingProxy {
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

// Hop-by-hop headers are the proxy's own business; the body is sent whole with its length.
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade']);

function forwardable(raw: string[]): OutgoingHttpHeaders {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (hopByHop.has(name.toLowerCase())) continue;
    headers[name] = [...(headers[name] ?? []), raw[i + 1] as string];
  }
  // A header sent once stays one value (Node insists for Host).
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

/** Starts a proxy on 127.0.0.1, port 0, that records each request and forwards it to `stub`. */
export async function startRecordingProxy(stub: Stub): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  let redirectedTo: string | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method ?? '',
        path: q === -1 ? url : url.slice(0, q),
        rawQuery: q === -1 ? '' : url.slice(q + 1),
        rawHeaders: req.rawHeaders,
        body,
        followsRedirect: redirectedTo !== undefined && redirectedTo === url,
      });
      redirectedTo = undefined;
      const headers = forwardable(req.rawHeaders);
      if (body.length > 0) headers['content-length'] = String(body.length);
      const fail = (error: Error): void => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recording proxy: the stub server did not answer: ${error.message}`);
      };
      let upstream: ReturnType<typeof request>;
      try {
        upstream = request(
          { socketPath: stub.socketPath, method: req.method, path: url, headers, agent: false },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (c: Buffer) => parts.push(c));
            answer.on('end', () => {
              const answered = Buffer.concat(parts);
              const location = answer.headers.location;
              if (
                (answer.statusCode ?? 0) >= 300 &&
                (answer.statusCode ?? 0) < 400 &&
                location !== undefined
              ) {
                const target = new URL(
                  location,
                  `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
                );
                redirectedTo = `${target.pathname}${target.search}`;
              }
              const out = forwardable(answer.rawHeaders);
              if (req.method !== 'HEAD') out['content-length'] = String(answered.length);
              res.writeHead(answer.statusCode ?? 502, out);
              res.end(answered);
            });
          },
        );
      } catch (error) {
        fail(error as Error);
        return;
      }
      upstream.on('error', fail);
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The header values of a request by lower-case name, several values of one name in the order sent. */
export function headerMap(raw: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    map.set(name, [...(map.get(name) ?? []), raw[i + 1] as string]);
  }
  return map;
}
