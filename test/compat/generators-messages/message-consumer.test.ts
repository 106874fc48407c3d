import {
  messageConsumerSteps,
  newMessageConsumerWorld,
  type MessageConsumerWorld,
} from './message-consumer-steps.js';
import { runFeatures } from './runner.js';

runFeatures<MessageConsumerWorld>(
  [
    'V3/message_consumer.feature',
    'V4/message_consumer.feature',
    'V4/synchronous_message_consumer.feature',
    'V4/v4.feature',
  ],
  messageConsumerSteps,
  newMessageConsumerWorld,
);
