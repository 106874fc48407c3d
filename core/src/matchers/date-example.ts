// Renders one fixed instant in a Java DateTimeFormatter pattern, so that a date matcher built without
// an example still has a deterministic example that fits its own format (a generator replaces it at
// run time). The instant is Tuesday 2024-01-02 03:04:05.678 UTC.

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function field(letter: string, count: number): string | undefined {
  switch (letter) {
    case 'y':
    case 'u':
    case 'Y':
      return count === 2 ? '24' : pad(2024, count);
    case 'M':
    case 'L': {
      const name = monthNames[0] as string;
      if (count >= 4) return name;
      if (count === 3) return name.slice(0, 3);
      return pad(1, count);
    }
    case 'd':
      return pad(2, count);
    case 'D':
      return pad(2, count);
    case 'H':
    case 'k':
    case 'h':
      return pad(3, count);
    case 'K':
      return pad(3, count);
    case 'm':
      return pad(4, count);
    case 's':
      return pad(5, count);
    case 'S':
      return '678000000'.slice(0, count).padEnd(count, '0');
    case 'n':
      return '678000000';
    case 'A':
      return String(((3 * 60 + 4) * 60 + 5) * 1000 + 678);
    case 'N':
      return String((((3 * 60 + 4) * 60 + 5) * 1000 + 678) * 1_000_000);
    case 'a':
      return 'AM';
    case 'E':
      return count >= 4 ? 'Tuesday' : 'Tue';
    case 'e':
    case 'c':
      return count <= 2 ? '2' : count >= 4 ? 'Tuesday' : 'Tue';
    case 'w':
    case 'W':
    case 'F':
    case 'Q':
    case 'q':
      return '1';
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

/** The fixed instant written in `pattern`, or undefined when the pattern uses a letter this does not know. */
export function formatFixedInstant(pattern: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      out += end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      i = end < 0 ? pattern.length : end + 1;
    } else if (c === '[' || c === ']') {
      // Optional sections are written out in full.
      i++;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < pattern.length && pattern[j] === c) j++;
      const text = field(c, j - i);
      if (text === undefined) return undefined;
      out += text;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
