// The same consumer test written with Pact JS 16.5 (PactV4). Usage: node pact.mjs <dir> <count>
import { PactV4, MatchersV3 } from '@pact-foundation/pact';

const { like, integer, regex, eachLike } = MatchersV3;
const [dir, count] = process.argv.slice(2);
const pact = new PactV4({ consumer: 'bench-web', provider: 'bench-orders', dir, logLevel: 'error' });
let last;
for (let k = 0; k < Number(count); k++) {
  last = pact
    .addInteraction()
    .given('order exists', { id: k })
    .uponReceiving(`a request for order ${k}`)
    .withRequest('GET', `/orders/${k}`, (req) => req.headers({ Accept: 'application/json' }))
    .willRespondWith(200, (res) =>
      res.jsonBody(
        like({
          id: integer(k),
          status: regex('PENDING|SHIPPED', 'PENDING'),
          items: eachLike({ sku: 'A-1' }),
        }),
      ),
    );
}
await last.executeTest(async (mock) => {
  for (let k = 0; k < Number(count); k++)
    await (await fetch(`${mock.url}/orders/${k}`, { headers: { Accept: 'application/json' } })).json();
});
