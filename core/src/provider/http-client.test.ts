import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './http-client.js';

// The verifier's own HTTP/1.1 client against real servers on 127.0.0.1: raw ones that write exact
// bytes (to see what it sends and how it reads each way an answer can end), and node:http ones.

const servers: Array<{ close: (cb: () => void) => void }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

interface Raw {
  url: string;
  /** Every request's bytes as received, head and body, in order. */
  requests: string[];
  /** How many connections were opened. */
  connections: () => number;
}

/**
 * A server that reads each request (head, then Content-Length bytes or a chunked body) and writes
 * whatever `answer` returns for it (`{ last }`: that, then it closes; undefined: it cuts the
 * connection without a word).
 */
async function raw(
  answer: (request: string, n: number, onConnection: number) => string | { last: string } | undefined,
): Promise<Raw> {
  const requests: string[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    let onThis = 0;
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.slice(0, end + 4);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        let size = length;
        if (/transfer-encoding: *chunked/i.test(head)) {
          const last = buf.indexOf('0\r\n\r\n', end + 4);
          if (last === -1) return;
          size = last + 5 - (end + 4);
        }
        if (buf.length < end + 4 + size) return;
        const request = buf.slice(0, end + 4 + size);
        buf = buf.slice(end + 4 + size);
        requests.push(request);
        const out = answer(request, requests.length, ++onThis);
        if (out === undefined) {
          socket.destroy();
          return;
        }
        if (typeof out === 'string') socket.write(out, 'latin1');
        else {
          socket.end(out.last, 'latin1');
          return;
        }
      }
    });
  });
  servers.push({
    close: (cb) => {
      for (const s of sockets) s.destroy();
      server.close(cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    connections: () => connections,
  };
}

/** Listens on a free port of 127.0.0.1 (closed, connections and all, after the test); its URL. */
async function listening(
  server: ReturnType<typeof createHttpServer> | ReturnType<typeof createHttpsServer>,
  scheme: 'http' | 'https',
): Promise<string> {
  servers.push({
    close: (cb) => {
      server.closeAllConnections();
      server.close(cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ok = (body: string, extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const get = { method: 'GET', headers: {}, timeoutMs: 5000 };

describe('send: what goes out', () => {
  it('writes the headers as given, then Host and Connection, as node:http did', async () => {
    const s = await raw(() => ok('hi'));
    await send(`${s.url}/orders/1?x=a%20b`, {
      ...get,
      headers: { Accept: 'application/json', 'X-Trace': 'abc' },
    });
    const port = new URL(s.url).port;
    expect(s.requests[0]).toBe(
      `GET /orders/1?x=a%20b HTTP/1.1\r\nAccept: application/json\r\nX-Trace: abc\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`,
    );
  });

  it('sends every path and query as the URL parser reads them, plain ones as written', async () => {
    const s = await raw(() => ok(''));
    const paths = [
      '/items/1',
      '/items/1.json?expand=a,b&x=~1',
      '/a/./b/../c',
      '/a/.',
      '/a/..?q',
      '/a/%2e%2E/b',
      '/x?',
      '/x??',
      '/x?q=\'a\'&r="b"',
      "/it's",
      '/a b?c d',
      '/é?é',
      '/a\\b',
      '/x#fragment',
      '/x?y#z',
      '/{a}|^`[b]',
      '/.hidden/..x/x..',
      '/a:b@c;d=e!$()*+',
    ];
    for (const path of paths) await send(`${s.url}${path}`, get);
    // And through an origin written otherwise: upper case, a default port, a trailing path.
    const port = new URL(s.url).port;
    await send(`HTTP://127.0.0.1:${port}/Upper`, get);
    const sent = s.requests.map((r) => r.slice(4, r.indexOf(' HTTP/1.1')));
    const parsed = (url: string) => {
      const u = new URL(url);
      return `${u.pathname}${u.search}`;
    };
    expect(sent).toEqual([...paths.map((p) => parsed(`${s.url}${p}`)), '/Upper']);
    expect(sent.slice(0, 2)).toEqual(paths.slice(0, 2));
  });

  it('declares the length of a body, and a zero length for a POST without one', async () => {
    const s = await raw(() => ok(''));
    await send(s.url, {
      ...get,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":"é"}',
    });
    await send(`${s.url}/empty`, { ...get, method: 'POST' });
    expect(s.requests[0]).toMatch(
      /^POST \/ HTTP\/1\.1\r\nContent-Type: application\/json\r\ncontent-length: 10\r\n/,
    );
    expect(Buffer.from(s.requests[0] as string, 'latin1').toString('utf8')).toMatch(/\r\n\r\n\{"a":"é"\}$/);
    expect(s.requests[1]).toMatch(/^POST \/empty HTTP\/1\.1\r\n[\s\S]*Content-Length: 0\r\n\r\n$/);
  });

  it('writes the head as latin1 and a body as UTF-8, whether or not the body is ASCII', async () => {
    const s = await raw(() => ok(''));
    const headers = { 'X-L': 'caf\u00e9' };
    await send(s.url, { ...get, method: 'POST', headers, body: 'plain' });
    await send(s.url, { ...get, method: 'POST', headers, body: 'caf\u00e9 \u{1f600}' });
    await send(s.url, { ...get, method: 'POST', headers, body: new TextEncoder().encode('bytes') });
    await send(s.url, { ...get, method: 'PUT', headers: { 'Transfer-Encoding': 'gzip' }, body: 'z' });
    // The raw server keeps each byte as one latin1 character.
    const bytes = (r: string | undefined) => Buffer.from(r ?? '', 'latin1');
    expect(s.requests[0]).toMatch(/^POST \/ HTTP\/1\.1\r\nX-L: caf\u00e9\r\ncontent-length: 5\r\n/);
    expect(s.requests[0]).toMatch(/\r\n\r\nplain$/);
    expect(bytes(s.requests[1]).subarray(-10).toString('utf8')).toBe('caf\u00e9 \u{1f600}');
    expect(s.requests[1]).toMatch(/X-L: caf\u00e9\r\ncontent-length: 10\r\n/);
    expect(s.requests[2]).toMatch(/content-length: 5\r\n[\s\S]*\r\n\r\nbytes$/);
    expect(s.requests[3]).toMatch(/^PUT \/ HTTP\/1\.1\r\nTransfer-Encoding: gzip\r\ncontent-length: 1\r\n/);
  });

  it('keeps one header per name whatever its case, the last value where the first was', async () => {
    const s = await raw(() => ok(''));
    await send(s.url, { ...get, headers: { Accept: 'text/plain', 'X-A': '1', accept: 'application/json' } });
    expect(s.requests[0]).toMatch(/^GET \/ HTTP\/1\.1\r\naccept: application\/json\r\nX-A: 1\r\nHost: /);
  });

  it('sends a chunked body when the request asks for chunked, and no length beside it', async () => {
    const s = await raw(() => ok(''));
    await send(s.url, { ...get, method: 'PUT', headers: { 'Transfer-Encoding': 'chunked' }, body: 'hello' });
    expect(s.requests[0]).toMatch(/Transfer-Encoding: chunked\r\n/);
    expect(s.requests[0]).not.toMatch(/content-length/i);
    expect(s.requests[0]).toMatch(/\r\n\r\n5\r\nhello\r\n0\r\n\r\n$/);
  });

  it('refuses a header that would split the request, and sends nothing', async () => {
    const s = await raw(() => ok(''));
    await expect(send(s.url, { ...get, headers: { 'X-A': 'a\r\nX-Injected: 1' } })).rejects.toThrow(
      'Invalid character in header content ["X-A"]',
    );
    await expect(send(s.url, { ...get, headers: { 'X A': '1' } })).rejects.toThrow(
      'Header name must be a valid HTTP token ["X A"]',
    );
    await expect(send(s.url, { ...get, method: 'GE T' })).rejects.toThrow(
      'Method must be a valid HTTP token',
    );
    expect(s.connections()).toBe(0);
  });
});

describe('send: reading the answer', () => {
  it('keeps the connection alive between requests', async () => {
    const s = await raw((_r, n) => ok(`answer ${n}`));
    const a = await send(s.url, get);
    const b = await send(s.url, { ...get, method: 'POST', body: 'x' });
    expect([text(a.body), text(b.body)]).toEqual(['answer 1', 'answer 2']);
    expect(s.connections()).toBe(1);
  });

  it('reads a chunked body (extensions and trailers aside) and keeps the connection', async () => {
    const s = await raw(
      () =>
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n',
    );
    const a = await send(s.url, get);
    const b = await send(s.url, get);
    expect(text(a.body)).toBe('hello world');
    expect(text(b.body)).toBe('hello world');
    expect(a.headers['x-trailer']).toBeUndefined();
    expect(s.connections()).toBe(1);
  });

  it('reads a body that ends when the connection closes, and does not use that connection again', async () => {
    const s = await raw((_r, n) => ({
      last: `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close ${n}`,
    }));
    expect(text((await send(s.url, get)).body)).toBe('until close 1');
    expect(text((await send(s.url, get)).body)).toBe('until close 2');
    expect(s.connections()).toBe(2);
  });

  it('skips informational answers, and reads no body for HEAD, 204 and 304', async () => {
    const s = await raw((request) =>
      request.startsWith('HEAD')
        ? 'HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n'
        : request.includes('/none')
          ? 'HTTP/1.1 204 No Content\r\n\r\n'
          : `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${ok('final')}`,
    );
    const a = await send(s.url, get);
    expect([a.status, text(a.body)]).toEqual([200, 'final']);
    expect(a.headers.link).toBeUndefined();
    const head = await send(s.url, { ...get, method: 'HEAD' });
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, '42']);
    const none = await send(`${s.url}/none`, get);
    expect([none.status, none.body.length]).toEqual([204, 0]);
    expect(s.connections()).toBe(1);
  });

  it('gives the headers as node:http did: raw lines kept, repeats joined or first kept, cookies listed', async () => {
    const s = await raw(() =>
      ok(
        '',
        'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Type: text/html\r\nX-Multi: 1\r\nx-multi: 2\r\nVary:  Accept \r\n',
      ),
    );
    const r = await send(s.url, get);
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['x-multi']).toBe('1, 2');
    expect(r.headers.vary).toBe('Accept');
    expect(r.rawHeaders.slice(0, 4)).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1']);
    expect(r.rawHeaders).toContain('x-multi');
  });

  it('does not reuse a connection after Connection: close, or after bytes nobody asked for', async () => {
    const s = await raw((_r, n) => (n === 1 ? ok('a', 'Connection: close\r\n') : `${ok('b')}EXTRA`));
    await send(s.url, get);
    await send(s.url, get);
    await send(s.url, get);
    expect(s.connections()).toBe(3);
  });

  it('sends an idempotent request again, once, when a kept-alive connection was closed under it', async () => {
    // The second request on each connection is cut without an answer, as a server that closed an
    // idle connection just as the request came would.
    const s = await raw((_r, _n, onConnection) => (onConnection === 1 ? ok('fresh') : undefined));
    await send(s.url, get);
    const again = await send(s.url, get);
    expect(text(again.body)).toBe('fresh');
    expect(s.connections()).toBe(2);
    // A POST is not sent twice: it may have been acted on.
    await expect(send(s.url, { ...get, method: 'POST', body: 'x' })).rejects.toThrow(
      'the connection closed before any answer came',
    );
  });

  it('refuses what is not an HTTP answer, headers past the limit, contradicting lengths and bare LFs', async () => {
    const garbage = await raw(() => 'SSH-2.0-OpenSSH\r\n\r\n');
    await expect(send(garbage.url, get)).rejects.toThrow('HPE_INVALID_CONSTANT');
    const huge = await raw(() => `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await expect(send(huge.url, get)).rejects.toThrow('HPE_HEADER_OVERFLOW');
    const lengths = await raw(() => 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
    await expect(send(lengths.url, get)).rejects.toThrow('HPE_UNEXPECTED_CONTENT_LENGTH');
    // Bare LFs end no line, as for node:http: refused at once, not left to the deadline.
    for (const answer of [
      'HTTP/1.1 200 OK\nContent-Length: 2\n\nok',
      'HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n',
    ]) {
      const bare = await raw(() => answer);
      await expect(send(bare.url, get)).rejects.toThrow('HPE_CR_EXPECTED');
    }
  });

  it('stops a chunked answer past maxBytes', async () => {
    const chunk = `4000\r\n${'a'.repeat(0x4000)}\r\n`;
    const s = await raw(
      () => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(8)}0\r\n\r\n`,
    );
    await expect(send(s.url, { ...get, maxBytes: 50_000 })).rejects.toMatchObject({
      code: 'TREATY_VERIFY_TOO_LARGE',
    });
  });

  it('says why a connection failed', async () => {
    const s = await raw(() => undefined);
    await expect(send(s.url, get)).rejects.toThrow('the connection closed before any answer came');
    const closed = await raw(() => ok(''));
    servers.pop()?.close(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    await expect(send(closed.url, get)).rejects.toThrow('ECONNREFUSED');
  });

  it('reads answers that come a few bytes at a time, and bodies larger than one read, byte for byte', async () => {
    // Every read lands in one buffer the client lends to the answer being read; what an answer
    // keeps must be its own copy, whatever the reads' boundaries and whatever comes after them.
    const big = Buffer.alloc(200_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 0xff;
    const answers = [
      ok('split into small pieces'),
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7;x=1\r\nchunked\r\n7\r\n pieces\r\n0\r\nT: 1\r\n\r\n`,
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big]),
      { last: 'HTTP/1.1 200 OK\r\n\r\nuntil the end' },
    ];
    let served = 0;
    const server: Server = createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.on('data', async () => {
        const answer = answers[served++ % answers.length] as string | Buffer | { last: string };
        const bytes = Buffer.from(typeof answer === 'object' && 'last' in answer ? answer.last : answer);
        // Small pieces (the big body in large ones), each written after the client read the last.
        for (let at = 0; at < bytes.length; ) {
          const size = bytes.length > 100_000 ? 70_000 : 1 + (at % 5);
          socket.write(bytes.subarray(at, at + size));
          at += size;
          await new Promise((r) => setTimeout(r, 1));
        }
        if (typeof answer === 'object' && 'last' in answer) socket.end();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const small = await send(url, get);
    const chunked = await send(url, get);
    const large = await send(url, get);
    const closing = await send(url, get);
    // Read after every other answer came through the same buffer.
    expect(text(small.body)).toBe('split into small pieces');
    expect(text(chunked.body)).toBe('chunked pieces');
    expect(Buffer.from(large.body).equals(big)).toBe(true);
    expect(text(closing.body)).toBe('until the end');
    expect(small.body).toBeInstanceOf(Uint8Array);
    expect([small.body.byteOffset, small.body.buffer.byteLength]).toEqual([0, small.body.length]);
  });

  it('holds each request on a kept-alive connection to its own deadline', async () => {
    // /wait/<ms> answers after that long; /never does not answer.
    const server = createHttpServer((req, res) => {
      const wait = /^\/wait\/(\d+)$/.exec(req.url ?? '');
      if (wait !== null) setTimeout(() => res.end('late'), Number(wait[1]));
    });
    let connections = 0;
    server.on('connection', () => connections++);
    const url = await listening(server, 'http');
    // A short deadline after a long one on the same connection.
    await send(`${url}/wait/0`, { ...get, timeoutMs: 60_000 });
    // (Held to the earlier deadline, it would outlast the test's own.)
    await expect(send(`${url}/never`, { ...get, timeoutMs: 150 })).rejects.toMatchObject({
      code: 'TREATY_VERIFY_TIMEOUT',
    });
    // A long deadline after a short one: passing the earlier request's deadline fails nothing.
    await send(`${url}/wait/0`, { ...get, timeoutMs: 100 });
    const late = await send(`${url}/wait/300`, { ...get, timeoutMs: 5000 });
    expect([late.status, text(late.body)]).toEqual([200, 'late']);
    // And that one's own deadline still holds, on the connection kept from it.
    await expect(send(`${url}/never`, { ...get, timeoutMs: 150 })).rejects.toMatchObject({
      code: 'TREATY_VERIFY_TIMEOUT',
    });
    expect(connections).toBe(2);
  });

  it('opens at most 8 connections to one origin, the other requests wait their turn', async () => {
    let open = 0;
    let most = 0;
    const server = createHttpServer((_req, res) => {
      setTimeout(() => res.end('x'), 20);
    });
    server.on('connection', (socket) => {
      open++;
      most = Math.max(most, open);
      socket.on('close', () => open--);
    });
    const url = await listening(server, 'http');
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(url, get)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(most).toBe(8);
  });
});

describe('send over https', () => {
  it('speaks TLS, checks the certificate, and keeps the connection alive', async () => {
    // A throwaway self-signed certificate for 127.0.0.1, made for this test.
    const dir = mkdtempSync(join(tmpdir(), 'treaty-tls-'));
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...[
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
      ],
      { stdio: 'ignore' },
    );
    let connections = 0;
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => res.end(`secure ${req.url}`),
    );
    server.on('secureConnection', () => connections++);
    const url = await listening(server, 'https');
    // Not trusted by default: the certificate is checked.
    await expect(send(url, get)).rejects.toThrow('DEPTH_ZERO_SELF_SIGNED_CERT');
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      expect(text((await send(`${url}/a`, get)).body)).toBe('secure /a');
      expect(text((await send(`${url}/b`, get)).body)).toBe('secure /b');
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
    expect(connections).toBe(1);
  });
});
