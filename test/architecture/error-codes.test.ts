import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@treaty/core';

const docPath = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

function documentedCodes(): Map<string, { kind: string; status: number }> {
  const rows = new Map<string, { kind: string; status: number }>();
  for (const line of readFileSync(docPath, 'utf8').split('\n')) {
    const m = /^\| `(TREATY_[A-Z0-9_]+)` \| (\w+) \| (\d{3}) \|/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) {
      if (rows.has(m[1])) throw new Error(`docs/errors.md lists ${m[1]} twice`);
      rows.set(m[1], { kind: m[2], status: Number(m[3]) });
    }
  }
  return rows;
}

describe('docs/errors.md', () => {
  const docs = documentedCodes();

  it('lists every code in ERROR_CODES, and no other', () => {
    expect([...docs.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('gives each code the kind and HTTP status the code has', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect({ code, kind: info.kind, status: info.status }).toEqual({ code, ...docs.get(code) });
    }
  });
});
