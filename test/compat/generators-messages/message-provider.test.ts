import {
  messageProviderSteps,
  newMessageProviderWorld,
  type MessageProviderWorld,
} from './message-provider-steps.js';
import { runFeatures } from './runner.js';

runFeatures<MessageProviderWorld>(
  ['V3/message_provider.feature', 'V4/message_provider.feature'],
  messageProviderSteps,
  newMessageProviderWorld,
);
