import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchRequest, matchResponse, parseRequest, parseResponse, type Mismatch } from '@treaty/core';
import { readFeature, type Step } from './gherkin.js';
import { referenceDir } from '../support/reference.js';

// The Pact Foundation's compatibility scenarios for V3 and V4 matching rules, run against the
// engine: each scenario builds the expected and actual requests from its tables and fixtures.
const suite = referenceDir('pact-compatibility-suite');
const fixture = (name: string): Buffer => readFileSync(`${suite}fixtures/${name}`);

function body(cell: string, contentType: string | undefined): unknown {
  if (cell === 'EMPTY')
    return { content: '', contentType: contentType ?? 'application/octet-stream', encoded: 'base64' };
  if (cell.startsWith('JSON:'))
    return { content: cell.slice(5).trim(), contentType: contentType ?? 'application/json', encoded: 'JSON' };
  if (cell.startsWith('XML:'))
    return { content: cell.slice(4).trim(), contentType: contentType ?? 'application/xml', encoded: false };
  if (cell.startsWith('file:')) {
    const name = cell.slice(5).trim();
    const bytes = fixture(name);
    if (name.endsWith('.json'))
      return {
        content: bytes.toString('utf8'),
        contentType: contentType ?? 'application/json',
        encoded: 'JSON',
      };
    if (name.endsWith('.xml'))
      return {
        content: bytes.toString('utf8'),
        contentType: contentType ?? 'application/xml',
        encoded: false,
      };
    const type = name.endsWith('.jpg')
      ? 'image/jpeg'
      : name.endsWith('.pdf')
        ? 'application/pdf'
        : 'application/octet-stream';
    return { content: bytes.toString('base64'), contentType: contentType ?? type, encoded: 'base64' };
  }
  return { content: cell, contentType: contentType ?? 'text/plain', encoded: false };
}

function headers(cell: string | undefined, contentType: string | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of (cell ?? '').match(/'[^']*'/g) ?? []) {
    const [name = '', ...value] = part.slice(1, -1).split(':');
    const key = name.trim();
    out[key] = [...(out[key] ?? []), value.join(':').trim()];
  }
  if (contentType !== undefined) out['Content-Type'] = [contentType];
  return out;
}

function request(row: Record<string, string>): unknown {
  const contentType = row['content type'] || undefined;
  const r: Record<string, unknown> = {
    method: row.method || 'POST',
    path: row.path || '/',
    headers: headers(row.headers, row.body ? contentType : undefined),
  };
  if (row.query) r.query = Object.fromEntries(new URLSearchParams(row.query).entries());
  if (row.body) r.body = body(row.body, contentType);
  if (row['matching rules']) r.matchingRules = JSON.parse(fixture(row['matching rules']).toString('utf8'));
  return r;
}

/** `$.one`, `$['one']`, `$[100]` and `$.body.one` all become `one`; `status` stays `status`. */
function normalizePath(path: string): string {
  return path
    .replace(/^\$\.body/, '$')
    .replace(/^\$\.(status|header|query|path|method)\b/, '$1')
    .replace(/\[['"]?([^'"\]]+)['"]?\]/g, '.$1')
    .replace(/^\$\.?/, '');
}

function run(steps: Step[]): { results: Mismatch[][]; expectations: Step[] } {
  let expectedRequest: unknown;
  let expectedResponse: unknown;
  const results: Mismatch[][] = [];
  const expectations: Step[] = [];
  for (const step of steps) {
    const row = step.table[0] ?? {};
    if (step.text.startsWith('an expected request configured')) expectedRequest = request(row);
    else if (step.text.startsWith('an expected response configured')) {
      expectedResponse = {
        status: Number(row.status),
        matchingRules: JSON.parse(fixture(row['matching rules'] ?? '').toString('utf8')),
      };
    } else if (
      step.text.startsWith('a request is received') ||
      step.text.startsWith('the following requests are received')
    ) {
      const exp = parseRequest(expectedRequest, '4.0');
      for (const r of step.table) results.push(matchRequest(exp, parseRequest(request(r), '4.0')));
    } else if (/^a status (\d+) response is received/.test(step.text)) {
      const status = Number(/^a status (\d+)/.exec(step.text)?.[1]);
      results.push(matchResponse(parseResponse(expectedResponse, '4.0'), parseResponse({ status }, '4.0')));
    } else if (step.keyword === 'Then') expectations.push(step);
  }
  return { results, expectations };
}

for (const feature of ['V3/matching_rules.feature', 'V4/matching_rules.feature']) {
  describe(`compatibility suite: ${feature}`, () => {
    const scenarios = readFeature(`${suite}features/${feature}`);
    it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(10));
    for (const scenario of scenarios) {
      it(scenario.name, () => {
        const { results, expectations } = run(scenario.steps);
        expect(results.length).toBeGreaterThan(0);
        for (const step of expectations) {
          if (/comparison should NOT be OK/.test(step.text)) {
            results.forEach((r, i) => {
              expect(r.length, `request ${i + 1} should not match`).toBeGreaterThan(0);
            });
          } else if (/comparison should be OK/.test(step.text)) {
            results.forEach((r, i) => {
              expect(
                r.map((m) => m.message),
                `request ${i + 1} should match`,
              ).toEqual([]);
            });
          } else {
            const m =
              /mismatch(?:es)? will contain a (?:"(\w+)" )?mismatch with error "((?:[^"\\]|\\.)*)"/.exec(
                step.text,
              );
            if (m === null) throw new Error(`unsupported step: ${step.text}`);
            const where = m[1] ?? normalizePath(m[2] ?? '');
            const paths = results.flat().map((x) => normalizePath(x.path));
            expect(paths, `a mismatch at ${where}`).toContain(where);
          }
        }
      });
    }
  });
}
