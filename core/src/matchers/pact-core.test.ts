// Hands templates built with Treaty's matchers to Pact JS (its Rust core), lets it write a real
// Pact file, and checks that extractMatching gives the same example, rules and generators.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PactV4 } from '@pact-foundation/pact';
import type { Generator, RuleList } from '../contract/model.js';
import { parseContract } from '../contract/parse.js';
import {
  arrayContaining,
  atLeastLike,
  atLeastOneLike,
  atMostLike,
  booleanValue,
  constrainedArrayLike,
  contentType,
  date,
  datetime,
  decimal,
  eachKeyLike,
  eachKeyMatches,
  eachLike,
  eachValueMatches,
  equal,
  fromProviderState,
  generators,
  includes,
  integer,
  like,
  notEmpty,
  nullValue,
  number,
  regex,
  semver,
  statusCode,
  string,
  time,
  url,
  url2,
  uuid,
} from './matchers.js';
import { extractMatching } from './extract.js';

async function pactCoreBody(
  body: unknown,
): Promise<{ example: unknown; rules: Record<string, RuleList>; generators: Record<string, Generator> }> {
  const dir = mkdtempSync(join(tmpdir(), 'treaty-matchers-'));
  try {
    const pact = new PactV4({ consumer: 'matchers-c', provider: 'matchers-p', dir, logLevel: 'error' });
    await pact
      .addInteraction()
      .uponReceiving('the template')
      .withRequest('GET', '/t')
      .willRespondWith(200, (b) => b.jsonBody(body))
      .executeTest(async (mock) => {
        await fetch(`${mock.url}/t`);
      });
    const files = readdirSync(dir);
    const contract = parseContract(readFileSync(join(dir, files[0] as string), 'utf8'));
    const interaction = contract.interactions[0];
    if (interaction?.type !== 'Synchronous/HTTP') throw new Error('Pact JS wrote no HTTP interaction');
    const res = interaction.response;
    return {
      example: res.body?.kind === 'json' ? res.body.value : undefined,
      rules: res.matchingRules.body ?? {},
      generators: res.generators.body ?? {},
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Pact's core repeats a rule once per array element and writes eachKey/eachValue examples as JSON
// text; neither changes what the rules mean, so both sides are compared without them.
function normalise(rules: Record<string, RuleList>): unknown {
  return JSON.parse(
    JSON.stringify(
      Object.fromEntries(
        Object.entries(rules).map(([path, list]) => [
          path,
          {
            combine: list.combine,
            rules: [...new Set(list.rules.map((r) => JSON.stringify(r)))].map(
              (r) => JSON.parse(r) as unknown,
            ),
          },
        ]),
      ),
      (key, value: unknown) =>
        key === 'value' && typeof value !== 'string'
          ? undefined
          : key === 'value' && typeof value === 'string' && /^[[{]/.test(value)
            ? undefined
            : value,
    ),
  );
}

const template = {
  id: integer(1),
  total: decimal(10.5),
  count: number(3),
  status: regex(/PENDING|SHIPPED/, 'PENDING'),
  createdAt: datetime("yyyy-MM-dd'T'HH:mm:ss", '2024-05-01T10:00:00'),
  day: date('yyyy-MM-dd', '2024-05-01'),
  at: time('HH:mm', '10:00'),
  ref: uuid('a5d5c1f3-1b1b-4b1b-8b1b-1b1b1b1b1b1b'),
  paid: booleanValue(false),
  note: nullValue(),
  label: string('fragile'),
  title: includes('order'),
  version: semver('1.2.3'),
  name: notEmpty('Ada'),
  code: statusCode('clientError'),
  codes2: statusCode([200, 201]),
  ct: contentType('image/png'),
  exact: equal({ a: [1, 2] }),
  'odd key': like(1),
  'a-b': integer(2),
  "it's": integer(3),
  _ok: integer(4),
  ünï: integer(5),
  items: eachLike({ sku: regex('[A-Z]-\\d+', 'A-1'), quantity: integer(2) }),
  nested: eachLike(eachLike({ id: integer(1) }, 2)),
  three: atLeastLike({ id: integer(1) }, 2, 3),
  one: atLeastOneLike('x', 2),
  tags: atMostLike(like({ t: string('a') }), 3, 2),
  bounded: constrainedArrayLike('x', 1, 4),
  likeArray: like([{ a: integer(1) }, { a: integer(2) }]),
  plainArray: [[integer(1)], like([1, 2])],
  eqArray: equal([{ a: integer(1) }]),
  wrapped: like(integer(7)),
  attributes: eachKeyMatches({ colour: { hex: regex('#[0-9a-f]{6}', '#ff0000') } }, [
    regex('[a-z]+', 'colour'),
  ]),
  prices: eachValueMatches({ small: integer(1) }, integer(1)),
  legacy: eachKeyLike('k', { a: integer(1) }),
  contains: arrayContaining({ kind: regex('a+', 'aa'), n: integer() }, like({ z: eachLike('q') }), 'plain'),
  gen: {
    i: integer(),
    d: decimal(),
    n: number(),
    u: uuid(),
    when: datetime("yyyy-MM-dd'T'HH:mm:ss.SSSX"),
    day: date('yyyy-MM-dd'),
    t: time('HH:mm:ss'),
    link: url(['orders', regex('\\d+', '1')]),
    abs: url2('https://api.example.com', ['a', regex('\\d+', '2')]),
    ri: generators.randomInt(1, 9),
    rd: generators.randomDecimal(4, 1.5),
    rh: generators.randomHexadecimal(6),
    rs: generators.randomString(5),
    rb: generators.randomBoolean(),
    rg: generators.fromRegex('\\d{3}', '123'),
    urn: generators.uuid('URN'),
    later: generators.date('yyyy-MM-dd', '+ 1 day'),
    ps: fromProviderState('/orders/${id}', '/orders/1'),
    psn: generators.providerState('${count}', 4),
  },
};

describe("extractMatching agrees with Pact's core", () => {
  it('gives the example, rules and generators Pact JS writes for the same template', async () => {
    const pact = await pactCoreBody(template);
    const ours = extractMatching(template);
    expect(normalise(ours.rules)).toEqual(normalise(pact.rules));
    expect(ours.generators).toEqual(pact.generators);
    expect(ours.example).toEqual(pact.example);
    // The comparison is not vacuous: every kind of path form and rule is in there.
    expect(Object.keys(ours.rules)).toEqual(
      expect.arrayContaining([
        "$['odd key']",
        "$['it\\'s']",
        '$._ok',
        "$['ünï']",
        '$.items[*].sku',
        '$.nested[*][*].id',
        '$.prices.*',
        '$.legacy.*.a',
        '$.attributes.colour.hex',
        '$.plainArray[0][0]',
      ]),
    );
    expect(Object.keys(ours.generators)).toHaveLength(18);
  });

  it('agrees at the root: a whole body that is one matcher', async () => {
    const root = eachLike(like({ id: integer(1), at: datetime('yyyy-MM-dd HH:mm') }), 2);
    const pact = await pactCoreBody(root);
    const ours = extractMatching(root);
    expect(normalise(ours.rules)).toEqual(normalise(pact.rules));
    expect(ours.generators).toEqual(pact.generators);
    expect(ours.example).toEqual(pact.example);
  });
});
