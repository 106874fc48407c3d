// The public surface of @treaty/broker, written out by name.
export { buildApp } from './app.js';
export type { AppOptions, AuthOptions, Credential } from './app.js';
export type { HeavyRequestOptions } from './heavy-requests.js';
export { SqliteStore, contentSha } from './store/sqlite/sqlite-store.js';
export type {
  Store,
  Pacticipant,
  Version,
  PactPublication,
  Verification,
  PublishOutcome,
} from './store/types.js';
export { startBroker, settingsFromEnv } from './server.js';
export type { BrokerSettings, RunningBroker } from './server.js';
