// The public surface of @treaty/broker, written out by name.
export { SqliteStore, contentSha } from './store/sqlite/sqlite-store.js';
export type { Store, Pacticipant, Version, PactPublication, Verification, PublishOutcome } from './store/types.js';
