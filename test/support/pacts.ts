/**
 * The smallest V4 pact: one HTTP interaction, `request n`, GET /n answered 200; `n` makes each content
 * distinct. Tests that publish many contents (concurrency, crashes, webhooks) use it.
 * @example smallPact('web', 'orders', 1)
 */
export function smallPact(consumer: string, provider: string, n: number) {
  return {
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: `request ${n}`,
        request: { method: 'GET', path: `/${n}` },
        response: { status: 200 },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  };
}
