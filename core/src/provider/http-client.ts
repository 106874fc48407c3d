import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';

/** What came back from the provider. */
export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Header lines as sent (names and values alternating), to keep repeated headers apart. */
  rawHeaders: string[];
  body: Uint8Array;
}

/** Why a request got no answer. */
class RequestFailure extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

// One keep-alive pool per protocol for the whole verification: a new connection per interaction
// would cost more than the interaction itself. TLS is loaded only when an https URL needs it.
const httpAgent = new Agent({ keepAlive: true, maxSockets: 8 });
type Requester = (options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;
let https: Promise<{ request: Requester; agent: Agent }> | undefined;

function loadHttps(): Promise<{ request: Requester; agent: Agent }> {
  https ??= import('node:https').then((m) => ({
    request: m.request,
    agent: new m.Agent({ keepAlive: true, maxSockets: 8 }),
  }));
  return https;
}

/**
 * Sends one HTTP request over a kept-alive connection and reads the whole answer.
 * @example await send('http://127.0.0.1:8080/orders/1', { method: 'GET', headers: {}, timeoutMs: 30000 })
 */
export async function send(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: Uint8Array | string; timeoutMs: number },
): Promise<ClientResponse> {
  const u = new URL(url);
  const tls = u.protocol === 'https:' ? await loadHttps() : undefined;
  return new Promise((resolve, reject) => {
    const req = (tls?.request ?? httpRequest)(
      {
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: options.method,
        headers:
          options.body === undefined
            ? options.headers
            : {
                ...options.headers,
                'content-length': String(
                  typeof options.body === 'string' ? Buffer.byteLength(options.body) : options.body.length,
                ),
              },
        agent: tls?.agent ?? httpAgent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
        );
        res.on('error', (error) => reject(new RequestFailure(error.message, false)));
      },
    );
    req.setTimeout(options.timeoutMs, () => {
      req.destroy();
      reject(new RequestFailure(`no answer within ${options.timeoutMs} ms`, true));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(new RequestFailure(error.code ?? error.message, false)),
    );
    req.end(options.body);
  });
}
