import { describe } from 'vitest';
import { usePostgres } from '../../../../test/support/postgres.js';
import { storeConformance } from '../store.test-suite.js';
import { PostgresStore } from './postgres-store.js';

const postgres = usePostgres();

describe.skipIf(!postgres.available)('PostgresStore', () => {
  storeConformance('PostgreSQL (a real server)', async () =>
    PostgresStore.open(await postgres.server().database()),
  );
});
