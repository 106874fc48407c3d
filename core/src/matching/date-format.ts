// Java DateTimeFormatter-style patterns (the ones Pact files carry) compiled to anchored regexes.

const months = 'January|February|March|April|May|June|July|August|September|October|November|December';
const shortMonths = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const days = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const shortDays = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';

function field(letter: string, count: number): string {
  switch (letter) {
    case 'y':
    case 'u':
    case 'Y':
      return count === 2 ? '\\d{2}' : count >= 4 ? `[+-]?\\d{${count},9}` : '[+-]?\\d{1,9}';
    case 'M':
    case 'L':
      if (count >= 4) return `(?:${months})`;
      if (count === 3) return `(?:${shortMonths})`;
      return count === 2 ? '(?:0[1-9]|1[0-2])' : '(?:1[0-2]|0?[1-9])';
    case 'd':
      return count === 2 ? '(?:0[1-9]|[12]\\d|3[01])' : '(?:3[01]|[12]\\d|0?[1-9])';
    case 'D':
      return count >= 3 ? '\\d{3}' : '\\d{1,3}';
    case 'H':
      return count === 2 ? '(?:[01]\\d|2[0-3])' : '(?:2[0-3]|[01]?\\d)';
    case 'k':
      return count === 2 ? '(?:0[1-9]|1\\d|2[0-4])' : '(?:2[0-4]|1\\d|0?[1-9])';
    case 'K':
      return count === 2 ? '(?:0\\d|1[01])' : '(?:1[01]|0?\\d)';
    case 'h':
      return count === 2 ? '(?:0[1-9]|1[0-2])' : '(?:1[0-2]|0?[1-9])';
    case 'm':
    case 's':
      return count === 2 ? '[0-5]\\d' : '[0-5]?\\d';
    case 'S':
      return `\\d{${count}}`;
    case 'n':
      return '\\d{1,9}';
    case 'A':
    case 'N':
      return '\\d+';
    case 'a':
      return '(?:AM|PM|am|pm)';
    case 'E':
    case 'e':
    case 'c':
      if (letter !== 'E' && count <= 2) return '[1-7]';
      return count >= 4 ? `(?:${days})` : `(?:${shortDays})`;
    case 'w':
    case 'W':
    case 'F':
    case 'Q':
    case 'q':
      return '\\d{1,2}';
    case 'G':
      return '(?:AD|BC|Anno Domini|Before Christ|A|B)';
    case 'X':
      return count === 1
        ? '(?:Z|[+-]\\d{2}(?:\\d{2})?)'
        : count === 2 || count === 4
          ? '(?:Z|[+-]\\d{4}(?:\\d{2})?)'
          : '(?:Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
    case 'x':
      return count === 1
        ? '[+-]\\d{2}(?:\\d{2})?'
        : count === 2 || count === 4
          ? '[+-]\\d{4}(?:\\d{2})?'
          : '[+-]\\d{2}:\\d{2}(?::\\d{2})?';
    case 'Z':
      return count <= 3
        ? '[+-]\\d{4}'
        : count === 4
          ? '(?:GMT|UTC)?(?:[+-]\\d{2}:\\d{2})?'
          : '(?:Z|[+-]\\d{2}:\\d{2})';
    case 'z':
    case 'v':
      return '[A-Za-z][A-Za-z0-9_/+\\-:]*';
    case 'O':
      return '(?:GMT|UTC)(?:[+-]\\d{1,2}(?::\\d{2})?)?';
    case 'V':
      return '[A-Za-z][A-Za-z0-9_/+\\-]*';
    default:
      return '';
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One piece of a DateTimeFormatter pattern: quoted or punctuation text, a run of one letter, or an
 * optional-section bracket.
 */
export type PatternToken =
  | { kind: 'literal'; text: string }
  | { kind: 'field'; letter: string; count: number }
  | { kind: 'optional'; open: boolean };

/**
 * Splits a DateTimeFormatter pattern into tokens (`'T'` quoted text, `''` for a quote, letter runs,
 * `[` `]` optional sections) — the one reader behind both checking and writing dates.
 */
export function patternTokens(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      tokens.push({ kind: 'literal', text: end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end) });
      i = end < 0 ? pattern.length : end + 1;
    } else if (c === '[' || c === ']') {
      tokens.push({ kind: 'optional', open: c === '[' });
      i++;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      tokens.push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}

/** A compiled pattern: the anchored regex and which capture groups hold the calendar fields. */
interface CompiledDate {
  re: RegExp;
  year: number;
  month: number;
  day: number;
}

const compiled = new Map<string, CompiledDate>();

function compile(pattern: string): CompiledDate {
  const hit = compiled.get(pattern);
  if (hit !== undefined) return hit;
  let out = '';
  let groups = 0;
  const result: CompiledDate = { re: /$^/, year: 0, month: 0, day: 0 };
  for (const t of patternTokens(pattern)) {
    if (t.kind === 'literal') out += escapeRegex(t.text);
    else if (t.kind === 'optional') out += t.open ? '(?:' : ')?';
    else {
      const re = field(t.letter, t.count);
      if (re === '') {
        out += escapeRegex(t.letter.repeat(t.count));
        continue;
      }
      // Year, month and day are captured so that a date that does not exist (Feb 30) fails.
      const slot =
        t.letter === 'y' || t.letter === 'u'
          ? 'year'
          : t.letter === 'M' || t.letter === 'L'
            ? 'month'
            : t.letter === 'd'
              ? 'day'
              : undefined;
      if (slot !== undefined && result[slot] === 0) {
        result[slot] = ++groups;
        out += `(${re})`;
      } else out += re;
    }
  }
  result.re = new RegExp(`^${out}$`);
  compiled.set(pattern, result);
  return result;
}

const monthNames = months.split('|');

function monthNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const lower = text.toLowerCase();
  return monthNames.findIndex((m) => m.toLowerCase().startsWith(lower.slice(0, 3))) + 1;
}

/** False only when year, month and day are all known and the day is past the end of the month. */
function dayExists(
  yearText: string | undefined,
  monthText: string | undefined,
  dayText: string | undefined,
): boolean {
  if (monthText === undefined || dayText === undefined) return true;
  const month = monthNumber(monthText);
  const day = Number(dayText);
  if (month < 1 || month > 12) return true;
  const year =
    yearText === undefined ? 2000 : yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const length = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= length;
}

const isoDateTime =
  /^([+-]?\d{4,9})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?(\[[A-Za-z0-9_/+-]+\])?$/;
const isoDate = /^([+-]?\d{4,9})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const isoTime = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/**
 * True when `value` is a date, time or date-time in `format` (ISO 8601 when no format is given),
 * and the day it names exists.
 */
export function matchesDateFormat(
  kind: 'datetime' | 'date' | 'time',
  value: string,
  format: string | undefined,
): boolean {
  if (format === undefined || format === '') {
    const m = (kind === 'datetime' ? isoDateTime : kind === 'date' ? isoDate : isoTime).exec(value);
    if (m === null) return false;
    return kind === 'time' || dayExists(m[1], m[2], m[3]);
  }
  const c = compile(format);
  const m = c.re.exec(value);
  if (m === null) return false;
  return dayExists(
    c.year === 0 ? undefined : m[c.year],
    c.month === 0 ? undefined : m[c.month],
    c.day === 0 ? undefined : m[c.day],
  );
}
