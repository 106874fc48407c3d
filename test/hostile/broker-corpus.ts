// What an attacker sends the broker: hostile path segments (raw, as they go on the wire), hostile
// strings inside JSON, hostile bodies, query values and content types. Each entry is named, so a
// failure says which.

const deep = (n: number, open: string, close: string, inner = '1'): string =>
  open.repeat(n) + inner + close.repeat(n);

/** Path segments as sent on the wire (already percent-encoded where they are encoded). */
export const hostileSegments: Array<[string, string]> = [
  ['lone high surrogate (as UTF-8 bytes)', '%ED%A0%80'],
  ['lone low surrogate (as UTF-8 bytes)', 'a%ED%BF%BFb'],
  ['NUL', 'a%00b'],
  ['only NUL', '%00'],
  ['CR LF', 'a%0D%0Ab'],
  ['LF', '%0A'],
  ['tab', 'a%09b'],
  ['DEL', 'a%7Fb'],
  ['NEL (C1 control)', 'a%C2%85b'],
  ['line separator U+2028', 'a%E2%80%A8b'],
  ['256 characters', 'a'.repeat(256)],
  ['256 astral characters', '%F0%9F%98%80'.repeat(256)],
  ['10,000 characters', 'n'.repeat(10_000)],
  ['dot dot', '..'],
  ['dot', '.'],
  ['encoded dot dot', '%2e%2e'],
  ['encoded dot', '%2E'],
  ['only spaces', '%20%20%20'],
  ['lone percent', '%'],
  ['invalid percent-encoding', '%ZZ'],
  ['truncated percent-encoding', '%E0%A4%A'],
  ['overlong UTF-8', '%C0%AF'],
  ['not UTF-8', '%FF%FE'],
];

/** Strings that are hostile as a name inside a JSON body. */
export const hostileStrings: Array<[string, string]> = [
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', 'a\udfffb'],
  ['NUL', 'a\u0000b'],
  ['LF', 'a\nb'],
  ['CR LF', 'a\r\nb'],
  ['tab', 'a\tb'],
  ['DEL', 'a\u007fb'],
  ['line separator U+2028', 'a\u2028b'],
  ['dot dot', '..'],
  ['dot', '.'],
  ['empty', ''],
  ['only spaces', '   '],
  ['256 characters', 'a'.repeat(256)],
  ['256 astral characters', '😀'.repeat(256)],
  ['10,000 characters', 'n'.repeat(10_000)],
];

/** Every field a broker request body names, set to one hostile value (and a content that stays valid). */
function hostileObject(value: string): Record<string, unknown> {
  return {
    name: value,
    pacticipantName: value,
    pacticipantVersionNumber: value,
    branch: value,
    tags: [value],
    mainBranch: value,
    displayName: value,
    repositoryUrl: value,
    production: true,
    contacts: [{ name: value }],
    applicationInstance: value,
    target: value,
    success: true,
    providerApplicationVersion: value,
    buildUrl: value,
    providerVersionBranch: value,
    consumerVersionSelectors: [{ branch: value }],
    consumer: { name: value },
    provider: { name: value },
    interactions: [],
    metadata: { pactSpecification: { version: '2.0.0' } },
    contracts: [
      {
        consumerName: value,
        providerName: value,
        specification: 'pact',
        contentType: 'application/json',
        content: 'e30=',
      },
    ],
  };
}

/** Raw JSON bodies that are not what any route expects. */
export const hostileBodies: Array<[string, string]> = [
  ['JSON null', 'null'],
  ['an array', '[]'],
  ['an array of objects', '[{"name":"x"}]'],
  ['a string', '"publish me"'],
  ['a number', '42'],
  ['true', 'true'],
  ['5,000-deep arrays', deep(5000, '[', ']')],
  ['5,000-deep objects', deep(5000, '{"a":', '}')],
  ['not JSON', '{'],
  ['trailing comma', '{"name":"x",}'],
  ['a lone surrogate escaped', '{"name":"\\ud800","pacticipantName":"\\ud800"}'],
  [
    'duplicate keys, the last one bad',
    `{"name":"ok","name":"a\\u0000b","pacticipantName":"ok","pacticipantName":"a\\nb","success":true,"success":"yes"}`,
  ],
  ['__proto__ key', '{"__proto__":{"admin":true},"name":"proto"}'],
  ['escaped __proto__ key', '{"\\u005f_proto__":{"admin":true},"name":"proto"}'],
  ['constructor.prototype key', '{"constructor":{"prototype":{"admin":true}},"name":"proto"}'],
  ...hostileStrings.map(([what, value]): [string, string] => [
    `every field ${what}`,
    JSON.stringify(hostileObject(value)),
  ]),
];

/** Content types no route reads, with a body that would otherwise be fine. */
export const hostileContentTypes: string[] = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'text/html',
];

/** Query values that are not numbers a page can have. */
export const hostileNumbers: string[] = [
  '1e17',
  '-1',
  '0',
  'NaN',
  '0x10',
  '1.5',
  '99999999999999999999',
  'Infinity',
  ' 1',
  '1 ',
];
