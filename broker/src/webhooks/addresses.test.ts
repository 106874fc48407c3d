import { describe, expect, it } from 'vitest';
import { hostAllowed, loopbackName, parseHostAllowList, refusedAddress } from './addresses.js';
import { parseRetrySchedule, splitList, webhookSettings } from './settings.js';

// Addresses here are only classified as text; nothing connects to any of them.

describe('which addresses a webhook may not reach', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00::1', 'unique-local'],
    ['fc12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    // Classified as text and refused; never contacted.
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:a00:1::', 'private'],
    ['::127.0.0.1', 'IPv4-compatible'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(refusedAddress(address)).toContain(kind);
  });

  it.each([
    '8.8.8.8',
    // Public addresses, classified as text only: never resolved or contacted.
    '1.1.1.1',
    '93.184.215.14',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
  ])('lets %s through (a public address)', (address) => {
    expect(refusedAddress(address)).toBeUndefined();
  });

  it('refuses what is not an IP address, and knows localhost by name', () => {
    expect(refusedAddress('localhost')).toBe('not an IP address');
    expect(loopbackName('localhost')).toBe(true);
    expect(loopbackName('api.localhost.')).toBe(true);
    expect(loopbackName('localhost.example.com')).toBe(false);
  });
});

describe('the host allow-list', () => {
  const [list, bad] = parseHostAllowList([
    'ci.example.com',
    '*.hooks.example.com',
    '/^build-\\d+\\.corp$/',
    '127.0.0.1',
    // Ranges parsed as text for the allow-list; nothing connects to them.
    '10.0.0.0/8',
    'fd00::/8',
  ]);

  it('reads names, wildcards, regexes, addresses and ranges', () => {
    expect(bad).toEqual([]);
    // Unreadable entries, refused while parsing; nothing connects to them.
    expect(parseHostAllowList(['10.0.0.0/33', '/(/', 'a b', 'http://x'])[1]).toEqual([
      '10.0.0.0/33',
      '/(/',
      'a b',
      'http://x',
    ]);
  });

  it.each([
    ['ci.example.com', true],
    ['CI.Example.com', true],
    ['other.example.com', false],
    ['a.hooks.example.com', true],
    ['hooks.example.com', false],
    ['a.b.hooks.example.com', false],
    ['build-42.corp', true],
    ['build-x.corp', false],
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    // Matched against the allow-list as text only; nothing connects to 10.200.3.4.
    ['10.200.3.4', true],
    ['[fd00::5]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', false],
  ])('%s is allowed: %s', (host, allowed) => {
    expect(hostAllowed(host, list)).toBe(allowed);
  });
});

describe('webhook settings', () => {
  it('splits lists on spaces and commas, but never inside a regex', () => {
    expect(splitList(['https http', 'POST,PUT'])).toEqual(['https', 'http', 'POST', 'PUT']);
    expect(splitList('/^a{1,3}$/ b.example.com,c.example.com')).toEqual([
      '/^a{1,3}$/',
      'b.example.com',
      'c.example.com',
    ]);
  });

  it('reads a retry schedule, fractions too, and refuses anything else', () => {
    expect(parseRetrySchedule('10,60, 120')).toEqual([10, 60, 120]);
    expect(parseRetrySchedule('0.05 0.05')).toEqual([0.05, 0.05]);
    for (const bad of ['', 'ten', '-1', '1e3', '100000'])
      expect(() => parseRetrySchedule(bad)).toThrow(expect.objectContaining({ code: 'TREATY_CLI_USAGE' }));
  });

  it("has the Pact Broker's defaults, and refuses an allow-list entry it cannot read", () => {
    expect(webhookSettings()).toMatchObject({
      schemes: ['https'],
      methods: ['POST'],
      retrySchedule: [10, 60, 120, 300, 600, 1200],
      timeoutMs: 15_000,
      hosts: { entries: [] },
    });
    // A CIDR that cannot be read, refused while parsing; nothing connects to it.
    expect(() => webhookSettings({ hosts: ['10.0.0.0/99'] })).toThrow(
      expect.objectContaining({
        code: 'TREATY_CLI_USAGE',
        message: expect.stringContaining("'10.0.0.0/99'"),
      }),
    );
    expect(() => webhookSettings({ methods: ['PO ST'] })).toThrow(
      expect.objectContaining({ code: 'TREATY_CLI_USAGE' }),
    );
  });
});
