import { describe, expect, it } from 'vitest';
import { isPending } from './pending.js';
import { normalizeSelector, selectorLabel } from './selectors.js';

describe('pending', () => {
  const at = (branches: string[], createdAt: string) => ({ branches, createdAt });
  it('without a provider branch: pending until anyone verifies successfully', () => {
    expect(isPending([], undefined, undefined)).toBe(true);
    expect(isPending([at([], '2026-01-01')], undefined, undefined)).toBe(false);
  });
  it('with a branch: not pending once that branch verified it', () => {
    expect(isPending([at(['main'], '2026-01-02')], 'main', '2026-01-01')).toBe(false);
  });
  it('a new branch inherits successes from other branches made before it was created, not after', () => {
    expect(isPending([at(['main'], '2026-01-01')], 'feat', '2026-02-01')).toBe(false);
    expect(isPending([at(['main'], '2026-03-01')], 'feat', '2026-02-01')).toBe(true);
    expect(isPending([at(['main'], '2026-03-01')], 'brand-new', undefined)).toBe(false);
    expect(isPending([at([], '2026-01-01')], 'feat', '2026-02-01')).toBe(true);
  });
});

describe('consumer version selectors', () => {
  it('accept Pact shapes and rewrite matchingBranch', () => {
    expect(normalizeSelector({ mainBranch: true }, 0, undefined)).toEqual({ mainBranch: true });
    expect(normalizeSelector({ matchingBranch: true, consumer: 'web' }, 0, 'feat-x')).toEqual({
      branch: 'feat-x',
      consumer: 'web',
    });
    expect(normalizeSelector({ tag: 'prod', latest: true, fallbackTag: 'main' }, 0, undefined)).toEqual({
      tag: 'prod',
      latest: true,
      fallbackTag: 'main',
    });
    expect(selectorLabel({ tag: 'prod', latest: true, fallbackTag: 'main' }, true)).toBe(
      'latest with tag main',
    );
  });
  it.each([
    [{}, 'say which versions'],
    [{ mainBranch: false }, 'mainBranch can only be true'],
    [{ branch: 'main', latest: false }, 'latest: false is not allowed'],
    [{ tag: 'a', branch: 'b' }, 'tag and branch cannot be combined'],
    [{ fallbackTag: 'x', tag: 'y' }, 'fallbackTag needs tag and latest: true'],
    [{ latest: true, environment: 'prod' }, 'cannot be mixed'],
    [{ matchingBranch: true }, 'needs providerVersionBranch'],
    [{ deployed: true, released: true }, 'use only one of'],
  ])('refuse %j', (selector, message) => {
    expect(() => normalizeSelector(selector, 2, undefined)).toThrow(message);
  });
});
