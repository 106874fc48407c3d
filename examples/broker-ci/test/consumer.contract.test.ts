import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseContract, type HttpInteraction } from '@treaty/core';
import { recordCheckoutContract } from './checkout-contract.js';

describe('checkout → catalog (consumer contract tests)', () => {
  it('records each matcher as a Pact rule the provider will be held to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkout-pacts-'));
    await recordCheckoutContract(dir);
    const contract = parseContract(
      JSON.parse(readFileSync(join(dir, 'checkout-catalog.json'), 'utf8')) as unknown,
    );
    const product = contract.interactions.find(
      (i) => i.description === 'a request for a product',
    ) as HttpInteraction;
    const rules = Object.fromEntries(
      Object.entries(product.response.matchingRules.body ?? {}).map(([path, list]) => [
        path,
        list.rules.map((r) => r.match).join('+'),
      ]),
    );
    expect(rules).toMatchObject({
      '$.name': 'notEmpty',
      '$.price': 'decimal',
      '$.currency': 'regex',
      '$.inStock': 'type', // boolean() is a type rule, as Pact JS writes it
      '$.tags': 'arrayContains',
      '$.discontinuedAt': 'null',
      '$.releasedOn': 'date',
      '$.attributes': 'eachKey',
    });
    expect(product.response.matchingRules.header?.['X-Api-Version']?.rules[0]?.match).toBe('semver');
    expect(product.request.generators.path).toMatchObject({
      type: 'ProviderState',
      expression: '/products/${id}',
    });
  });
});
