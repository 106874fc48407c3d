import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TreatyError } from '@treaty/core';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { brokerCall, brokerConnection } from '../../broker-client.js';
import { brokerOptions, outputFormat, outputOptions, repeatable, text, texts } from '../../options.js';

// `treaty publish-provider-contract`, with the flags of `pactflow publish-provider-contract`: a
// provider's OpenAPI document (and how the provider verified it) to the broker, which compares it
// with the consumers' pacts.

async function readGiven(path: string, cwd: string, what: string): Promise<string> {
  return readFile(resolve(cwd, path), 'utf8').catch((error: unknown) => {
    throw new TreatyError('TREATY_CLI_FILE_NOT_FOUND', `Cannot read ${what} '${path}'.`, { cause: error });
  });
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The content type of a document by its file name, as the Pact CLI guesses it. */
function contentTypeOf(file: string): string {
  return /\.ya?ml$/i.test(file) ? 'application/yaml' : 'application/json';
}

export const publishProviderContractCommand: Command = {
  define(cli) {
    cli
      .usage('<file> --provider <name> --provider-app-version <version> --broker-base-url <url> [options]')
      .description(
        "Publishes a provider's OpenAPI document; the broker compares it with the consumers' pacts.",
      )
      .argument('<file>', 'the OpenAPI document (YAML or JSON)')
      .option('--provider <name>', 'the provider')
      .option('--provider-app-version <version>', 'the provider version the document describes')
      .option('--branch <branch>', 'its branch')
      .addOption(repeatable('--tag <tag>', 'a tag for the version'))
      .option('--content-type <type>', 'the document content type (default: by the file name)')
      .option('--verification-success', 'the provider verified the document (tests passed)')
      .option('--no-verification-success', 'the provider failed to verify the document')
      .option('--verification-results <file>', 'the report of that verification')
      .option('--verification-results-content-type <type>', 'its content type')
      .option('--verification-results-format <format>', 'its format (text, json, …)')
      .option('--verifier <name>', 'the tool that verified it')
      .option('--verifier-version <version>', "that tool's version")
      .option('--build-url <url>', 'a link to the CI build');
    outputOptions(cli, ['table', 'json']);
    brokerOptions(cli);
  },
  async run({ values, operands }, io: CliIo) {
    const json = outputFormat(values, ['table', 'json'], io) === 'json';
    const file = operands[0];
    const provider = text(values, 'provider');
    const version = text(values, 'providerAppVersion');
    if (file === undefined || provider === undefined || version === undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        'Give the document, --provider and --provider-app-version, e.g. publish-provider-contract openapi.yaml --provider orders --provider-app-version 1.2.0.',
      );
    const conn = brokerConnection(values);
    const document = await readGiven(file, io.cwd, 'the provider contract');
    const resultsFile = text(values, 'verificationResults');
    const results =
      resultsFile === undefined ? undefined : await readGiven(resultsFile, io.cwd, 'the results');
    const success = values.verificationSuccess;
    const verifier = text(values, 'verifier');
    const verifierVersion = text(values, 'verifierVersion');
    // As the Pact CLI does, a self-verification is sent when there is something to say about it.
    const selfVerification =
      results === undefined && verifier === undefined && verifierVersion === undefined
        ? undefined
        : {
            success: success !== false,
            ...(results === undefined
              ? {}
              : {
                  content: base64(results),
                  contentType: text(values, 'verificationResultsContentType') ?? 'text/plain',
                  format: text(values, 'verificationResultsFormat') ?? 'text',
                }),
            ...(verifier === undefined ? {} : { verifier }),
            ...(verifierVersion === undefined ? {} : { verifierVersion }),
          };
    const branch = text(values, 'branch');
    const buildUrl = text(values, 'buildUrl');
    const { json: answer } = await brokerCall(
      conn,
      'POST',
      `/provider-contracts/provider/${encodeURIComponent(provider)}/publish`,
      {
        pacticipantVersionNumber: version,
        tags: texts(values, 'tag'),
        ...(branch === undefined ? {} : { branch }),
        ...(buildUrl === undefined ? {} : { buildUrl }),
        contract: {
          content: base64(document),
          contentType: text(values, 'contentType') ?? contentTypeOf(file),
          specification: 'oas',
          ...(selfVerification === undefined ? {} : { selfVerificationResults: selfVerification }),
        },
      },
    );
    if (json) io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
    else {
      const notices = Array.isArray(answer.notices) ? (answer.notices as Array<{ text?: unknown }>) : [];
      io.stdout(
        `${notices.map((n) => String(n.text ?? '')).join('\n') || `Published ${provider} ${version}.`}\n`,
      );
    }
    return 0;
  },
};
