/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  ConsumerContract,
  atLeastOneLike,
  datetime,
  eachLike,
  integer,
  like,
  regex,
  uuid,
} from '@treaty/core';
import { startBroker, type RunningBroker } from '@treaty/broker';
import { type Receiver, startReceiver } from '../support/webhook-receiver.js';

// The broker's pages in a real headless Chromium (Debian's package, driven by playwright-core),
// against a broker seeded only through its public HTTP API. Every test looks at what a person sees;
// a screenshot of each page is kept in test-artifacts/ui/.

const CHROMIUM = process.env.TREATY_CHROMIUM ?? '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));
if (!existsSync(CHROMIUM)) {
  throw new Error(
    `The browser tests need Chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (or point TREATY_CHROMIUM at one).`,
  );
}

let broker: RunningBroker;
let browser: Browser;
let receiver: Receiver;

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${broker.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/hal+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Publishes every contract in a folder for a consumer version, through POST /contracts/publish. */
async function publish(
  dir: string,
  consumer: string,
  version: string,
  branch: string,
): Promise<Map<string, string>> {
  const contracts = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const content = readFileSync(join(dir, f), 'utf8');
      return {
        consumerName: consumer,
        providerName: (JSON.parse(content) as { provider: { name: string } }).provider.name,
        specification: 'pact',
        contentType: 'application/json',
        content: Buffer.from(content).toString('base64'),
      };
    });
  const res = await api('POST', '/contracts/publish', {
    pacticipantName: consumer,
    pacticipantVersionNumber: version,
    branch,
    contracts,
  });
  const shas = new Map<string, string>();
  for (const c of (res._links as { 'pb:contracts': Array<{ href: string }> })['pb:contracts']) {
    const provider = decodeURIComponent(/provider\/([^/]+)/.exec(c.href)?.[1] ?? '');
    const pact = await api('GET', new URL(c.href).pathname);
    shas.set(
      provider,
      /pact-version\/([0-9a-f]+)/.exec(
        (pact._links as { 'pb:pact-version': { href: string } })['pb:pact-version'].href,
      )?.[1] ?? '',
    );
  }
  return shas;
}

async function verify(
  consumer: string,
  provider: string,
  sha: string,
  providerVersion: string,
  success: boolean,
): Promise<void> {
  await api('PUT', `/pacticipants/${provider}/branches/main/versions/${providerVersion}`, {});
  await api(
    'POST',
    `/pacts/provider/${provider}/consumer/${consumer}/pact-version/${sha}/verification-results`,
    {
      success,
      providerApplicationVersion: providerVersion,
      // What pact-verifier sends for a failure: the interaction and its mismatches.
      ...(success
        ? {}
        : {
            testResults: [
              {
                interactionId: '',
                interactionDescription: 'a request for order 7',
                success: false,
                mismatches: [{ attribute: 'body', identifier: '$.total', description: 'Expected a number' }],
              },
            ],
          }),
    },
  );
}

async function webContracts(dir: string, withLoyalty: boolean): Promise<void> {
  const orders = new ConsumerContract({ consumer: 'web', provider: 'orders', dir });
  await orders
    .addInteraction()
    .given('order 7 exists', { id: 7 })
    .uponReceiving('a request for order 7')
    .withRequest('GET', '/orders/7', (req) => req.headers({ Accept: 'application/json' }))
    .willRespondWith(200, (res) =>
      res.jsonBody(
        like({
          id: integer(7),
          reference: uuid('6f1c2d7e-3b7a-4c8e-9d2f-1a2b3c4d5e6f'),
          placedAt: datetime("yyyy-MM-dd'T'HH:mm:ssXXX", '2026-11-01T10:00:00+01:00'),
          status: regex(/placed|shipped/, 'placed'),
          lines: atLeastOneLike({ sku: regex(/[A-Z]+-\d+/, 'BOOK-1'), quantity: integer(1) }),
          ...(withLoyalty ? { loyaltyPoints: integer(10) } : {}),
        }),
      ),
    )
    .executeTest(
      async (mock) => void (await fetch(`${mock.url}/orders/7`, { headers: { Accept: 'application/json' } })),
    );
  await new ConsumerContract({ consumer: 'web', provider: 'payments', dir })
    .addInteraction()
    .uponReceiving('a payment')
    .withRequest('POST', '/payments', (req) => req.jsonBody({ amount: 12.5 }))
    .willRespondWith(201, (res) => res.jsonBody(like({ id: integer(1) })))
    .executeTest(
      async (mock) =>
        void (await fetch(`${mock.url}/payments`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"amount":12.5}',
        })),
    );
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    database: join(mkdtempSync(join(tmpdir(), 'treaty-ui-')), 'broker.sqlite'),
    // Webhooks may reach the receiver on loopback only.
    webhooks: { schemes: ['https', 'http'], hosts: ['127.0.0.1'] },
  });
  const prod = (await api('POST', '/environments', {
    name: 'production',
    displayName: 'Production',
    production: true,
  })) as { uuid: string };
  const staging = (await api('POST', '/environments', { name: 'staging', production: false })) as {
    uuid: string;
  };

  const web1 = mkdtempSync(join(tmpdir(), 'treaty-ui-web1-'));
  await webContracts(web1, false);
  const web1Shas = await publish(web1, 'web', '1.0.0', 'main');
  const web2 = mkdtempSync(join(tmpdir(), 'treaty-ui-web2-'));
  await webContracts(web2, true);
  const web2Shas = await publish(web2, 'web', '1.1.0', 'main');

  const mobile = mkdtempSync(join(tmpdir(), 'treaty-ui-mobile-'));
  await new ConsumerContract({ consumer: 'mobile', provider: 'orders', dir: mobile })
    .addInteraction()
    .uponReceiving('a list of orders')
    .withRequest('GET', '/orders')
    .willRespondWith(200, (res) => res.jsonBody({ orders: eachLike({ id: integer(1) }) }))
    .executeTest(async (mock) => void (await fetch(`${mock.url}/orders`)));
  const mobileShas = await publish(mobile, 'mobile', '3.2.0', 'main');

  const events = mkdtempSync(join(tmpdir(), 'treaty-ui-events-'));
  await new ConsumerContract({ consumer: 'notifications', provider: 'orders', dir: events })
    .addAsynchronousMessage()
    .given('an order was shipped')
    .expectsToReceive('an order shipped event', (m) =>
      m
        .withJSONContent({ orderId: integer(7), carrier: regex(/DHL|UPS/, 'DHL') })
        .withMetadata({ topic: 'orders.shipped' }),
    )
    .executeTest(() => undefined);
  await publish(events, 'notifications', '0.9.0', 'main');

  await verify('web', 'orders', web1Shas.get('orders') ?? '', '5.0.0', true);
  await verify('web', 'payments', web1Shas.get('payments') ?? '', '2.0.0', true);
  await verify('mobile', 'orders', mobileShas.get('orders') ?? '', '5.0.0', true);
  await verify('web', 'orders', web2Shas.get('orders') ?? '', '5.0.0', false);
  await api('POST', `/pacticipants/orders/versions/5.0.0/deployed-versions/environment/${prod.uuid}`, {});
  await api('POST', `/pacticipants/payments/versions/2.0.0/deployed-versions/environment/${prod.uuid}`, {
    applicationInstance: 'eu-1',
  });
  await api('POST', `/pacticipants/web/versions/1.0.0/deployed-versions/environment/${prod.uuid}`, {});
  await api('POST', `/pacticipants/mobile/versions/3.2.0/released-versions/environment/${prod.uuid}`, {});
  await api('POST', `/pacticipants/web/versions/1.1.0/deployed-versions/environment/${staging.uuid}`, {});

  // A webhook for orders' pacts, delivered once: web publishes 1.1.0 again (the same content).
  receiver = await startReceiver();
  await api('POST', '/webhooks', {
    description: 'Tell the orders CI',
    provider: { name: 'orders' },
    events: [{ name: 'contract_published' }],
    request: {
      method: 'POST',
      url: `${receiver.url}/build`,
      headers: { Authorization: 'Bearer not-on-the-page' },
      body: { consumer: '${pactbroker.consumerName}' },
    },
  });
  await publish(web2, 'web', '1.1.0', 'main');
  await receiver.waitFor(1);
  await broker.app.treatyWebhooks.settled();

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await broker?.close();
  await receiver?.close();
});

async function open(path: string, shot: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport, javaScriptEnabled: false });
  const res = await page.goto(`${broker.url}${path}`);
  expect(res?.status(), path).toBe(200);
  expect(res?.headers()['content-type']).toContain('text/html');
  await page.screenshot({ path: join(artifacts, `${shot}.png`), fullPage: true });
  return page;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

// A real browser on a shared 2-core machine while the rest of the suite runs: a page with its
// full-page screenshot can take a second or two, and one test opens five.
describe('the broker web UI in Chromium (JavaScript off)', { timeout: 30_000 }, () => {
  it('the root answers a browser with the integrations page, and Pact clients with HAL', async () => {
    const page = await open('/', 'integrations');
    expect(await page.title()).toBe('Integrations · Treaty broker');
    expect(await text(page, 'h1')).toBe('Integrations');
    const rows = await page.locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^mobile orders version 3\.2\.0 published .* ✔ verified by orders 5\.0\.0, /),
      expect.stringMatching(/^notifications orders version 0\.9\.0 published .* not verified$/),
      expect.stringMatching(/^web orders version 1\.1\.0 published .* ✘ failed by orders 5\.0\.0, /),
      expect.stringMatching(/^web payments version 1\.1\.0 published .* ✔ verified by payments 2\.0\.0, /),
    ]);
    expect(await text(page, 'main p.muted')).toContain(
      '4 contracts between consumers and providers: 2 verified, 1 failed, 1 not verified yet',
    );
    await page.close();
    const hal = await fetch(`${broker.url}/`, {
      headers: { Accept: 'application/hal+json, application/json' },
    });
    expect(hal.headers.get('content-type')).toContain('application/hal+json');
    expect(
      ((await hal.json()) as { _links: Record<string, unknown> })._links['pb:pacticipants'],
    ).toBeDefined();
  });

  it('draws the network as an SVG with every service and a coloured arrow per contract', async () => {
    const page = await open('/ui/network', 'network');
    const svg = page.locator('svg.network');
    expect(await svg.getAttribute('role')).toBe('img');
    expect((await svg.locator('a.node text').allTextContents()).sort()).toEqual([
      'mobile',
      'notifications',
      'orders',
      'payments',
      'web',
    ]);
    expect(await svg.locator('path.edge.ok').count()).toBe(2);
    expect(await svg.locator('path.edge.bad').count()).toBe(1);
    expect(await svg.locator('path.edge.unknown').count()).toBe(1);
    expect(await svg.locator('path.edge.bad title').textContent()).toBe('web → orders: verification failed');
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    // Consumers are drawn left of the providers they depend on.
    const x = async (name: string) => (await svg.locator('a.node', { hasText: name }).boundingBox())?.x ?? -1;
    expect(await x('web')).toBeLessThan(await x('orders'));
    await page.close();
  });

  it('renders a contract as documentation: states, requests, responses and the matchers in words', async () => {
    const page = await open('/ui/contracts/provider/orders/consumer/web', 'contract');
    expect(await text(page, 'h1')).toBe('web → orders');
    expect(await page.locator('dl.meta').first().innerText()).toMatch(/Consumer version\s+1\.1\.0/);
    const article = page.locator('article.interaction').first();
    expect(await article.locator('h3').innerText()).toBe('a request for order 7 (HTTP)');
    const words = await article.innerText();
    expect(words).toContain('Given order 7 exists {"id":7}');
    expect(words).toContain('GET /orders/7');
    expect(words).toContain('Status 200');
    expect(words).toContain('id: any integer');
    expect(words).toContain(
      'reference: text matching the pattern [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
    );
    expect(words).toContain("placedAt: a date and time formatted yyyy-MM-dd'T'HH:mm:ssXXX");
    expect(words).toContain('lines: a list with at least 1 item, each like the example');
    expect(words).toContain('loyaltyPoints: any integer');
    const message = await open('/ui/contracts/provider/orders/consumer/notifications', 'contract-message');
    const m = await message.locator('article.interaction').innerText();
    expect(m).toContain('an order shipped event (message)');
    expect(m).toContain('Given an order was shipped');
    expect(m).toContain('carrier: text matching the pattern DHL|UPS');
    expect(m).toContain('"topic": "orders.shipped"');
    await message.close();
    await page.close();
  });

  it('shows the matrix of a pacticipant, filtered by environment with the form', async () => {
    const page = await open('/ui/matrix?pacticipant=web', 'matrix');
    const all = (await page.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    expect(all).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^web 1\.1\.0 orders 5\.0\.0 ✘ failed/),
        expect.stringMatching(/^web 1\.0\.0 orders 5\.0\.0 ✔ verified/),
        expect.stringMatching(/^web 1\.0\.0 payments 2\.0\.0 ✔ verified/),
      ]),
    );
    await page.selectOption('select[name=environment]', 'staging');
    await page.click('button[type=submit]');
    await page.waitForURL(/environment=staging/);
    expect(await text(page, 'main h2')).toBe('web in staging');
    const staging = (await page.locator('tbody tr').allInnerTexts()).map((r) =>
      r.replace(/\s+/g, ' ').trim(),
    );
    expect(staging.every((r) => r.startsWith('web 1.1.0'))).toBe(true);
    await page.screenshot({ path: join(artifacts, 'matrix-staging.png'), fullPage: true });
    await page.close();
  });

  it('answers can-i-deploy from the form: no for the breaking version, with its reason; yes for the deployed one', async () => {
    const page = await open('/ui/can-i-deploy', 'can-i-deploy-empty');
    await page.selectOption('select[name=pacticipant]', 'web');
    await page.fill('input[name=version]', '1.1.0');
    await page.selectOption('select[name=environment]', 'production');
    await page.click('button[type=submit]');
    await page.waitForURL(/version=1\.1\.0/);
    const verdict = page.locator('section.verdict');
    expect(await verdict.getAttribute('class')).toContain('bad');
    expect(await verdict.locator('h2').innerText()).toBe('No: web 1.1.0 cannot be deployed to production.');
    expect(await verdict.innerText()).toContain(
      'orders 5.0.0 (currently in production) failed to verify the pact of web 1.1.0',
    );
    await page.screenshot({ path: join(artifacts, 'can-i-deploy-no.png'), fullPage: true });
    await page.goto(`${broker.url}/ui/can-i-deploy?pacticipant=web&version=1.0.0&environment=production`);
    expect(await page.locator('section.verdict h2').innerText()).toBe(
      'Yes: web 1.0.0 can be deployed to production.',
    );
    await page.screenshot({ path: join(artifacts, 'can-i-deploy-yes.png'), fullPage: true });
    await page.close();
  });

  it('lists environments with what is deployed and released in each', async () => {
    const page = await open('/ui/environments', 'environments');
    const sections = page.locator('main section');
    expect(await sections.locator('h2').allInnerTexts()).toEqual(['Production (production)', 'Staging']);
    const prod = (await sections.first().locator('tbody tr').allInnerTexts()).map((r) =>
      r.replace(/\s+/g, ' ').trim(),
    );
    expect(prod).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^orders 5\.0\.0 deployed /),
        expect.stringMatching(/^payments 2\.0\.0 deployed \(instance eu-1\) /),
        expect.stringMatching(/^web 1\.0\.0 deployed /),
        expect.stringMatching(/^mobile 3\.2\.0 released, supported /),
      ]),
    );
    await page.close();
  });

  it('is keyboard reachable: a skip link first, then the navigation, and every page has one main and one h1', async () => {
    const page = await open('/', 'integrations-keyboard');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      order.push((await page.evaluate(() => document.activeElement?.textContent ?? '')).trim());
    }
    expect(order).toEqual([
      'Treaty broker',
      'Integrations',
      'Network',
      'Matrix',
      'Can I deploy?',
      'Environments',
      'Webhooks',
      'network',
    ]);
    for (const path of [
      '/',
      '/ui/network',
      '/ui/matrix?pacticipant=web',
      '/ui/can-i-deploy',
      '/ui/environments',
      '/ui/webhooks',
      '/ui/contracts/provider/orders/consumer/web',
    ]) {
      await page.goto(`${broker.url}${path}`);
      expect(await page.locator('main').count(), path).toBe(1);
      expect(await page.locator('h1').count(), path).toBe(1);
      expect(await page.locator('html').getAttribute('lang'), path).toBe('en');
    }
    await page.close();
  });

  it('is sensible on a phone: no page is wider than the screen', async () => {
    for (const [path, shot] of [
      ['/', 'phone-integrations'],
      ['/ui/network', 'phone-network'],
      ['/ui/contracts/provider/orders/consumer/web', 'phone-contract'],
      ['/ui/can-i-deploy?pacticipant=web&version=1.1.0&environment=production', 'phone-can-i-deploy'],
      ['/ui/environments', 'phone-environments'],
    ] as const) {
      const page = await open(path, shot, { width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await page.close();
    }
  });

  it('leads from a failed contract to why it failed: the interaction and its mismatch by path', async () => {
    const page = await open('/ui/contracts/provider/orders/consumer/web', 'contract-failed');
    await Promise.all([page.waitForURL(/\/ui\/verifications\/\d+$/), page.click('a:has(.status.bad)')]);
    expect(await text(page, '.verdict h2')).toBe('✘ orders 5.0.0 failed to verify the pact of web');
    expect(await text(page, 'article.interaction h3')).toContain('a request for order 7');
    const row = (await page.locator('article.interaction tbody tr').allInnerTexts())[0] ?? '';
    expect(row.replace(/\s+/g, ' ').trim()).toBe('$.body.total Expected a number');
    await page.screenshot({ path: join(artifacts, 'verification-failed.png'), fullPage: true });
    await page.close();
  });

  it("shows the webhooks, and each one's deliveries and attempts, with its secrets masked", async () => {
    const page = await open('/ui/webhooks', 'webhooks');
    expect(await text(page, 'h1')).toBe('Webhooks');
    const row = (await page.locator('tbody tr').allInnerTexts())[0] ?? '';
    expect(row.replace(/\s+/g, ' ').trim()).toBe('Tell the orders CI any consumer orders contract_published');
    await Promise.all([
      page.waitForURL(/\/ui\/webhooks\/[A-Za-z0-9_-]+$/),
      page.click('text=Tell the orders CI'),
    ]);
    expect(await text(page, 'h1')).toBe('Tell the orders CI');
    expect(await text(page, 'article.delivery h3')).toContain('contract_published');
    expect(await text(page, 'article.delivery p')).toContain('✔ delivered after 1 attempt');
    expect(await text(page, 'article.delivery summary')).toMatch(/^Attempt 1: delivered \(HTTP 200\)/);
    expect(await page.content()).not.toContain('not-on-the-page');
    await page.screenshot({ path: join(artifacts, 'webhook.png'), fullPage: true });
    await page.close();
    const phone = await open('/ui/webhooks', 'phone-webhooks', { width: 390, height: 844 });
    expect(
      await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await phone.close();
  });

  it('answers unknown names with a page that says so, and a 404', async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    const res = await page.goto(`${broker.url}/ui/matrix?pacticipant=ghost`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('[role=alert]').innerText()).toBe('There is no pacticipant named ghost.');
    const contract = await page.goto(`${broker.url}/ui/contracts/provider/orders/consumer/ghost`);
    expect(contract?.status()).toBe(404);
    expect(await page.locator('[role=alert]').innerText()).toBe(
      'There is no contract between ghost and orders.',
    );
    await page.close();
  });
});
