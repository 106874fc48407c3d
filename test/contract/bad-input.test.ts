import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isTreatyError, parseContract, serializeContract } from '@treaty/core';

// Damaged contracts must fail with a TreatyError that names where — never a TypeError from deep
// inside. Every file of the Pact JS fixtures is damaged at many places, with a fixed seed.
const fixtures = fileURLToPath(new URL('../fixtures/pact-js/', import.meta.url));

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 0x100000000;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function places(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  const out = [path];
  if (Array.isArray(value))
    value.forEach((v, i) => {
      out.push(...places(v, [...path, i]));
    });
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...places(v, [...path, k]));
  return out;
}

function replaced(value: Json, path: Array<string | number>, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const copy = structuredClone(value) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy as Json;
}

const replacements: Array<Json | undefined> = [
  42,
  -1,
  'x',
  '',
  null,
  true,
  [],
  {},
  [1, 'a'],
  { a: 1 },
  undefined,
];

describe('damaged contracts', () => {
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.json'))) {
    it(`${file}: every damage is read or refused with a TreatyError`, () => {
      const original = JSON.parse(readFileSync(`${fixtures}${file}`, 'utf8')) as Json;
      const random = prng(file.length * 7919);
      const all = places(original);
      let refused = 0;
      for (let n = 0; n < 400; n++) {
        const path = all[Math.floor(random() * all.length)] ?? [];
        const damaged = replaced(original, path, replacements[Math.floor(random() * replacements.length)]);
        try {
          serializeContract(parseContract(JSON.stringify(damaged)));
        } catch (error) {
          if (!isTreatyError(error)) throw new Error(`damage at ${path.join('.')} threw ${String(error)}`);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
    });
  }
});
