// Runs every benchmark and prints the figures (or JSON with --json). npm run bench.
import { runEngineBench } from './engine.mjs';
import { runEngineVsPact } from './engine-vs-pact.mjs';
import { runMockServerBench } from './mock-server.mjs';
import { runConsumerTestBench } from './consumer-test.mjs';
import { runVerifierBench } from './verifier.mjs';
import { runBrokerBenchBothStores } from './broker.mjs';
import { runBrokerSizeBench } from './broker-size.mjs';
import { runSoakBench, soakRows, soakSummary } from './soak.mjs';
import { runOpenApiBench } from './openapi.mjs';
import { table } from './lib.mjs';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const log = (text) => {
  if (!json) console.log(text);
};

log(
  `Treaty benchmarks on ${process.platform}/${process.arch}, Node ${process.version}${quick ? ' (quick)' : ''}\n`,
);
log('1. Matching engine throughput, medians of repeated rounds');
const engine = runEngineBench({ quick });
log(`${table(engine.rows)}\n`);
log('2. Request matching in a server: Treaty (node:http + engine) vs Pact JS 16.5 mock server (Rust core)');
log('   same process, same load generator, 4 keep-alive connections, median of rounds');
const vsPact = await runEngineVsPact({ quick });
log(`${table(vsPact.rows)}\n`);
log(
  '3. Mock servers: Treaty vs Pact JS 16.5 vs a bare fastify server (autocannon in a child process, 8 connections)',
);
const mock = await runMockServerBench({ quick });
log(`${table(mock.rows)}\n`);
log('4. Consumer test cost: Treaty vs Pact JS 16.5 (separate processes, medians of interleaved runs)');
const consumer = runConsumerTestBench({ quick });
log(`${table(consumer.rows)}\n`);
log(
  '5. Verification: treaty verify vs pact-verifier (@pact-foundation/pact-cli 18.1.2), same contracts and fastify provider',
);
const verifier = await runVerifierBench({ quick });
log(`${table(verifier.rows)}\n`);
log('6. Broker on a large history, SQLite and PostgreSQL side by side, over HTTP on loopback');
const brokerBench = await runBrokerBenchBothStores({ quick });
log(`seeds: ${JSON.stringify(brokerBench.seeds)}`);
log(`${table(brokerBench.rows)}\n`);
log('7. Broker database size: distinct content vs consumer versions');
const size = await runBrokerSizeBench({ quick });
log(table(size.rows));
log(
  `each extra consumer version: ${Math.round(size.perVersionBytes)} bytes; each extra distinct content: ${Math.round(size.perContentBytes)} bytes`,
);
log(
  `\n8. Soak: mixed load with bursts of heavy queries, heartbeat every 50 ms (${quick ? 'about 20 s' : '3 minutes'})`,
);
const soak = await runSoakBench({ quick });
log(soakSummary(soak));
log(table(soakRows(soak)));
log("\n9. OpenAPI: a 500-operation document against a 1,000-interaction contract, vs PactFlow's comparator");
const openapi = await runOpenApiBench({ quick });
log(table(openapi.rows));
if (json)
  console.log(
    JSON.stringify(
      {
        engine: engine.results,
        engineVsPact: vsPact.results,
        mockServer: mock.results,
        consumerTest: consumer.results,
        verifier: verifier.results,
        broker: { seeds: brokerBench.seeds, rows: brokerBench.rows, postgres: brokerBench.postgresVersion },
        brokerSize: size,
        soak,
        openapi: openapi.results,
      },
      null,
      2,
    ),
  );
