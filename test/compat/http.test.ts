import { describe, it } from 'vitest';
import { readFeature } from './gherkin.js';
import { referenceDir } from '../support/reference.js';
import { ConsumerWorld, consumerSteps } from './steps/consumer-steps.js';
import { ProviderWorld, providerSteps } from './steps/provider-steps.js';

// The compatibility suite's HTTP consumer and provider features, V1 to V4: every scenario runs its
// steps against Treaty's consumer DSL with its real mock server, or against verifyProvider with a
// real provider (and broker) on loopback.
const suite = referenceDir('pact-compatibility-suite');
const features = ['V1', 'V2', 'V3', 'V4'].flatMap((v) => [
  `${v}/http_consumer.feature`,
  `${v}/http_provider.feature`,
]);

for (const feature of features) {
  const specVersion = Number(feature.slice(1, 2));
  describe(feature, () => {
    for (const scenario of readFeature(`${suite}features/${feature}`)) {
      it(`${feature}: ${scenario.name}`, async () => {
        if (feature.includes('consumer')) {
          const world = new ConsumerWorld();
          try {
            await consumerSteps.run(scenario, world);
          } finally {
            await world.close();
          }
        } else {
          const world = new ProviderWorld(specVersion);
          try {
            await providerSteps.run(scenario, world);
          } finally {
            await world.close();
          }
        }
      });
    }
  });
}
