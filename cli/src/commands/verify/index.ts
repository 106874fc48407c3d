import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
  TreatyError,
  verifyProvider,
  type VerificationResult,
  type VerifyOptions,
} from '@treaty/core';
import { commandRedactor, splitHeader } from '../../secrets.js';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';
import {
  contractHeading,
  failureDetails,
  interactionLine,
  jsonReport,
  junitReport,
  rerunCommand,
  summaryLine,
} from './report.js';

const usage = `Usage: treaty verify --provider-base-url <url> [--pact] <file|dir|url>... [options]

Replays every interaction of the contracts against the running provider and matches what it answers.
Exit code 0 when every non-pending interaction passed, 1 on failures, 2 on a usage error.

Options:
  --provider-base-url <url>          the running provider, e.g. http://127.0.0.1:8080
  --pact <file|dir|url>              a contract file, a folder of them, or a URL (repeatable)
  --provider <name>                  the provider (needed with a broker; filters files otherwise)
  --broker-base-url <url>            fetch the pacts to verify from a broker (also PACT_BROKER_BASE_URL)
  --broker-token <token>             bearer token for the broker (also PACT_BROKER_TOKEN)
  --broker-username <name>           basic auth for the broker (also PACT_BROKER_USERNAME, PACT_BROKER_PASSWORD)
  --broker-password <password>
  --consumer-version-selectors <json>  e.g. '{"mainBranch":true}' (repeatable; a JSON array works too)
  --enable-pending                   pending pacts are verified and reported but do not fail the run
  --include-wip-pacts-since <date>   also verify work-in-progress pacts published since then (needs a branch)
  --provider-app-version <version>   the provider version being verified
  --provider-version-branch <branch> its branch (drives pending and matchingBranch)
  --publish-verification-results     publish each pact's result to the broker
  --build-url <url>                  a link to the CI build, published with the results
  --provider-states-setup-url <url>  POST { state, params, action } here before and after each interaction
  --custom-header 'Name: value'      add a header to every request (repeatable). Credential-bearing headers
                                     (Authorization, Cookie, names with token, key, secret, password or auth)
                                     show as [redacted] in every output and report
  --filter-consumer <name>           only these consumers (repeatable)
  --filter-description <regex>       only interactions whose description matches (also PACT_DESCRIPTION)
  --filter-state <regex>             only interactions with a matching provider state (also PACT_PROVIDER_STATE)
  --filter-no-state                  only interactions without provider states (also PACT_PROVIDER_NO_STATE=true)
  --request-timeout <ms>             deadline of each whole request, answer included, to the provider, the
                                     state change URL, the broker and pact URLs (default ${DEFAULT_TIMEOUT_MS})
  --max-response-bytes <n>           largest provider answer read; past it the interaction is an error
                                     (default ${DEFAULT_MAX_BYTES}, 50 MiB)
  --max-pact-bytes <n>               largest pact read from a file, a URL or the broker (default ${DEFAULT_MAX_BYTES})
  --reporter console|json|junit      output format (default console)
  --output <file>                    also write the report to this file (JSON, or JUnit XML with --reporter junit)
  --json                             same as --reporter json`;

/** Parses `Name: value` custom headers. */
function headers(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, h] of (values ?? []).entries()) {
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
      `${flag} must be a positive ${integer ? 'whole number' : 'number'} no larger than ${max}, got '${value}'.\n\n${usage}`,
    );
  return n;
}

/** `treaty verify`. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'replay contracts against a running provider and report every mismatch',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        'provider-base-url': { type: 'string' },
        'broker-base-url': { type: 'string' },
        'broker-token': { type: 'string' },
        'broker-username': { type: 'string' },
        'broker-password': { type: 'string' },
        'consumer-version-selectors': { type: 'string', multiple: true },
        'enable-pending': { type: 'boolean' },
        'include-wip-pacts-since': { type: 'string' },
        'provider-app-version': { type: 'string' },
        'provider-version-branch': { type: 'string' },
        'publish-verification-results': { type: 'boolean' },
        'build-url': { type: 'string' },
        pact: { type: 'string', multiple: true },
        provider: { type: 'string' },
        'provider-states-setup-url': { type: 'string' },
        'custom-header': { type: 'string', multiple: true },
        'filter-consumer': { type: 'string', multiple: true },
        'filter-description': { type: 'string' },
        'filter-state': { type: 'string' },
        'filter-no-state': { type: 'boolean' },
        'request-timeout': { type: 'string' },
        'max-response-bytes': { type: 'string' },
        'max-pact-bytes': { type: 'string' },
        reporter: { type: 'string' },
        output: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const reporter = values.json === true ? 'json' : (values.reporter ?? 'console');
    if (reporter !== 'console' && reporter !== 'json' && reporter !== 'junit')
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--reporter must be console, json or junit, got '${reporter}'.\n\n${usage}`,
      );
    if (values['provider-base-url'] === undefined)
      throw new TreatyError('TREATY_CLI_USAGE', `--provider-base-url is required.\n\n${usage}`);
    const brokerUrl = values['broker-base-url'] ?? io.env.PACT_BROKER_BASE_URL;
    // Contracts can also be named without --pact, as `treaty publish` takes them.
    const pacts = [...(values.pact ?? []), ...positionals];
    if (pacts.length === 0 && brokerUrl === undefined)
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `Name at least one --pact <file|dir|url>, or a --broker-base-url.\n\n${usage}`,
      );
    const wipSince = values['include-wip-pacts-since'];
    if (
      wipSince !== undefined &&
      (Number.isNaN(Date.parse(wipSince)) || values['provider-version-branch'] === undefined)
    ) {
      throw new TreatyError(
        'TREATY_CLI_USAGE',
        `--include-wip-pacts-since needs a date such as 2026-01-31 and --provider-version-branch, got '${wipSince}'.`,
      );
    }
    const selectors = (values['consumer-version-selectors'] ?? []).flatMap((raw) => {
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
    const token = values['broker-token'] ?? io.env.PACT_BROKER_TOKEN;
    const username = values['broker-username'] ?? io.env.PACT_BROKER_USERNAME;
    const password = values['broker-password'] ?? io.env.PACT_BROKER_PASSWORD;
    const timeout = limit(values['request-timeout'], '--request-timeout', MAX_TIMEOUT_MS, false);
    const maxResponse = limit(
      values['max-response-bytes'],
      '--max-response-bytes',
      Number.MAX_SAFE_INTEGER,
      true,
    );
    const maxPact = limit(values['max-pact-bytes'], '--max-pact-bytes', Number.MAX_SAFE_INTEGER, true);
    const console = reporter === 'console';
    const seen = new Set<object>();
    let total = 0;
    let done = 0;
    // A progress line on a terminal only; logs in CI get the per-interaction lines.
    const progress = (text: string): void => {
      if (console && io.isTTY === true) io.stderr(`\r\x1b[2K${text}`);
    };
    const options: VerifyOptions = {
      providerBaseUrl: values['provider-base-url'],
      ...(pacts.length === 0 ? {} : { pacts }),
      ...(brokerUrl === undefined
        ? {}
        : {
            broker: {
              baseUrl: brokerUrl,
              consumerVersionSelectors: selectors,
              enablePending: values['enable-pending'] === true,
              ...(wipSince === undefined ? {} : { includeWipPactsSince: wipSince }),
              ...(token === undefined ? {} : { token }),
              ...(username === undefined ? {} : { username }),
              ...(password === undefined ? {} : { password }),
            },
          }),
      ...(values['publish-verification-results'] === true ? { publishVerificationResults: true } : {}),
      ...(values['provider-app-version'] === undefined
        ? {}
        : { providerVersion: values['provider-app-version'] }),
      ...(values['provider-version-branch'] === undefined
        ? {}
        : { providerVersionBranch: values['provider-version-branch'] }),
      ...(values['build-url'] === undefined ? {} : { buildUrl: values['build-url'] }),
      cwd: io.cwd,
      customHeaders: headers(values['custom-header']),
      ...(values.provider === undefined ? {} : { provider: values.provider }),
      ...(values['provider-states-setup-url'] === undefined
        ? {}
        : { providerStatesSetupUrl: values['provider-states-setup-url'] }),
      ...(values['filter-consumer'] === undefined ? {} : { filterConsumer: values['filter-consumer'] }),
      ...(values['filter-description'] === undefined
        ? {}
        : { filterDescription: values['filter-description'] }),
      ...(values['filter-state'] === undefined ? {} : { filterState: values['filter-state'] }),
      ...(values['filter-no-state'] === true ? { filterNoState: true } : {}),
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
      ...(maxResponse === undefined ? {} : { maxResponseBytes: maxResponse }),
      ...(maxPact === undefined ? {} : { maxPactBytes: maxPact }),
      onStart: (n) => {
        total = n;
      },
      onResult: (r, c) => {
        done++;
        progress('');
        if (!console) return;
        if (!seen.has(c)) {
          seen.add(c);
          io.stdout(contractHeading(c));
        }
        io.stdout(interactionLine(r));
        if (done < total) progress(`verifying ${done}/${total} …`);
      },
    };
    const result: VerificationResult = await verifyProvider(options);
    const junit = reporter === 'junit' ? junitReport(result) : undefined;
    if (values.output !== undefined) {
      const output = values.output;
      await writeFile(
        resolve(io.cwd, output),
        commandRedactor(args, io.env).text(junit ?? jsonReport(result)),
      ).catch((error: NodeJS.ErrnoException) => {
        throw new TreatyError(
          'TREATY_CLI_FILE_NOT_FOUND',
          `Cannot write the report to '${output}' (${error.code ?? error.message}); name a file in a folder that exists.`,
          { cause: error },
        );
      });
    }
    if (junit !== undefined) {
      io.stdout(junit);
    } else if (console) {
      io.stdout(failureDetails(result, rerunCommand(args)));
      io.stdout(summaryLine(result));
    } else {
      io.stdout(jsonReport(result));
    }
    // Whatever the reporter, stderr says why a run that could not verify everything failed, with the
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
