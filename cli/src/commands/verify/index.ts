import { stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
  TreatyError,
  shellWord,
  verifyProvider,
  type VerificationResult,
  type VerifyOptions,
} from '@treaty/core/provider';
import { type Command as Cli, Option } from '../../commander.js';
import { commandRedactor, splitHeader } from '../../secrets.js';
import type { Command, Invocation, OptionValues } from '../../command.js';
import type { CliIo } from '../../io.js';
import {
  brokerOptions,
  deprecated,
  envOption,
  flag,
  outputFormat,
  outputOptions,
  repeatable,
  text,
  texts,
  type Format,
} from '../../options.js';
import {
  contractHeading,
  failureDetails,
  interactionLine,
  jsonReport,
  junitReport,
  rerunCommand,
  summaryLine,
} from './report.js';

const description = `Replays every interaction of the contracts against the running provider and matches what it answers.
Exit code 0 when every non-pending interaction passed, 1 on failures, 2 on a usage error.`;

const after = `
Credential-bearing custom headers (Authorization, Cookie, names with token, key, secret, password or
auth) and the broker token and password show as [redacted] in every output and report.

Renamed (the old spellings work until the next release, with a warning): --reporter <format> is now
--output <format>, and --output <file> is now --output-file <file>.`;

/** Declares verify's usage, operands and options. */
function define(cli: Cli): void {
  cli
    .usage('--provider-base-url <url> | --openapi <file|url> [--pact] <file|dir|url>... [options]')
    .description(description)
    .argument('[pacts...]', 'contract files, folders of them or URLs, as --pact')
    .option('--provider-base-url <url>', 'the running provider, e.g. http://127.0.0.1:8080')
    .option(
      '--openapi <file|url>',
      "check the contracts against the provider's OpenAPI document (YAML or JSON) instead of a running provider",
    )
    .addOption(
      repeatable('--ignore-warning <code>', 'with --openapi: a finding code not to report as a warning'),
    )
    .addOption(repeatable('--pact <file|dir|url>', 'a contract file, a folder of them, or a URL'))
    .option('--provider <name>', 'the provider (needed with a broker; filters files otherwise)')
    .option(
      '--provider-states-setup-url <url>',
      'POST { state, params, action } here before and after each interaction',
    )
    .addOption(repeatable('--custom-header <header>', "add 'Name: value' to every request"));
  brokerOptions(cli);
  cli
    .addOption(
      repeatable('--consumer-version-selectors <json>', `which pacts to verify, e.g. '{"mainBranch":true}'`),
    )
    .option('--enable-pending', 'pending pacts are verified and reported but do not fail the run')
    .option(
      '--include-wip-pacts-since <date>',
      'also verify work-in-progress pacts published since then (needs --provider-version-branch)',
    )
    .option('--provider-app-version <version>', 'the provider version being verified')
    .option('--provider-version-branch <branch>', 'its branch (drives pending and matchingBranch)')
    .option('--publish-verification-results', "publish each pact's result to the broker")
    .option('--build-url <url>', 'a link to the CI build, published with the results')
    .addOption(repeatable('--filter-consumer <name>', 'only these consumers'))
    .addOption(
      envOption(
        '--filter-description <regex>',
        'only interactions whose description matches',
        'PACT_DESCRIPTION',
      ),
    )
    .addOption(
      envOption(
        '--filter-state <regex>',
        'only interactions with a matching provider state',
        'PACT_PROVIDER_STATE',
      ),
    )
    .addOption(
      envOption(
        '--filter-no-state',
        'only interactions without provider states (when true)',
        'PACT_PROVIDER_NO_STATE',
      ),
    )
    .option(
      '--request-timeout <ms>',
      `deadline of each whole request (answer included) to the provider, the state change URL, the broker and pact URLs (default ${DEFAULT_TIMEOUT_MS})`,
    )
    .option(
      '--max-response-bytes <n>',
      `largest provider answer read; past it the interaction is an error (default ${DEFAULT_MAX_BYTES}, 50 MiB)`,
    )
    .option(
      '--max-pact-bytes <n>',
      `largest pact read from a file, a URL or the broker (default ${DEFAULT_MAX_BYTES})`,
    );
  outputOptions(cli, formats);
  cli
    .option(
      '--output-file <file>',
      'also write the report to this file: JUnit XML with --output junit, JSON otherwise',
    )
    .addOption(new Option('--reporter <format>', 'the old name of --output').hideHelp())
    .addHelpText('after', after);
}

const formats = ['table', 'json', 'junit'] as const;

/**
 * The output format and the report file, from --output, --output-file, --json and the old spellings
 * (--reporter <format>, --output <file>), which still work with a warning.
 */
function output(values: OptionValues, io: CliIo): { format: Format; file: string | undefined } {
  let format = text(values, 'output');
  let file = text(values, 'outputFile');
  if (format !== undefined && !['table', 'json', 'junit', 'console'].includes(format)) {
    if (file !== undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--output names the format (table, json or junit), got '${format}'; the report file is --output-file.`,
      );
    deprecated(io, '--output <file>', `--output-file ${shellWord(format)} (--output now names the format)`);
    file = format;
    format = undefined;
  }
  const reporter = text(values, 'reporter');
  if (reporter !== undefined) {
    if (format !== undefined)
      throw new TreatyError('TREATY_CLI_USAGE', 'Give --output only: --reporter is its old name.');
    format = reporter === 'console' ? 'table' : reporter;
    deprecated(io, `--reporter ${reporter}`, `--output ${format}`);
  }
  return { format: outputFormat({ ...values, output: format }, formats, io, { console: 'table' }), file };
}

/** Refuses a contract path on this machine that does not exist, before anything is verified. */
async function checkPaths(pacts: readonly string[], cwd: string): Promise<void> {
  for (const pact of pacts) {
    if (/^[a-z][\w+.-]*:\/\//i.test(pact)) continue;
    await stat(resolve(cwd, pact)).catch((error: NodeJS.ErrnoException) => {
      throw new TreatyError(
        'TREATY_CLI_FILE_NOT_FOUND',
        `Cannot read the contract source '${pact}' (${error.code === 'ENOENT' ? 'no such file or folder' : (error.code ?? error.message)}); check the path, relative to ${cwd}.`,
        { cause: error },
      );
    });
  }
}

/** The provider states the verified interactions name, when nothing was given to set them up. */
function statesWarning(result: VerificationResult): string {
  const states = new Set(
    result.contracts.flatMap((c) => c.interactions.flatMap((r) => r.providerStates.map((s) => s.name))),
  );
  if (states.size === 0) return '';
  return `treaty: warning: ${states.size} provider state(s) were not set up (${[...states].slice(0, 3).join(', ')}${states.size > 3 ? ', …' : ''}): give --provider-states-setup-url <url> to set them up before each interaction\n`;
}

/** Parses `Name: value` custom headers. */
function headers(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, h] of values.entries()) {
    const pair = splitHeader(h);
    // The value is not echoed: it may be a credential written without its name.
    if (pair === undefined || !/^[!#$%&'*+.^`|~\w-]+$/.test(pair[0]) || /[\r\n\0]/.test(pair[1]))
      throw new TreatyError(
        'TREATY_VERIFY_CONFIG',
        `--custom-header number ${n + 1} is not written as 'Name: value' (a header name, a colon, a value on one line).`,
      );
    out[pair[0]] = pair[1];
  }
  return out;
}

/** A positive number flag no larger than `max` (whole when `integer`), or undefined when not given. */
function limit(value: string | undefined, flag: string, max: number, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= max) || (integer && !Number.isInteger(n)))
    throw new TreatyError(
      'TREATY_CLI_USAGE',
      `${flag} must be a positive ${integer ? 'whole number' : 'number'} no larger than ${max}, got '${value}'.`,
    );
  return n;
}

/** `treaty verify`. */
export const verifyCommand: Command = {
  define,
  async run({ values, operands, args }: Invocation, io: CliIo): Promise<number> {
    const { format, file } = output(values, io);
    const providerBaseUrl = text(values, 'providerBaseUrl');
    const openapi = text(values, 'openapi');
    if (providerBaseUrl === undefined && openapi === undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        '--provider-base-url is required (or --openapi, to check the contracts against an OpenAPI document).',
      );
    if (providerBaseUrl !== undefined && openapi !== undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        'Give --provider-base-url (replay against a running provider) or --openapi (check against its document), not both.',
      );
    const ignoreWarnings = texts(values, 'ignoreWarning');
    const brokerUrl = text(values, 'brokerBaseUrl');
    // Contracts can also be named without --pact, as `treaty publish` takes them.
    const pacts = [...texts(values, 'pact'), ...operands];
    if (pacts.length === 0 && brokerUrl === undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        'Name at least one --pact <file|dir|url>, or a --broker-base-url.',
      );
    const customHeaders = headers(texts(values, 'customHeader'));
    await checkPaths(pacts, io.cwd);
    const wipSince = text(values, 'includeWipPactsSince');
    const branch = text(values, 'providerVersionBranch');
    if (wipSince !== undefined && (Number.isNaN(Date.parse(wipSince)) || branch === undefined)) {
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--include-wip-pacts-since needs a date such as 2026-01-31 and --provider-version-branch, got '${wipSince}'.`,
      );
    }
    const selectors = texts(values, 'consumerVersionSelectors').flatMap((raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `--consumer-version-selectors '${raw}' is not JSON; write e.g. '{"mainBranch":true}'.`,
        );
      }
      const list = Array.isArray(parsed) ? parsed : [parsed];
      if (!list.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x)))
        throw new TreatyError(
          'TREATY_CLI_USAGE',
          `--consumer-version-selectors '${raw}' must be a JSON object or an array of them.`,
        );
      return list as Array<Record<string, unknown>>;
    });
    const given = (key: string, option: keyof VerifyOptions): Partial<VerifyOptions> => {
      const value = text(values, key);
      return value === undefined ? {} : { [option]: value };
    };
    const token = text(values, 'brokerToken');
    const username = text(values, 'brokerUsername');
    const password = text(values, 'brokerPassword');
    const timeout = limit(text(values, 'requestTimeout'), '--request-timeout', MAX_TIMEOUT_MS, false);
    const maxResponse = limit(
      text(values, 'maxResponseBytes'),
      '--max-response-bytes',
      Number.MAX_SAFE_INTEGER,
      true,
    );
    const maxPact = limit(text(values, 'maxPactBytes'), '--max-pact-bytes', Number.MAX_SAFE_INTEGER, true);
    const table = format === 'table';
    const seen = new Set<object>();
    let total = 0;
    let done = 0;
    // A progress line on a terminal only; logs in CI get the per-interaction lines.
    const progress = (line: string): void => {
      if (table && io.isTTY === true) io.stderr(`\r\x1b[2K${line}`);
    };
    // The per-interaction lines go out together, at most 100 ms after the first of them and at the
    // end: a write per interaction cost more than the rest of its reporting.
    let lines = '';
    let flushing: ReturnType<typeof setTimeout> | undefined;
    const flush = (): void => {
      clearTimeout(flushing);
      flushing = undefined;
      if (lines === '') return;
      progress('');
      io.stdout(lines);
      lines = '';
      if (done < total) progress(`verifying ${done}/${total} …`);
    };
    const filterConsumer = texts(values, 'filterConsumer');
    const options: VerifyOptions = {
      ...(providerBaseUrl === undefined ? {} : { providerBaseUrl }),
      ...(openapi === undefined ? {} : { openapi }),
      ...(ignoreWarnings.length === 0 ? {} : { ignoreWarnings }),
      ...(pacts.length === 0 ? {} : { pacts }),
      ...(brokerUrl === undefined
        ? {}
        : {
            broker: {
              baseUrl: brokerUrl,
              consumerVersionSelectors: selectors,
              enablePending: flag(values, 'enablePending'),
              ...(wipSince === undefined ? {} : { includeWipPactsSince: wipSince }),
              ...(token === undefined ? {} : { token }),
              ...(username === undefined ? {} : { username }),
              ...(password === undefined ? {} : { password }),
            },
          }),
      ...(flag(values, 'publishVerificationResults') ? { publishVerificationResults: true } : {}),
      ...given('providerAppVersion', 'providerVersion'),
      ...given('providerVersionBranch', 'providerVersionBranch'),
      ...given('buildUrl', 'buildUrl'),
      cwd: io.cwd,
      customHeaders,
      ...given('provider', 'provider'),
      ...given('providerStatesSetupUrl', 'providerStatesSetupUrl'),
      ...(filterConsumer.length === 0 ? {} : { filterConsumer }),
      ...given('filterDescription', 'filterDescription'),
      ...given('filterState', 'filterState'),
      ...(flag(values, 'filterNoState') ? { filterNoState: true } : {}),
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
      ...(maxResponse === undefined ? {} : { maxResponseBytes: maxResponse }),
      ...(maxPact === undefined ? {} : { maxPactBytes: maxPact }),
      onStart: (n) => {
        total = n;
      },
      onResult: (r, c) => {
        done++;
        if (!table) return;
        if (!seen.has(c)) {
          seen.add(c);
          lines += contractHeading(c);
        }
        lines += interactionLine(r);
        flushing ??= setTimeout(flush, 100);
      },
    };
    const result: VerificationResult = await verifyProvider(options).finally(flush);
    const junit = format === 'junit' ? junitReport(result) : undefined;
    if (file !== undefined) {
      await writeFile(
        resolve(io.cwd, file),
        commandRedactor(args, io.env).text(junit ?? jsonReport(result)),
      ).catch((error: NodeJS.ErrnoException) => {
        throw new TreatyError(
          'TREATY_CLI_FILE_NOT_FOUND',
          `Cannot write the report to '${file}' (${error.code ?? error.message}); name a file in a folder that exists.`,
          { cause: error },
        );
      });
    }
    if (junit !== undefined) {
      io.stdout(junit);
    } else if (table) {
      io.stdout(failureDetails(result, rerunCommand(args)));
      io.stdout(summaryLine(result));
    } else {
      io.stdout(jsonReport(result));
    }
    if (options.providerStatesSetupUrl === undefined) io.stderr(statesWarning(result));
    // Whatever the format, stderr says why a run that could not verify everything failed, with the
    // codes: stdout may be going to a file.
    const codes = [
      ...new Set(
        result.contracts.flatMap((c) => [
          ...(c.error === undefined ? [] : [c.error.code]),
          ...c.interactions.flatMap((r) =>
            r.status === 'error' && r.errorCode !== undefined ? [r.errorCode] : [],
          ),
        ]),
      ),
    ];
    if (codes.length > 0)
      io.stderr(
        `treaty: verification failed: ${result.summary.errors} contract(s) or interaction(s) could not be verified [${codes.join(', ')}]\n`,
      );
    return result.passed ? 0 : 1;
  },
};
