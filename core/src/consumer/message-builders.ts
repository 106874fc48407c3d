import type {
  AsyncMessageInteraction,
  Message,
  ProviderState,
  SyncMessageInteraction,
} from '../contract/model.js';
import { TreatyError } from '../errors.js';
import { generateMessage } from '../generators/parts.js';
import { extractMatching } from '../matchers/extract.js';
import { jsonObject, requireName } from './parts.js';
import { extractMetadata } from './template.js';

function emptyMessage(): Message {
  return { metadata: {}, matchingRules: {}, generators: {} };
}

/** Fills in message contents and metadata. */
export class MessageContentBuilder {
  /** @internal */
  constructor(private readonly message: Message) {}

  /** JSON contents; matchers anywhere. */
  withJSONContent(template: unknown): this {
    const { example, rules, generators } = extractMatching(template);
    this.message.contents = { kind: 'json', value: example, contentType: 'application/json' };
    if (Object.keys(rules).length > 0) this.message.matchingRules.body = rules;
    if (Object.keys(generators).length > 0) this.message.generators.body = generators;
    if (this.message.metadata.contentType === undefined)
      this.message.metadata.contentType = 'application/json';
    return this;
  }

  /** Contents as given (text or bytes) with a content type. */
  withContent(contentType: string, data: string | Uint8Array): this {
    if (typeof data === 'string') this.message.contents = { kind: 'text', text: data, contentType };
    else if (data instanceof Uint8Array)
      this.message.contents = { kind: 'binary', bytes: new Uint8Array(data), contentType };
    else
      throw new TreatyError(
        'TREATY_DSL_INVALID',
        `withContent: the contents must be a string or bytes, got ${typeof data}.`,
      );
    this.message.metadata.contentType = contentType;
    return this;
  }

  /** Metadata (topic, headers, …); values may be matchers. */
  withMetadata(metadata: Record<string, unknown>): this {
    const { metadata: values, rules, generators } = extractMetadata(metadata);
    Object.assign(this.message.metadata, values);
    if (Object.keys(rules).length > 0)
      this.message.matchingRules.metadata = { ...this.message.matchingRules.metadata, ...rules };
    if (Object.keys(generators).length > 0)
      this.message.generators.metadata = { ...this.message.generators.metadata, ...generators };
    return this;
  }
}

/** The message a test's handler receives: contents and metadata, generated values for the examples. */
export interface ReifiedMessage<T = unknown> {
  contents: T;
  metadata: Record<string, unknown>;
}

// The handler gets the message as a provider would send it: generators (random values, dates) have
// replaced their examples, while the contract keeps the examples (as Pact's message iterators do).
function reified(message: Message): ReifiedMessage {
  const m = generateMessage(message, { mode: 'consumer' });
  const c = m.contents;
  const contents =
    c === undefined ? undefined : c.kind === 'json' ? c.value : c.kind === 'text' ? c.text : c.bytes;
  return { contents, metadata: m.metadata };
}

/** Where message builders hand their finished interactions. */
export interface MessageSink {
  runMessageTest<R>(
    interaction: AsyncMessageInteraction | SyncMessageInteraction,
    fn: () => Promise<R> | R,
  ): Promise<R>;
}

abstract class StatesAndDescription {
  protected readonly states: ProviderState[] = [];
  protected isPending = false;
  protected comments: { text?: string[]; testname?: string } | undefined;
  protected interactionKey: string | undefined;

  /** Sets the V4 key of the interaction (unique in its contract); without one, Treaty computes it. */
  key(key: string): this {
    requireName(key, 'key', 'key');
    this.interactionKey = key;
    return this;
  }

  /** A provider state this message needs, with optional parameters. */
  given(state: string, params?: Record<string, unknown>): this {
    requireName(state, 'given', 'provider state');
    this.states.push(
      params === undefined
        ? { name: state }
        : { name: state, params: jsonObject(params, `given('${state}') params`) },
    );
    return this;
  }

  /** Marks the interaction pending. */
  pending(pending = true): this {
    this.isPending = pending;
    return this;
  }

  /** Adds a free-text comment (V4). */
  comment(text: string): this {
    this.comments = { ...this.comments, text: [...(this.comments?.text ?? []), text] };
    return this;
  }

  /** Records the name of the test (V4 comments.testname). */
  testName(name: string): this {
    this.comments = { ...this.comments, testname: name };
    return this;
  }
}

/**
 * An asynchronous message the consumer receives (`addAsynchronousMessage()`).
 * @example
 * contract
 *   .addAsynchronousMessage()
 *   .expectsToReceive('an order created event', (m) => m.withJSONContent({ id: integer(1) }))
 *   .executeTest(async (msg) => handler(msg.contents))
 */
export class AsyncMessageBuilder extends StatesAndDescription {
  private description: string | undefined;
  private readonly message = emptyMessage();

  /** @internal */
  constructor(private readonly sink: MessageSink) {
    super();
  }

  /** Describes the message and fills in its contents and metadata. */
  expectsToReceive(description: string, build: (m: MessageContentBuilder) => unknown): this {
    requireName(description, 'expectsToReceive', 'description');
    this.description = description;
    build(new MessageContentBuilder(this.message));
    return this;
  }

  /** Hands the example message to `fn` (your real handler); the contract is written only if it succeeds. */
  executeTest<R>(fn: (message: ReifiedMessage) => Promise<R> | R): Promise<R> {
    if (this.description === undefined)
      throw new TreatyError(
        'TREATY_DSL_INCOMPLETE',
        'executeTest: call expectsToReceive(description, …) first.',
      );
    // A message may have no contents (a tombstone, or an event whose metadata says everything), as in Pact.
    const interaction: AsyncMessageInteraction = {
      type: 'Asynchronous/Messages',
      description: this.description,
      providerStates: this.states,
      pending: this.isPending,
      message: this.message,
      ...(this.comments === undefined ? {} : { comments: this.comments }),
      ...(this.interactionKey === undefined ? {} : { key: this.interactionKey }),
    };
    return this.sink.runMessageTest(interaction, () => fn(reified(this.message)));
  }
}

/** What a synchronous message test receives: the request message and the expected responses. */
export interface ReifiedSyncMessage {
  request: ReifiedMessage;
  responses: ReifiedMessage[];
}

/**
 * A request message answered by one or more response messages (`addSynchronousMessage(description)`).
 * @example
 * contract
 *   .addSynchronousMessage('a price request')
 *   .withRequest((m) => m.withJSONContent({ sku: 'A-1' }))
 *   .withResponse((m) => m.withJSONContent({ price: decimal(9.99) }))
 *   .executeTest(async ({ request, responses }) => …)
 */
export class SyncMessageBuilder extends StatesAndDescription {
  private readonly request = emptyMessage();
  private readonly responses: Message[] = [];

  /** @internal */
  constructor(
    private readonly sink: MessageSink,
    private readonly description: string,
  ) {
    super();
    requireName(description, 'addSynchronousMessage', 'description');
  }

  /** The request message. */
  withRequest(build: (m: MessageContentBuilder) => unknown): this {
    build(new MessageContentBuilder(this.request));
    return this;
  }

  /** A response message; call again for several. */
  withResponse(build: (m: MessageContentBuilder) => unknown): this {
    const m = emptyMessage();
    build(new MessageContentBuilder(m));
    this.responses.push(m);
    return this;
  }

  /** Hands the example request and responses to `fn`; the contract is written only if it succeeds. */
  executeTest<R>(fn: (exchange: ReifiedSyncMessage) => Promise<R> | R): Promise<R> {
    // No response message is allowed, as in Pact: a request that is only acknowledged.
    const interaction: SyncMessageInteraction = {
      type: 'Synchronous/Messages',
      description: this.description,
      providerStates: this.states,
      pending: this.isPending,
      request: this.request,
      response: this.responses,
      ...(this.comments === undefined ? {} : { comments: this.comments }),
      ...(this.interactionKey === undefined ? {} : { key: this.interactionKey }),
    };
    return this.sink.runMessageTest(interaction, () =>
      fn({ request: reified(this.request), responses: this.responses.map(reified) }),
    );
  }
}
