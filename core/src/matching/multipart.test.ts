import { describe, expect, it } from 'vitest';
import { parseRequest } from '../contract/fragments.js';
import { matchRequest } from './match.js';
import { parseMultipart } from './multipart.js';

const png = String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3);

function multipart(
  boundary: string,
  parts: Array<{ name: string; value: string; filename?: string; type?: string }>,
): string {
  let out = '';
  for (const p of parts) {
    out += `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}\r\n`;
    if (p.type !== undefined) out += `Content-Type: ${p.type}\r\n`;
    out += `\r\n${p.value}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}

/** A V4 request whose multipart body is given as latin-1 text, sent as base64 bytes. */
function request(boundary: string, parts: Parameters<typeof multipart>[1], rules?: Record<string, unknown>) {
  const type = `multipart/form-data; boundary=${boundary}`;
  return parseRequest(
    {
      method: 'POST',
      path: '/upload',
      headers: { 'Content-Type': type },
      body: { contentType: type, encoded: 'base64', content: btoa(multipart(boundary, parts)) },
      ...(rules === undefined ? {} : { matchingRules: { body: rules } }),
    },
    '4.0',
  );
}

describe('multipart bodies', () => {
  it('split into named parts with their headers and bytes', () => {
    const parts = parseMultipart(
      new TextEncoder().encode(
        multipart('XyZ', [
          { name: 'a', value: 'one\r\ntwo' },
          { name: 'f', filename: 'x.txt', type: 'text/plain', value: 'hi' },
        ]),
      ),
      'multipart/form-data; boundary="XyZ"',
    );
    if (typeof parts === 'string') throw new Error(parts);
    expect(parts.map((p) => [p.name, p.filename, p.contentType, new TextDecoder().decode(p.bytes)])).toEqual([
      ['a', undefined, undefined, 'one\r\ntwo'],
      ['f', 'x.txt', 'text/plain', 'hi'],
    ]);
    expect(parseMultipart(new TextEncoder().encode('no parts here'), 'multipart/form-data')).toBe(
      'no multipart boundary',
    );
  });

  it('match part by part whatever the boundary', () => {
    const parts = [
      { name: 'title', value: 'Holiday' },
      { name: 'photo', filename: 'a.png', type: 'image/png', value: png },
    ];
    expect(matchRequest(request('one', parts), request('two', [...parts].reverse()))).toEqual([]);
  });

  it('report a missing part, a different field and different file content', () => {
    const expected = request('b1', [
      { name: 'title', value: 'Holiday' },
      { name: 'photo', filename: 'a.png', type: 'image/png', value: png },
      { name: 'note', value: 'x' },
    ]);
    const actual = request('b2', [
      { name: 'title', value: 'Work' },
      { name: 'photo', filename: 'a.png', type: 'image/png', value: `${png}!` },
    ]);
    expect(matchRequest(expected, actual).map((m) => `${m.path} ${m.rule}`)).toEqual([
      '$.body.title equality',
      '$.body.photo equality',
      '$.body.note presence',
    ]);
  });

  it('apply a contentType rule to a file part and other rules to a field part', () => {
    const rules = {
      '$.photo': { matchers: [{ match: 'contentType', value: 'image/png' }] },
      '$.title': { matchers: [{ match: 'regex', regex: '[A-Z]\\w+' }] },
    };
    const expected = request(
      'b1',
      [
        { name: 'title', value: 'Holiday' },
        { name: 'photo', filename: 'a.png', type: 'image/png', value: png },
      ],
      rules,
    );
    expect(
      matchRequest(
        expected,
        request('b2', [
          { name: 'title', value: 'Work' },
          { name: 'photo', filename: 'b.png', type: 'image/png', value: `${png}more` },
        ]),
      ),
    ).toEqual([]);
    expect(
      matchRequest(
        expected,
        request('b2', [
          { name: 'title', value: 'work' },
          { name: 'photo', filename: 'b.png', type: 'image/png', value: 'GIF89a' },
        ]),
      ).map((m) => `${m.path} ${m.rule}`),
    ).toEqual(['$.body.title regex', '$.body.photo contentType']);
  });

  it('match parts without names (multipart/mixed) by their place', () => {
    const mixed = (second: string) => {
      const type = 'multipart/mixed; boundary=mx';
      const body = `--mx\r\nContent-Type: text/plain\r\n\r\nhello\r\n--mx\r\nContent-Type: application/octet-stream\r\n\r\n${second}\r\n--mx--`;
      return parseRequest(
        {
          method: 'PUT',
          path: '/m',
          headers: { 'Content-Type': type },
          body: { contentType: type, encoded: false, content: body },
        },
        '4.0',
      );
    };
    expect(matchRequest(mixed('AAAA'), mixed('AAAA'))).toEqual([]);
    expect(matchRequest(mixed('AAAA'), mixed('BBBB')).map((m) => `${m.path} ${m.rule}`)).toEqual([
      '$.body[1] equality',
    ]);
  });
});
