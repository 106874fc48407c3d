import { describe, expect, it } from 'vitest';
import {
  isTreatyError,
  parseContract,
  serializeContract,
  type Contract,
  type Interaction,
} from '@treaty/core';
import { corpusFiles, isolationProblem, rustLoads, type RustLoad } from './corpus.js';

/*
 * Every real-world Pact file is read as Pact's Rust core reads it: what the core loads, Treaty reads
 * and writes back as V4 without changing its model; what the core refuses, Treaty refuses with a
 * TreatyError code. Which files the core refuses is asked of the real pact-verifier, every run.
 */

const files = corpusFiles();
const isolation = await isolationProblem();
const loads: RustLoad[] | undefined =
  isolation === null ? await rustLoads(files.map((f) => f.path)) : undefined;

function withoutKeys(contract: Contract): Contract {
  return {
    ...contract,
    interactions: contract.interactions.map(({ key: _key, ...rest }) => rest as Interaction),
  };
}

/**
 * `again` with body content types removed wherever `model` had none: a V4 body object always names
 * its content type, so a body that had none gains the one Treaty inferred for it.
 */
function withoutDefaultedTypes(again: unknown, model: unknown): unknown {
  if (again === null || typeof again !== 'object' || again instanceof Uint8Array) return again;
  const m = model !== null && typeof model === 'object' ? model : {};
  if (Array.isArray(again)) return again.map((x, i) => withoutDefaultedTypes(x, (m as unknown[])[i]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(again)) {
    if (k === 'contentType' && 'kind' in again && !('contentType' in m)) continue;
    out[k] = withoutDefaultedTypes(v, (m as Record<string, unknown>)[k]);
  }
  return out;
}

describe('real-world Pact files: read as the Pact Rust core reads them, and written back as V4', () => {
  it('asks the real pact-verifier which files it refuses (in a network namespace of its own)', () => {
    expect(isolation).toBeNull();
    expect(loads).toHaveLength(files.length);
  });

  files.forEach((file, index) => {
    const load = loads?.[index];
    if (load === undefined) return;
    if (!load.loaded) {
      it(`${file.name}: refused by Pact's Rust core (${load.error}), so refused by Treaty with a code`, () => {
        let thrown: unknown;
        try {
          parseContract(file.text);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, 'Treaty read a file that the Pact core refuses').toBeDefined();
        expect(isTreatyError(thrown) && thrown.code).toMatch(/^TREATY_/);
      });
      return;
    }
    it(`${file.name}: parse → serialize (V4) → parse gives the same model, and stable bytes`, () => {
      const contract = parseContract(file.text);
      const out = serializeContract(contract);
      const again = parseContract(out);
      const model = { ...withoutKeys(contract), specVersion: '4.0' };
      expect(withoutDefaultedTypes(withoutKeys(again), model)).toEqual(model);
      expect(again.interactions).toHaveLength(contract.interactions.length);
      expect(serializeContract(again)).toBe(out);
    });
  });
});
