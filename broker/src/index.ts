// The public surface of @treaty/broker, written out by name.
export { buildApp } from './app.js';
export type { AppOptions } from './app.js';
export type { AuthOptions, Credential } from './http/auth.js';
export type { HeavyRequestOptions } from './http/heavy-requests.js';
export type { WebhookOptions } from './webhooks/settings.js';
export { parseRetrySchedule, splitList } from './webhooks/settings.js';
export { SqliteStore, contentSha } from './store/sqlite/sqlite-store.js';
export { openStore } from './store/open.js';
export type { PoolOptions } from './store/postgres/connection.js';
export { checkDatabaseSetting, isPostgresUrl, redactDatabaseUrl } from './store/database-url.js';
export type {
  Store,
  Pacticipant,
  Version,
  PactPublication,
  Verification,
  PublishOutcome,
  Webhook,
  WebhookEventName,
  WebhookRequestTemplate,
  TriggeredWebhook,
  WebhookAttempt,
} from './store/types.js';
export {
  startBroker,
  settingsFromEnv,
  webhookSettingsFromEnv,
  parsePublicUrl,
  parseTrustProxy,
  parseDatabasePool,
} from './server.js';
export { LIMITS } from './limits.js';
export type { BrokerSettings, RunningBroker } from './server.js';
