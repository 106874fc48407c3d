// A worker process of the parallel-writers test: runs N consumer tests, each adding one interaction
// to the same contract file. Usage: node writer.mjs <dir> <worker> <count> [variant]
import { ConsumerContract, integer, like } from '@treaty/core';

const [dir, worker, count, variant = 'a'] = process.argv.slice(2);
const contract = new ConsumerContract({ consumer: 'web', provider: 'orders', dir });
try {
  for (let k = 0; k < Number(count); k++) {
    const description = worker === 'shared' ? `shared interaction ${k}` : `worker ${worker} interaction ${k}`;
    await contract
      .addInteraction()
      .given('order exists', { id: k })
      .uponReceiving(description)
      .withRequest('GET', `/orders/${k}`)
      .willRespondWith(200, (res) => res.jsonBody(like({ id: integer(k), variant })))
      .executeTest(async (mock) => {
        const res = await fetch(`${mock.url}/orders/${k}`);
        if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
      });
  }
} catch (error) {
  console.error(JSON.stringify({ code: error.code, message: error.message }));
  process.exit(3);
}
