// Writes an instant in a Java DateTimeFormatter pattern (UTC). Date matchers built without an
// example get a deterministic example that fits their own format — the fixed instant Tuesday
// 2024-01-02 03:04:05.678 UTC — and date generators write the current time the same way.

import { patternTokens } from '../matching/date-format.js';

const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function field(d: Date, letter: string, count: number): string | undefined {
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  const millisOfDay =
    ((hour * 60 + d.getUTCMinutes()) * 60 + d.getUTCSeconds()) * 1000 + d.getUTCMilliseconds();
  const fraction = pad(d.getUTCMilliseconds(), 3).padEnd(9, '0');
  const dayOfYear =
    Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  const day = dayNames[d.getUTCDay()] as string;
  switch (letter) {
    case 'y':
    case 'u':
    case 'Y':
      return count === 2 ? pad(year % 100, 2) : pad(year, count);
    case 'M':
    case 'L': {
      const name = monthNames[d.getUTCMonth()] as string;
      if (count >= 4) return name;
      if (count === 3) return name.slice(0, 3);
      return pad(d.getUTCMonth() + 1, count);
    }
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'D':
      return pad(dayOfYear, count);
    case 'H':
      return pad(hour, count);
    case 'k':
      return pad(hour === 0 ? 24 : hour, count);
    case 'h':
      return pad(hour % 12 === 0 ? 12 : hour % 12, count);
    case 'K':
      return pad(hour % 12, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      return fraction.slice(0, count).padEnd(count, '0');
    case 'n':
      return fraction;
    case 'A':
      return String(millisOfDay);
    case 'N':
      return String(millisOfDay * 1_000_000);
    case 'a':
      return hour < 12 ? 'AM' : 'PM';
    case 'E':
      return count >= 4 ? day : day.slice(0, 3);
    case 'e':
    case 'c':
      return count <= 2
        ? String(d.getUTCDay() === 0 ? 7 : d.getUTCDay())
        : count >= 4
          ? day
          : day.slice(0, 3);
    case 'w':
    case 'W':
    case 'F':
    case 'Q':
    case 'q':
      return String(
        letter === 'Q' || letter === 'q'
          ? Math.floor(d.getUTCMonth() / 3) + 1
          : Math.ceil(d.getUTCDate() / 7),
      );
    case 'G':
      return 'AD';
    case 'X':
      return 'Z';
    case 'x':
      return count === 1 ? '+00' : count === 2 || count === 4 ? '+0000' : '+00:00';
    case 'Z':
      return count <= 3 ? '+0000' : count === 4 ? 'GMT' : 'Z';
    case 'z':
    case 'v':
    case 'V':
      return 'UTC';
    case 'O':
      return 'GMT';
    default:
      return undefined;
  }
}

/**
 * An instant written in `pattern` (UTC), or undefined when the pattern uses a letter this does not know.
 * @example formatInstant(new Date(0), "yyyy-MM-dd'T'HH:mm:ss") // '1970-01-01T00:00:00'
 */
export function formatInstant(d: Date, pattern: string): string | undefined {
  let out = '';
  for (const t of patternTokens(pattern)) {
    // Optional sections are written out in full.
    if (t.kind === 'literal') out += t.text;
    else if (t.kind === 'field') {
      const text = field(d, t.letter, t.count);
      if (text === undefined) return undefined;
      out += text;
    }
  }
  return out;
}

const fixedInstant = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

/** The fixed instant written in `pattern`, or undefined when the pattern uses a letter this does not know. */
export function formatFixedInstant(pattern: string): string | undefined {
  return formatInstant(fixedInstant, pattern);
}
