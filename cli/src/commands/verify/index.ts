import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TreatyError, verifyProvider, type VerificationResult, type VerifyOptions } from '@treaty/core';
import type { Command } from '../../command.js';
import type { CliIo } from '../../io.js';
import { parseCommandArgs } from '../../args.js';
import { contractHeading, failureDetails, interactionLine, junitReport, summaryLine } from './report.js';

const usage = `Usage: treaty verify --provider-base-url <url> --pact <file|dir|url>... [options]

Replays every interaction of the contracts against the running provider and matches what it answers.
Exit code 0 when every non-pending interaction passed, 1 on failures, 2 on a usage error.

Options:
  --provider-base-url <url>          the running provider, e.g. http://127.0.0.1:8080
  --pact <file|dir|url>              a contract file, a folder of them, or a URL (repeatable)
  --provider <name>                  only verify contracts for this provider
  --provider-states-setup-url <url>  POST { state, params, action } here before and after each interaction
  --custom-header 'Name: value'      add a header to every request (repeatable)
  --filter-consumer <name>           only these consumers (repeatable)
  --filter-description <regex>       only interactions whose description matches (also PACT_DESCRIPTION)
  --filter-state <regex>             only interactions with a matching provider state (also PACT_PROVIDER_STATE)
  --filter-no-state                  only interactions without provider states (also PACT_PROVIDER_NO_STATE=true)
  --request-timeout <ms>             per-request timeout (default 30000)
  --reporter console|json|junit      output format (default console)
  --output <file>                    also write the report to this file (JSON, or JUnit XML with --reporter junit)
  --json                             same as --reporter json`;

/** Parses `Name: value` custom headers. */
function headers(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of values ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new TreatyError('TREATY_VERIFY_CONFIG', `--custom-header '${h}' is not written as 'Name: value'.`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/** `treaty verify`. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'replay contracts against a running provider and report every mismatch',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(
      args,
      {
        'provider-base-url': { type: 'string' },
        pact: { type: 'string', multiple: true },
        provider: { type: 'string' },
        'provider-states-setup-url': { type: 'string' },
        'custom-header': { type: 'string', multiple: true },
        'filter-consumer': { type: 'string', multiple: true },
        'filter-description': { type: 'string' },
        'filter-state': { type: 'string' },
        'filter-no-state': { type: 'boolean' },
        'request-timeout': { type: 'string' },
        reporter: { type: 'string' },
        output: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const reporter = values.json === true ? 'json' : (values.reporter ?? 'console');
    if (reporter !== 'console' && reporter !== 'json' && reporter !== 'junit') throw new TreatyError('TREATY_CLI_USAGE', `--reporter must be console, json or junit, got '${reporter}'.\n\n${usage}`);
    if (values['provider-base-url'] === undefined) throw new TreatyError('TREATY_CLI_USAGE', `--provider-base-url is required.\n\n${usage}`);
    if (values.pact === undefined || values.pact.length === 0) throw new TreatyError('TREATY_CLI_USAGE', `Name at least one --pact <file|dir|url>.\n\n${usage}`);
    const timeout = values['request-timeout'] === undefined ? undefined : Number(values['request-timeout']);
    if (timeout !== undefined && !(timeout > 0)) throw new TreatyError('TREATY_CLI_USAGE', `--request-timeout must be a positive number of milliseconds, got '${values['request-timeout']}'.`);
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
      pacts: values.pact,
      cwd: io.cwd,
      customHeaders: headers(values['custom-header']),
      ...(values.provider === undefined ? {} : { provider: values.provider }),
      ...(values['provider-states-setup-url'] === undefined ? {} : { providerStatesSetupUrl: values['provider-states-setup-url'] }),
      ...(values['filter-consumer'] === undefined ? {} : { filterConsumer: values['filter-consumer'] }),
      ...(values['filter-description'] === undefined ? {} : { filterDescription: values['filter-description'] }),
      ...(values['filter-state'] === undefined ? {} : { filterState: values['filter-state'] }),
      ...(values['filter-no-state'] === true ? { filterNoState: true } : {}),
      ...(timeout === undefined ? {} : { timeoutMs: timeout }),
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
    if (values.output !== undefined) await writeFile(resolve(io.cwd, values.output), junit ?? `${JSON.stringify(result, null, 2)}\n`);
    if (junit !== undefined) {
      io.stdout(junit);
    } else if (console) {
      const rerun = ['treaty', 'verify', ...args.filter((a) => a !== '--json')];
      io.stdout(failureDetails(result, rerun));
      io.stdout(summaryLine(result));
    } else {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    }
    return result.passed ? 0 : 1;
  },
};
