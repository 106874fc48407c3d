import { readFileSync } from 'node:fs';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';

/** One step of a scenario, as Gherkin compiles it (background steps first, outlines expanded). */
export interface Step {
  /** Given, When or Then; `And` and `But` take the keyword of the step they follow. */
  keyword: 'Given' | 'When' | 'Then';
  text: string;
  /** The data table as records keyed by its first row (empty when the step has none). */
  table: Array<Record<string, string>>;
  /** The data table row by row, header included (empty when the step has none). */
  rows: string[][];
  /** The doc string, if the step has one. */
  docString?: string;
}

/** One scenario of a feature file (an outline gives one per example row). */
export interface Scenario {
  name: string;
  tags: string[];
  steps: Step[];
}

/** Reads a feature file with Cucumber's own Gherkin parser and compiles it to scenarios. */
export function readFeature(path: string): Scenario[] {
  const ids = IdGenerator.uuid();
  const parser = new Parser(new AstBuilder(ids), new GherkinClassicTokenMatcher());
  const document = parser.parse(readFileSync(path, 'utf8'));
  const pickles = compile(document, path, ids);
  return pickles.map((pickle) => {
    let keyword: Step['keyword'] = 'Given';
    const steps = pickle.steps.map((s): Step => {
      if (s.type === 'Action') keyword = 'When';
      else if (s.type === 'Outcome') keyword = 'Then';
      else if (s.type === 'Context') keyword = 'Given';
      const rows = s.argument?.dataTable?.rows.map((r) => r.cells.map((c) => c.value)) ?? [];
      const [header = [], ...body] = rows;
      const step: Step = {
        keyword,
        text: s.text,
        rows,
        table: body.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i] ?? '']))),
      };
      const doc = s.argument?.docString?.content;
      if (doc !== undefined) step.docString = doc;
      return step;
    });
    return { name: pickle.name, tags: pickle.tags.map((t) => t.name), steps };
  });
}
