import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../app.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function broker(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  const store = SqliteStore.open(':memory:');
  app = await buildApp({ store, ...options });
  app.addHook('onClose', async () => store.close());
  return app;
}

describe('security headers', () => {
  it('sends nosniff, no referrer and no framing on every answer, errors and bad URLs included', async () => {
    const a = await broker();
    for (const url of [
      '/',
      '/pacticipants',
      '/nope',
      '/pacticipants/%ZZ',
      `/pacticipants/${'a'.repeat(5000)}`,
    ]) {
      const res = await a.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
  });

  it('gives the pages a policy with no script that allows exactly the inline style they carry', async () => {
    const res = await (await broker()).inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    const csp = String(res.headers['content-security-policy']);
    expect(res.body).not.toMatch(/<script|\sstyle="|\son[a-z]+="/i);
    const styles = [...res.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256')
      .update(styles[0] ?? '')
      .digest('base64');
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('the base of HAL links', () => {
  const forwarded = {
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
    host: 'broker.local:9292',
  };

  it('ignores X-Forwarded-Host/-Proto from a client by default', async () => {
    const res = await (await broker()).inject({ method: 'GET', url: '/', headers: forwarded });
    expect(JSON.stringify(res.json())).not.toContain('evil.example');
    expect(res.json()._links.self.href).toBe('http://broker.local:9292');
  });

  it('follows them behind a trusted proxy', async () => {
    const a = await broker({ trustProxy: '127.0.0.1' });
    const res = await a.inject({ method: 'GET', url: '/', headers: forwarded, remoteAddress: '127.0.0.1' });
    expect(res.json()._links.self.href).toBe('https://evil.example');
    // inject() only labels the simulated request with this address; nothing connects to it.
    const other = await a.inject({ method: 'GET', url: '/', headers: forwarded, remoteAddress: '10.1.2.3' });
    expect(other.json()._links.self.href).toBe('http://broker.local:9292');
  });

  it('uses the configured public URL whatever the request says', async () => {
    const res = await (await broker({ publicUrl: 'https://broker.example.com/' })).inject({
      method: 'GET',
      url: '/',
      headers: forwarded,
    });
    expect(res.json()._links.self.href).toBe('https://broker.example.com');
  });

  it('does not put a Host header that is no host into links', async () => {
    const res = await (await broker()).inject({
      method: 'GET',
      url: '/',
      headers: { host: 'evil.example/x?' },
    });
    expect(res.json()._links.self.href).toBe('http://localhost');
  });
});
