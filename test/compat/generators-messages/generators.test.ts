import { generatorSteps, type GeneratorWorld } from './generator-steps.js';
import { runFeatures } from './runner.js';

runFeatures<GeneratorWorld>(
  ['V3/generators.feature', 'V3/http_generators.feature', 'V4/generators.feature'],
  generatorSteps,
  () => ({ cleanups: [] }),
);
