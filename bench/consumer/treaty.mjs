// One consumer test file written with Treaty: `count` interactions, each exercised once, then the
// contract is written. Usage: node treaty.mjs <dir> <count>
import { ConsumerContract, eachLike, integer, like, regex } from '@treaty/core';

const [dir, count] = process.argv.slice(2);
const contract = new ConsumerContract({ consumer: 'bench-web', provider: 'bench-orders', dir });
for (let k = 0; k < Number(count); k++) {
  contract
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
await contract.executeTest(async (mock) => {
  for (let k = 0; k < Number(count); k++)
    await (await fetch(`${mock.url}/orders/${k}`, { headers: { Accept: 'application/json' } })).json();
});
