import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  matchMessage,
  matchRequest,
  matchResponse,
  parseMessage,
  parseRequest,
  parseResponse,
  type Mismatch,
} from '@treaty/core';
import { referenceDir } from '../support/reference.js';

// The official Pact Specification matching cases: each file says whether `actual` must match
// `expected`. Every one runs as its own test; none is skipped or special-cased.
const casesDir = referenceDir('pact-spec-testcases');
const versions: Record<string, string> = {
  v1: '1.0.0',
  'v1.1': '1.1.0',
  v2: '2.0.0',
  v3: '3.0.0',
  v4: '4.0',
};

interface SpecCase {
  match: boolean;
  comment: string;
  expected: unknown;
  actual: unknown;
}

function run(category: string, version: string, c: SpecCase): Mismatch[] {
  switch (category) {
    case 'request':
      return matchRequest(parseRequest(c.expected, version), parseRequest(c.actual, version));
    case 'response':
      return matchResponse(parseResponse(c.expected, version), parseResponse(c.actual, version));
    case 'message':
      return matchMessage(parseMessage(c.expected, version), parseMessage(c.actual, version));
    default:
      throw new Error(`unknown spec case category '${category}'`);
  }
}

const files = readdirSync(casesDir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.json'))
  .map((e) => relative(casesDir, join(e.parentPath, e.name)).split(sep).join('/'))
  .sort();

describe('Pact specification matching cases', () => {
  it('finds all 803 cases', () => {
    expect(files.length).toBe(803);
  });

  for (const file of files) {
    it(file, () => {
      const [folder = '', category = ''] = file.split('/');
      const version = versions[folder];
      if (version === undefined) throw new Error(`unknown version folder '${folder}'`);
      const data = JSON.parse(readFileSync(join(casesDir, file), 'utf8').replace(/^\uFEFF/, '')) as SpecCase;
      const mismatches = run(category, version, data);
      const verdict = mismatches.length === 0;
      if (verdict !== data.match) {
        const detail = mismatches.map((m) => `  - ${m.message}`).join('\n') || '  (no mismatches)';
        expect.fail(`${data.comment}\nexpected match=${data.match}, got match=${verdict}\n${detail}`);
      }
    });
  }
});
