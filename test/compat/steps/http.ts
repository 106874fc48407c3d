import { request as httpRequest } from 'node:http';

/** A request as the scenarios describe it; a header name may repeat (several header lines). */
export interface OutgoingRequest {
  method: string;
  path: string;
  query: string;
  headers: Array<[string, string]>;
  body?: Buffer;
}

export interface ReceivedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends one request over loopback with node:http, so repeated header lines go out as written. */
export function send(baseUrl: string, req: OutgoingRequest): Promise<ReceivedResponse> {
  const url = new URL(`${req.path}${req.query === '' ? '' : `?${req.query}`}`, baseUrl);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of req.headers) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    const prev = headers[key];
    headers[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  if (req.body !== undefined) headers['Content-Length'] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const r = httpRequest(url, { method: req.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}
