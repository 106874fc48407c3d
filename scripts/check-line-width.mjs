#!/usr/bin/env node
// Lists every source line longer than the formatter's width that is not long because of a string,
// template or regular-expression literal (which the formatter cannot break). Comments and code must fit.
// Usage: node scripts/check-line-width.mjs [--json] [file …]   (no files: every tracked source file)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** The formatter's line width, read from biome.jsonc so that the two never disagree. */
export function configuredWidth() {
  const { config } = ts.parseConfigFileTextToJson(
    'biome.jsonc',
    readFileSync(join(root, 'biome.jsonc'), 'utf8'),
  );
  const width = config?.formatter?.lineWidth;
  if (!Number.isInteger(width)) throw new Error('biome.jsonc has no formatter.lineWidth');
  return width;
}

const LITERALS = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.RegularExpressionLiteral,
]);

/** The [start, end) offsets of every literal in a file. */
function literalRanges(file, text) {
  const kind = /\.[mc]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const ranges = [];
  const visit = (node) => {
    if (LITERALS.has(node.kind)) ranges.push([node.getStart(source), node.getEnd()]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return ranges;
}

/** Lines over `width` once every literal on them is taken out: { file, line, length, text }. */
export function overlongLines(file, text, width) {
  const lines = text.split('\n');
  if (!lines.some((l) => l.length > width)) return [];
  const ranges = literalRanges(file, text);
  const found = [];
  let offset = 0;
  lines.forEach((line, i) => {
    const start = offset;
    offset += line.length + 1;
    if (line.length <= width) return;
    let literal = 0;
    for (const [a, b] of ranges)
      literal += Math.max(0, Math.min(b, start + line.length) - Math.max(a, start));
    if (line.length - literal > width)
      found.push({ file, line: i + 1, length: line.length, text: line.trim() });
  });
  return found;
}

function trackedSources() {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return out
    .split('\0')
    .filter((f) => SOURCE.test(f) && !f.startsWith('test/reference/') && !f.startsWith('test/fixtures/'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  const width = configuredWidth();
  const found = (files.length > 0 ? files : trackedSources()).flatMap((f) =>
    overlongLines(f, readFileSync(join(root, f), 'utf8'), width),
  );
  if (json) console.log(JSON.stringify({ width, overlong: found }, null, 2));
  else if (found.length === 0)
    console.log(`Line width: every line fits in ${width} columns (literals aside).`);
  else {
    for (const f of found) console.log(`${f.file}:${f.line}  ${f.length} columns: ${f.text.slice(0, 80)}…`);
    console.log(
      `\n${found.length} line(s) over ${width} columns that the formatter cannot fix: wrap the comment, ` +
        'or split the expression.',
    );
  }
  process.exitCode = found.length === 0 ? 0 : 1;
}
