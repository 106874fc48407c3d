import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('says what is wrong with a file that is not a database', () => {
    const path = fresh();
    writeFileSync(path, 'this is not sqlite');
    expect(() => SqliteStore.open(path)).toThrow(expect.objectContaining({ code: 'TREATY_BROKER_DATABASE' }));
  });
});
