import { describe, expect, it } from 'vitest';
import { contentSha } from '@treaty/broker';
import { usePostgres } from '../support/postgres.js';
import { type BrokerProcess, startBrokerProcess } from '../support/process.js';

// Two `treaty broker` processes (the built CLI) on one PostgreSQL database, as two instances behind a
// load balancer. Publishers (publish-contracts) and verifiers (verification results) write through
// both at once; one instance is killed with SIGKILL mid-run, and a client whose request it dropped
// sends it again to the other, as a load balancer's retry would. Then, through the survivor: every
// acknowledged write is there and consistent, no version is there twice, and the survivor answered
// every request it was sent, all along.
const postgres = usePostgres();

const CONSUMERS = ['kill-web', 'kill-app'];
const PROVIDERS = ['kill-orders', 'kill-billing'];

/**
 * A consumer version's pact with a provider; the billing pact is the same for every version (stored once).
 */
const pact = (consumer: string, provider: string, version: string) =>
  JSON.stringify({
    consumer: { name: consumer },
    provider: { name: provider },
    interactions: [
      {
        type: 'Synchronous/HTTP',
        description: provider === 'kill-billing' ? 'an invoice' : `order for ${version}`,
        request: { method: 'GET', path: provider === 'kill-billing' ? '/invoices/1' : `/orders/${version}` },
        response: { status: 200 },
      },
    ],
    metadata: { pactSpecification: { version: '4.0' } },
  });

interface Publication {
  consumer: string;
  version: string;
  branch: string;
  pacts: Array<{ provider: string; sha: string; content: string }>;
}

interface Verification {
  consumer: string;
  provider: string;
  sha: string;
  providerVersion: string;
  success: boolean;
  /** The result's own link, as the broker answered it. */
  href: string;
}

describe.skipIf(!postgres.available)('two broker processes on one PostgreSQL database', () => {
  it('keep every acknowledged write when one is killed mid-run, and the other answers throughout', async () => {
    const database = await postgres.server().database();
    const brokers: BrokerProcess[] = await Promise.all([
      startBrokerProcess(database),
      startBrokerProcess(database),
    ]);
    const [doomed, survivor] = brokers as [BrokerProcess, BrokerProcess];
    let killed = false;
    /** What the survivor failed to answer (a dropped connection, a 5xx): must stay empty. */
    const survivorFailures: string[] = [];
    /** What either answered that no client should see (a 4xx to a well-formed write). */
    const refusals: string[] = [];

    /**
     * Sends a write to `first`, or to the survivor once `first` is gone: the answer, or undefined when
     * the survivor too gave none.
     */
    const send = async (first: BrokerProcess, path: string, body: unknown): Promise<Response | undefined> => {
      for (const broker of first === survivor || killed ? [survivor] : [first, survivor]) {
        try {
          const res = await fetch(`${broker.url}${path}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/hal+json' },
            body: JSON.stringify(body),
          });
          if (broker === survivor && res.status >= 500)
            survivorFailures.push(`${path}: ${res.status} ${await res.text()}`);
          else if (res.status >= 400) refusals.push(`${path}: ${res.status} ${await res.text()}`);
          return res;
        } catch (error) {
          if (broker === survivor) survivorFailures.push(`${path}: ${String(error)}`);
          // The doomed one is gone (or going): the same request goes to the other.
        }
      }
      return undefined;
    };

    const published: Publication[] = [];
    const verified: Verification[] = [];
    let stop = false;

    const publisher = async (worker: number) => {
      for (let n = 0; !stop; n++) {
        const consumer = CONSUMERS[worker % CONSUMERS.length] as string;
        const version = `${worker}.${n}.0`;
        const branch = n % 2 === 0 ? 'main' : `feat-${worker}`;
        const pacts = PROVIDERS.map((provider) => {
          const content = pact(consumer, provider, version);
          return { provider, sha: contentSha(content), content };
        });
        const res = await send(brokers[(worker + n) % 2] as BrokerProcess, '/contracts/publish', {
          pacticipantName: consumer,
          pacticipantVersionNumber: version,
          branch,
          contracts: pacts.map((p) => ({
            consumerName: consumer,
            providerName: p.provider,
            specification: 'pact',
            contentType: 'application/json',
            content: Buffer.from(p.content).toString('base64'),
          })),
        });
        if (res?.status === 200) published.push({ consumer, version, branch, pacts });
      }
    };

    const verifier = async (worker: number) => {
      for (let m = 0; !stop; m++) {
        const publication = published[Math.floor(Math.random() * published.length)];
        if (publication === undefined) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const { provider, sha } = publication.pacts[m % publication.pacts.length] as Publication['pacts'][0];
        const providerVersion = `${provider}-${worker}.${m}`;
        const success = m % 3 !== 0;
        const res = await send(
          brokers[(worker + m) % 2] as BrokerProcess,
          `/pacts/provider/${provider}/consumer/${publication.consumer}/pact-version/${sha}/verification-results`,
          { success, providerApplicationVersion: providerVersion },
        );
        if (res?.status === 201) {
          const href = ((await res.json()) as { _links: { self: { href: string } } })._links.self.href;
          verified.push({ consumer: publication.consumer, provider, sha, providerVersion, success, href });
        }
      }
    };

    const clients = [...[0, 1, 2, 3].map((w) => publisher(w)), ...[0, 1].map((w) => verifier(w))];
    /** Waits until `enough` holds, or 20 s at most (a slow machine), checking every 20 ms. */
    const until = async (enough: () => boolean) => {
      for (let waited = 0; !enough() && waited < 20_000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
    };
    // Kill one mid-run, once both have taken a fair share of writes; then the survivor takes them all.
    await until(() => published.length >= 60 && verified.length >= 40);
    const before = { published: published.length, verified: verified.length };
    doomed.child.kill('SIGKILL');
    killed = true;
    await until(() => published.length >= before.published + 60 && verified.length >= before.verified + 40);
    stop = true;
    await Promise.all(clients);

    try {
      expect(survivorFailures).toEqual([]);
      expect(refusals).toEqual([]);
      expect(published.length).toBeGreaterThan(before.published);
      expect(verified.length).toBeGreaterThan(before.verified);

      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${survivor.url}${path}`, { headers: { Accept: 'application/hal+json' } });
        expect(res.status, path).toBe(200);
        return (await res.json()) as T;
      };
      // Every acknowledged publication: its version with its branch, each pact by version and by sha.
      for (const p of published) {
        const version = await get<{
          number: string;
          _embedded: { branchVersions: Array<{ name: string }> };
        }>(`/pacticipants/${p.consumer}/versions/${p.version}`);
        expect(version.number).toBe(p.version);
        expect(version._embedded.branchVersions.map((b) => b.name)).toEqual([p.branch]);
        for (const { provider, sha, content } of p.pacts) {
          const byVersion = await get<object>(
            `/pacts/provider/${provider}/consumer/${p.consumer}/version/${p.version}`,
          );
          const bySha = await get<object>(
            `/pacts/provider/${provider}/consumer/${p.consumer}/pact-version/${sha}`,
          );
          const interactions = (JSON.parse(content) as { interactions: unknown[] }).interactions;
          expect(byVersion).toMatchObject({ interactions });
          expect(bySha).toMatchObject({ interactions });
        }
      }
      // No version twice, and every acknowledged one among them, with its branch once.
      for (const consumer of CONSUMERS) {
        const list = await get<{ _embedded: { versions: Array<{ number: string }> } }>(
          `/pacticipants/${consumer}/versions?pageSize=1000`,
        );
        const numbers = list._embedded.versions.map((v) => v.number);
        expect(new Set(numbers).size).toBe(numbers.length);
        for (const p of published.filter((x) => x.consumer === consumer))
          expect(numbers).toContain(p.version);
      }
      // Every acknowledged result, as it was sent.
      for (const v of verified) {
        const result = await get<{ success: boolean; providerApplicationVersion: string }>(
          new URL(v.href).pathname,
        );
        expect(result).toMatchObject({ success: v.success, providerApplicationVersion: v.providerVersion });
      }
    } finally {
      survivor.child.kill('SIGTERM');
    }

    // The database agrees: one row per version, one branch row per version and branch, and every
    // verification of content its pair published.
    const url = new URL(database);
    const admin = <T>(sql: string) => postgres.server().admin<T>(sql, [], url);
    expect(
      await admin('SELECT pacticipant_id, number FROM versions GROUP BY 1, 2 HAVING COUNT(*) > 1'),
    ).toEqual([]);
    expect(
      await admin(
        `SELECT ve.id FROM verifications ve WHERE NOT EXISTS (SELECT 1 FROM pact_publications pp
           WHERE pp.consumer_id = ve.consumer_id AND pp.provider_id = ve.provider_id AND pp.sha = ve.sha)`,
      ),
    ).toEqual([]);
    const [counts] = await admin<{ versions: number; publications: number }>(
      `SELECT (SELECT COUNT(*)::int FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
                 WHERE p.name IN ('kill-web', 'kill-app')) AS versions,
              (SELECT COUNT(*)::int FROM pact_publications) AS publications`,
    );
    // Acknowledged ones, and perhaps a few the killed broker committed without answering.
    expect(counts?.versions).toBeGreaterThanOrEqual(published.length);
    expect(counts?.publications).toBe((counts?.versions ?? 0) * PROVIDERS.length);
  }, 60_000);
});
