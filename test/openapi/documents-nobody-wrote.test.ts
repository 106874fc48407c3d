import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES, checkAgainstOpenApi, isTreatyError, type Contract } from '@treaty/core';

// Every OpenAPI 3.0 and 3.1 document @readme/oas-examples ships (MIT; callbacks, circular schemas,
// discriminators, polymorphism, extreme parameters, the Star Trek API…): each is read, its schemas
// compiled, and a contract asking for each of its GET operations is checked. Nothing may crash:
// a document is either checked, with findings whose codes are the comparator's, or refused with a
// TreatyError that says why.
const root = dirname(fileURLToPath(import.meta.resolve('@readme/oas-examples/package.json')));
const documents = ['3.0', '3.1'].flatMap((v) =>
  readdirSync(join(root, v, 'json'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${v}/json/${f}`),
);

/** A contract with one interaction per GET operation of the document, a path parameter as `1`. */
function contractFor(document: { paths?: Record<string, Record<string, unknown>> }): Contract {
  const gets = Object.entries(document.paths ?? {}).filter(([, item]) => item.get !== undefined);
  return {
    consumer: { name: 'reader' },
    provider: { name: 'api' },
    interactions: gets.map(([path], i) => ({
      type: 'Synchronous/HTTP',
      description: `GET ${path} (${i})`,
      providerStates: [],
      pending: false,
      request: {
        method: 'GET',
        path: path.replace(/\{[^}]+\}/g, '1'),
        query: {},
        headers: {},
        matchingRules: {},
        generators: {},
      },
      response: { status: 200, headers: {}, matchingRules: {}, generators: {} },
    })),
    metadata: {},
    specVersion: '4.0',
  };
}

const refused: string[] = [];

describe('OpenAPI documents nobody here wrote', () => {
  it('ships enough documents to mean something', () => expect(documents.length).toBeGreaterThan(40));

  for (const file of documents) {
    it(`${file}: checked or refused with a reason, never a crash`, async () => {
      const document = JSON.parse(readFileSync(join(root, file), 'utf8')) as Parameters<
        typeof contractFor
      >[0];
      try {
        const [result] = await checkAgainstOpenApi(document as never, [contractFor(document)]);
        for (const finding of result?.interactions.flatMap((i) => i.findings) ?? [])
          expect(Object.keys(FINDING_CODES)).toContain(finding.code);
      } catch (error) {
        expect(isTreatyError(error), String(error)).toBe(true);
        refused.push(file);
      }
    });
  }

  it('checks almost all of them (refuses only what it says it cannot read)', () => {
    expect(refused.length, refused.join(', ')).toBeLessThan(documents.length / 10);
  });

  it('finds every GET of the Star Trek API, a large real one, and nothing unknown', async () => {
    const document = JSON.parse(readFileSync(join(root, '3.0/json/star-trek.json'), 'utf8')) as Parameters<
      typeof contractFor
    >[0];
    const contract = contractFor(document);
    expect(contract.interactions.length).toBeGreaterThan(30);
    const [result] = await checkAgainstOpenApi(document as never, [contract]);
    const codes = new Set(result?.interactions.flatMap((i) => i.findings.map((f) => f.code)));
    expect(codes.has('request.path-or-method.unknown')).toBe(false);
  });
});
