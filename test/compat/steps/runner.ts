import type { Scenario, Step } from '../gherkin.js';

/** A step handler: the world of the scenario, the pattern's captures, and the step (for its table). */
export type StepHandler<W> = (world: W, args: string[], step: Step) => void | Promise<void>;

interface Definition<W> {
  pattern: RegExp;
  handler: StepHandler<W>;
}

/**
 * Step definitions by pattern over a per-scenario world. Each step must match exactly one
 * definition: an unmatched or ambiguous step fails the scenario with its text.
 */
export class StepRegistry<W> {
  private readonly definitions: Definition<W>[] = [];

  /** Adds a definition; the pattern must match the whole step text. */
  define(pattern: RegExp, handler: StepHandler<W>): this {
    this.definitions.push({ pattern: new RegExp(`^(?:${pattern.source})$`, pattern.flags), handler });
    return this;
  }

  /** Runs every step of the scenario in order against the world. */
  async run(scenario: Scenario, world: W): Promise<void> {
    for (const step of scenario.steps) {
      const found = this.definitions.flatMap((d) => {
        const m = d.pattern.exec(step.text);
        return m === null ? [] : [{ d, args: m.slice(1).map((a) => a ?? '') }];
      });
      if (found.length === 0) throw new Error(`No step definition matches: ${step.keyword} ${step.text}`);
      if (found.length > 1)
        throw new Error(`${found.length} step definitions match: ${step.keyword} ${step.text}`);
      const [{ d, args }] = found as [{ d: Definition<W>; args: string[] }];
      try {
        await d.handler(world, args, step);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`Step failed: ${step.keyword} ${step.text}\n${message}`, { cause: error });
      }
    }
  }
}
