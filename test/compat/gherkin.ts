import { readFileSync } from 'node:fs';

/** One step of a scenario with its data table, if any (first row = column names). */
export interface Step {
  keyword: string;
  text: string;
  table: Array<Record<string, string>>;
}

/** One scenario of a feature file. */
export interface Scenario {
  name: string;
  tags: string[];
  steps: Step[];
}

function cells(line: string): string[] {
  const trimmed = line.trim();
  return trimmed
    .slice(1, trimmed.endsWith('|') ? -1 : undefined)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

/**
 * Reads the parts of Gherkin the Pact compatibility suite uses: Scenario, tags, Given/When/Then/And
 * steps and data tables. Enough to drive its matching scenarios; not a general Gherkin parser.
 */
export function readFeature(path: string): Scenario[] {
  const scenarios: Scenario[] = [];
  let tags: string[] = [];
  let current: Scenario | undefined;
  let header: string[] | undefined;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('@')) {
      tags = line.split(/\s+/);
    } else if (line.startsWith('Scenario:')) {
      current = { name: line.slice('Scenario:'.length).trim(), tags, steps: [] };
      scenarios.push(current);
      tags = [];
    } else if (/^(Given|When|Then|And|But) /.test(line) && current !== undefined) {
      const space = line.indexOf(' ');
      current.steps.push({ keyword: line.slice(0, space), text: line.slice(space + 1), table: [] });
      header = undefined;
    } else if (line.startsWith('|') && current !== undefined) {
      const step = current.steps[current.steps.length - 1];
      if (step === undefined) continue;
      const row = cells(line);
      if (header === undefined) header = row;
      else step.table.push(Object.fromEntries(header.map((h, i) => [h, row[i] ?? ''])));
    }
  }
  return scenarios;
}
