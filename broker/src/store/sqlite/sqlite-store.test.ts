import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storeConformance } from '../store.test-suite.js';
import { SqliteStore } from './sqlite-store.js';
import { migrations } from './migrations.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'treaty-store-')), 'broker.sqlite');

storeConformance('SQLite (a real file)', async () => SqliteStore.open(fresh()));

describe('SqliteStore', () => {
  it('applies every migration once, and keeps data across reopening', async () => {
    const path = fresh();
    const store = SqliteStore.open(path);
    expect(store.schemaVersions()).toEqual(migrations.map((m) => m.version));
    await store.publishPact({ consumer: 'web', consumerVersion: '1', provider: 'orders', content: '{}' });
    await store.close();
    const again = SqliteStore.open(path);
    expect(again.schemaVersions()).toEqual(migrations.map((m) => m.version));
    expect((await again.getPact('web', '1', 'orders'))?.content).toBe('{}');
    await again.close();
  });

  it('migration 9 reads which document each earlier comparison was made with from its verifiedBy', async () => {
    const path = fresh();
    // What the broker before migration 9 wrote: a replay, and comparisons that named their document
    // only in verifiedBy (one with a report that is not JSON, which must not stop the migration).
    const store = SqliteStore.open(path);
    const { publication } = await store.publishPact({
      consumer: 'web',
      consumerVersion: '1',
      provider: 'orders',
      content: '{}',
    });
    const pair = { consumer: 'web', provider: 'orders', providerVersion: 'p1', sha: publication.sha };
    const verifiedBy = (sha: string) =>
      JSON.stringify({ implementation: 'Treaty OpenAPI comparison', document: { sha } });
    const replay = await store.recordVerification({ ...pair, success: true });
    const garbled = await store.recordVerification({
      ...pair,
      success: false,
      evidence: 'openapi',
      report: { verifiedBy: 'not json', truncated: false },
    });
    const compared = await store.recordVerification({
      ...pair,
      success: true,
      evidence: 'openapi',
      report: { verifiedBy: verifiedBy('doc-a'), truncated: false },
    });
    await store.close();
    const raw = new Database(path);
    raw.exec(
      'ALTER TABLE verifications DROP COLUMN compared_with; DELETE FROM schema_migrations WHERE version = 9;',
    );
    raw.close();

    const migrated = SqliteStore.open(path);
    expect(migrated.schemaVersions()).toEqual(migrations.map((m) => m.version));
    const seen = async (id: number) => (await migrated.getVerification(id))?.verification.comparedWith;
    expect([await seen(replay.id), await seen(compared.id), await seen(garbled.id)]).toEqual([
      undefined,
      'doc-a',
      undefined,
    ]);
    // The comparison with doc-a counts as made: comparing the pair with doc-a again records nothing.
    expect((await migrated.recordComparison({ ...pair, success: true, comparedWith: 'doc-a' })).created).toBe(
      false,
    );
    await migrated.close();
  });

  it('says what is wrong with a file that is not a database', () => {
    const path = fresh();
    writeFileSync(path, 'this is not sqlite');
    expect(() => SqliteStore.open(path)).toThrow(expect.objectContaining({ code: 'TREATY_BROKER_DATABASE' }));
  });
});
