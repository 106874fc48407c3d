import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '@treaty/broker';
import {
  call,
  openBroker,
  routesOf,
  seed,
  type Names,
  type Seeded,
  type TestBroker,
} from './broker-support.js';

// Every link the broker issues resolves: with names, versions, branches, tags and environment names at
// the length limit (255 characters, ASCII or not, with the characters URLs reserve) and 40-character
// git SHAs, the HAL links (and the pages' links) are walked from one start per route family, and none
// answers 404, 414 or 5xx. Every GET route is reached, so a new route is walked too.

/** `prefix`, then `fill` repeated, to exactly `length` characters (code points). */
function sized(prefix: string, fill: string, length = LIMITS.name): string {
  const out = [...prefix];
  while (out.length < length) out.push(fill);
  return out.slice(0, length).join('');
}

const sha = (seedText: string): string =>
  Array.from(
    { length: 40 },
    (_, i) => '0123456789abcdef'[(seedText.charCodeAt(i % seedText.length) + i) % 16],
  ).join('');

const table: Array<[string, Names]> = [
  [
    'ASCII names of 255 characters and 40-character SHAs',
    {
      consumer: sized('consumer-', 'c'),
      provider: sized('provider-', 'p'),
      versions: [sha('first'), sha('second')],
      mainBranch: sized('main-', 'm'),
      branch: sized('feature/', 'b'),
      tag: sized('tag-', 't'),
      environment: sized('env-', 'e'),
      providerVersion: sha('provider'),
      providerBranch: sized('provider/main-', 'q'),
    },
  ],
  [
    'Unicode names of 255 characters, astral characters and URL-reserved ones',
    {
      consumer: sized('consumer ☃/?#%&+=;:@', '😀'),
      provider: sized('provider Ω %2e%2e/', 'é'),
      versions: [sha('unicode-1'), sha('unicode-2')],
      mainBranch: sized('main/😀?#&', 'ß'),
      branch: sized('feature/%00/', '漢'),
      tag: sized('tag %2e ', '𝄞'),
      environment: sized('env-Ω', '😀'),
      providerVersion: sized('2.0.0+', '😀'),
      providerBranch: sized('provider/😀', 'x'),
    },
  ],
  [
    'versions of 255 characters (semver with build metadata)',
    {
      consumer: 'web',
      provider: 'orders',
      versions: [sized('1.2.3-rc.1+build.', 'a'), sized('1.2.4-rc.1+build.', 'b')],
      mainBranch: 'main',
      branch: sized('release/', 'r'),
      tag: 'prod',
      environment: 'production',
      providerVersion: sized('9.9.9+sha.', 'f'),
      providerBranch: 'main',
    },
  ],
];

const ORIGIN = 'http://localhost:80';
const enc = encodeURIComponent;

/** Every `href` in a HAL document; templated ones filled in with the seeded names. */
function hrefsOf(value: unknown, fill: (template: string) => string, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) hrefsOf(v, fill, out);
  else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (typeof o.href === 'string') out.push(o.templated === true ? fill(o.href) : o.href);
    for (const v of Object.values(o)) hrefsOf(v, fill, out);
  }
  return out;
}

/** The links of an HTML page, resolved against the broker. */
function pageLinks(html: string): string[] {
  return [...html.matchAll(/\b(?:href|action)="([^"#]*)/g)]
    .map((m) =>
      (m[1] ?? '')
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'"),
    )
    .filter((h) => h.startsWith('/'))
    .map((h) => `${ORIGIN}${h}`);
}

describe.each(table)('every link the broker issues resolves: %s', (_title, n) => {
  let broker: TestBroker;
  let seeded: Seeded;
  const fetched = new Map<string, number>();

  beforeAll(async () => {
    broker = await openBroker();
    seeded = await seed(broker.app, n);
  });
  afterAll(async () => broker.close());

  it('keeps the for-verification token within the limit the router takes', () => {
    const token = /\/metadata\/([^/]+)$/.exec(seeded.pactHref)?.[1] ?? '';
    expect(token.length).toBeGreaterThan(0);
    expect(token.length).toBeLessThanOrEqual(LIMITS.token);
  });

  it('walks the HAL links and the pages from every route family without a 404, 414 or 5xx', async () => {
    const [v1] = n.versions;
    // A template on the provider's own resource is filled with the provider's version and branch.
    const fill = (template: string): string => {
      const ofProvider = template.startsWith(`${ORIGIN}/pacticipants/${enc(n.provider)}/`);
      return template.replace(/\{(\w+)\}/g, (_m, key: string) => {
        const values: Record<string, string> = {
          provider: n.provider,
          consumer: n.consumer,
          pacticipant: n.consumer,
          version: ofProvider ? n.providerVersion : v1,
          consumerApplicationVersion: v1,
          tag: n.tag,
          branch: ofProvider ? n.providerBranch : n.mainBranch,
          environment: n.environment,
          uuid: template.startsWith(`${ORIGIN}/webhooks/`) ? seeded.webhook : seeded.environment,
        };
        return enc(values[key] ?? key);
      });
    };
    const c = enc(n.consumer);
    const p = enc(n.provider);
    const pair = `/pacts/provider/${p}/consumer/${c}`;
    // One start per route family; the walk follows every link from there.
    const starts = [
      '/',
      '/pacticipants',
      '/environments',
      '/integrations',
      '/diagnostic/status/heartbeat',
      `/pacticipants/${c}`,
      `/pacticipants/${c}/tags/${enc(n.tag)}/versions`,
      `/pacticipants/${c}/latest-version/${enc(n.tag)}`,
      `${pair}/latest`,
      `${pair}/latest/${enc(n.tag)}`,
      `${pair}/branch/${enc(n.mainBranch)}/latest`,
      `/pacts/provider/${p}/latest`,
      `/pacts/provider/${p}/for-verification`,
      `/matrix?q[][pacticipant]=${c}&q[][version]=${enc(v1)}&latestby=cvp&latest=true`,
      `/can-i-deploy?pacticipant=${c}&version=${enc(v1)}&environment=${enc(n.environment)}`,
      `/contracts/bi-directional/provider/${p}/version/${enc(n.providerVersion)}/provider-contract`,
      new URL(seeded.pactHref).pathname,
      new URL(seeded.resultHref).pathname,
    ].map((u) => `${ORIGIN}${u}`);
    const pages = [
      '/',
      '/ui',
      '/ui/network',
      '/ui/environments',
      `/ui/matrix?pacticipant=${c}`,
      `/ui/can-i-deploy?pacticipant=${c}&version=${enc(v1)}&environment=${enc(n.environment)}`,
    ].map((u) => `${ORIGIN}${u}`);
    const queue: Array<{ url: string; html: boolean; from: string }> = [
      ...starts.map((url) => ({ url, html: false, from: 'start' })),
      ...pages.map((url) => ({ url, html: true, from: 'start' })),
      ...hrefsOf(seeded.forVerification, fill).map((url) => ({ url, html: false, from: 'for-verification' })),
    ];
    const seen = new Set<string>();
    const failures: string[] = [];
    while (queue.length > 0) {
      const { url, html, from } = queue.shift() as { url: string; html: boolean; from: string };
      if (!url.startsWith(ORIGIN) || seen.has(`${html}${url}`)) continue;
      seen.add(`${html}${url}`);
      const path = url.slice(ORIGIN.length) || '/';
      const a = await call(broker.app, 'GET', path, undefined, html ? { accept: 'text/html' } : {});
      fetched.set(path.split('?')[0] ?? path, a.status);
      if (a.status === 404 || a.status === 414 || a.status >= 500)
        failures.push(
          `${a.status} GET ${decodeURIComponent(path).slice(0, 300)} (linked from ${from}): ${a.text.slice(0, 200)}`,
        );
      if (a.status >= 400)
        expect(a.json).toMatchObject({ statusCode: a.status, code: expect.stringMatching(/^TREATY_/) });
      const next =
        html || a.headers['content-type']?.toString().startsWith('text/html')
          ? pageLinks(a.text)
          : hrefsOf(a.json, fill);
      for (const u of next) queue.push({ url: u, html, from: path.slice(0, 120) });
    }
    expect(failures).toEqual([]);
    expect(seen.size).toBeGreaterThan(40);

    // Every GET route was reached by some link or start: the walk covers every route family.
    const getRoutes = routesOf(broker.app).filter((r) => r.method === 'GET');
    const reached = (pattern: string): boolean => {
      const re = new RegExp(`^${pattern.replace(/:\w+/g, '[^/]+')}$`);
      return [...fetched.keys()].some((f) => re.test(f));
    };
    expect(getRoutes.filter((r) => !reached(r.url)).map((r) => r.url)).toEqual([]);
  });
});
