import { TreatyError } from '../errors.js';
import type {
  AsyncMessageInteraction,
  Contract,
  HttpInteraction,
  Interaction,
  SyncMessageInteraction,
} from '../contract/model.js';
import { HttpInteractionBuilder, type InteractionSink, type MockServerInfo } from './builders.js';
import { AsyncMessageBuilder, SyncMessageBuilder, type MessageSink } from './message-builders.js';
import { checkMaxRequestBytes, MockServer } from './mock-server.js';
import {
  mergeInteractions,
  type StaleInteractions,
  staleInteractionsOf,
  writeContractFile,
} from './pact-file.js';
import { renderReport } from './report.js';

/** One line saying what a test callback threw: `Error: inventory answered 500`. */
function describeThrown(error: unknown): string {
  let text: string;
  try {
    text =
      error instanceof Error || typeof error !== 'object' || error === null
        ? String(error)
        : (JSON.stringify(error) ?? String(error));
  } catch {
    text = Object.prototype.toString.call(error);
  }
  const [first = '', ...rest] = text.split('\n');
  const line = rest.length > 0 ? `${first} …` : first;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** Options of a {@link ConsumerContract}. */
export interface ConsumerContractOptions {
  consumer: string;
  provider: string;
  /** Folder the contract file is written to (default `./pacts`). */
  dir?: string;
  /** Pact Specification version of the file: 4 (default) or 3 for older tools. */
  specVersion?: 3 | 4;
  /** Mock server host (default 127.0.0.1). */
  host?: string;
  /** Mock server port (default 0: a free port for every test). */
  port?: number;
  /** Answer CORS preflight requests, for tests that run in a browser. */
  cors?: boolean;
  /**
   * The largest request body the mock server reads, in bytes (default 10 MiB). A larger request is
   * answered 413 (TREATY_MOCK_REQUEST_TOO_LARGE) without being buffered, and the test fails.
   */
  maxRequestBytes?: number;
  /**
   * What a test run does with the interactions an earlier run wrote to the contract file and this
   * run does not record. 'keep' (the default): they stay, so a filtered run (`vitest run -t …`)
   * never shrinks the contract; what this run records replaces the earlier content. 'drop': the
   * file holds only what this run recorded, so interactions removed from the tests disappear; use
   * it for full runs only. Unset, the environment variable TREATY_DROP_STALE_INTERACTIONS=1 means 'drop'.
   */
  staleInteractions?: StaleInteractions;
}

/**
 * A consumer's contract with one provider: register interactions, exercise your client against a
 * real mock server, and the contract file is written when the test passes.
 * @example const contract = new ConsumerContract({ consumer: 'web', provider: 'orders', dir: './pacts' })
 */
export class ConsumerContract {
  private readonly options: Required<
    Pick<ConsumerContractOptions, 'dir' | 'specVersion' | 'staleInteractions'>
  > &
    ConsumerContractOptions;
  private pendingHttp: HttpInteraction[] = [];

  constructor(options: ConsumerContractOptions) {
    for (const key of ['consumer', 'provider'] as const) {
      if (typeof options?.[key] !== 'string' || options[key].trim() === '') {
        throw new TreatyError(
          'TREATY_DSL_INVALID',
          `new ConsumerContract: '${key}' must be a non-empty name, got ${JSON.stringify(options?.[key])}.`,
        );
      }
    }
    if (options.specVersion !== undefined && options.specVersion !== 3 && options.specVersion !== 4) {
      throw new TreatyError(
        'TREATY_DSL_INVALID',
        `new ConsumerContract: specVersion must be 3 or 4, got ${JSON.stringify(options.specVersion)}.`,
      );
    }
    checkMaxRequestBytes(options.maxRequestBytes);
    this.options = {
      dir: './pacts',
      specVersion: 4,
      ...options,
      staleInteractions: staleInteractionsOf(options.staleInteractions),
    };
  }

  private readonly httpSink: InteractionSink = {
    register: (interaction) => {
      // Same description and states with other content is a mistake; say so now, at the call.
      mergeInteractions(this.pendingHttp, [interaction], `in this test's interactions`);
      this.pendingHttp.push(interaction);
    },
    executeTest: (fn) => this.executeTest(fn),
  };

  private readonly messageSink: MessageSink = {
    runMessageTest: async <R>(
      interaction: AsyncMessageInteraction | SyncMessageInteraction,
      fn: () => Promise<R> | R,
    ): Promise<R> => {
      const result = await fn();
      await this.write([interaction]);
      return result;
    },
  };

  /** Starts an HTTP interaction. */
  addInteraction(): HttpInteractionBuilder {
    return new HttpInteractionBuilder(this.httpSink);
  }

  /** Starts an asynchronous message interaction. */
  addAsynchronousMessage(): AsyncMessageBuilder {
    return new AsyncMessageBuilder(this.messageSink);
  }

  /** Starts a synchronous message interaction. */
  addSynchronousMessage(description: string): SyncMessageBuilder {
    return new SyncMessageBuilder(this.messageSink, description);
  }

  /**
   * Runs `fn` against a mock server holding every interaction registered since the last test; when
   * it returns, checks that each was received as expected and nothing else came, then writes the file.
   */
  async executeTest<R>(fn: (mock: MockServerInfo) => Promise<R> | R): Promise<R> {
    const interactions = this.pendingHttp;
    this.pendingHttp = [];
    if (interactions.length === 0)
      throw new TreatyError(
        'TREATY_DSL_INCOMPLETE',
        'executeTest: no interaction is registered; add one with addInteraction() … willRespondWith(…) first.',
      );
    const server = await MockServer.start(interactions, {
      ...(this.options.host === undefined ? {} : { host: this.options.host }),
      ...(this.options.port === undefined ? {} : { port: this.options.port }),
      ...(this.options.cors === undefined ? {} : { cors: this.options.cors }),
      ...(this.options.maxRequestBytes === undefined
        ? {}
        : { maxRequestBytes: this.options.maxRequestBytes }),
    });
    let outcome: { ok: true; value: R } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn({ url: server.url, port: server.port, host: server.host }) };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      await server.close();
    }
    // A real client usually throws on the mock's 500; the mismatch report is the failure to show, with
    // the callback's error after it, not instead of it.
    const unmatched = server.unmatched();
    const report = renderReport(server.missing(), unmatched);
    if (report !== undefined) {
      if (outcome.ok) throw new TreatyError('TREATY_CONSUMER_TEST_FAILED', report);
      const threw = `The test callback ${unmatched.length > 0 ? 'then ' : ''}threw: ${describeThrown(outcome.error)}`;
      throw new TreatyError('TREATY_CONSUMER_TEST_FAILED', `${report}\n\n${threw}`, { cause: outcome.error });
    }
    if (!outcome.ok) throw outcome.error;
    await this.write(interactions);
    return outcome.value;
  }

  private async write(interactions: Interaction[]): Promise<void> {
    const contract: Contract = {
      consumer: { name: this.options.consumer },
      provider: { name: this.options.provider },
      interactions,
      metadata: { treaty: { version: '0.1.0' } },
      specVersion: '4.0',
    };
    await writeContractFile(this.options.dir, contract, {
      specVersion: this.options.specVersion,
      staleInteractions: this.options.staleInteractions,
    });
  }
}
