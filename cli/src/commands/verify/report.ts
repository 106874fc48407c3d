import {
  TREATY,
  isSecretHeader,
  shellQuote,
  shellWord,
  type ContractResult,
  type InteractionResult,
  type ProviderRequest,
  type VerificationResult,
} from '@treaty/core/provider';
import { splitHeader } from '../../secrets.js';

const mark: Record<InteractionResult['status'], string> = {
  passed: 'ok   ',
  failed: 'FAIL ',
  pending: 'PEND ',
  error: 'ERROR',
};

/**
 * One line for one interaction, then, indented under it as pact-verifier prints them, its comments,
 * the consumer's test name and any warnings.
 */
export function interactionLine(r: InteractionResult): string {
  const states =
    r.providerStates.length === 0 ? '' : ` (given ${r.providerStates.map((s) => s.name).join(', ')})`;
  const notes = [
    ...(r.comments?.text ?? []),
    ...(r.comments?.testname === undefined ? [] : [`Test Name: ${r.comments.testname}`]),
    ...(r.warnings ?? []).map((w) => `warning: ${w}`),
  ].map((n) => `        ${n}\n`);
  return `  ${mark[r.status]} ${r.description}${states}  ${r.durationMs.toFixed(0)} ms\n${notes.join('')}`;
}

/** The heading of a contract's group, with why the broker selected it. */
export function contractHeading(c: ContractResult): string {
  const notes = [
    ...(c.notices ?? []).map((n) => `  note: ${n}\n`),
    ...(c.warnings ?? []).map((w) => `  warning: ${w}\n`),
  ].join('');
  return `\nVerifying ${c.consumer} → ${c.provider}${c.pending === true ? ' [pending]' : ''}  (${c.source})\n${notes}`;
}

const secrets: Record<string, string> = {
  '--broker-token': 'PACT_BROKER_TOKEN',
  '--broker-password': 'PACT_BROKER_PASSWORD',
};

/** The environment variable a rerun line reads a credential-bearing custom header from. */
function headerVariable(name: string): string {
  return `TREATY_HEADER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * A custom header as a rerun line gives it: as it was, or, for a credential-bearing one, with its value
 * read from an environment variable (the shell stops with that variable's name when it is not set).
 */
function headerWord(header: string): string {
  const pair = splitHeader(header);
  if (pair === undefined || !isSecretHeader(pair[0])) return shellWord(header);
  const variable = headerVariable(pair[0]);
  return `"${pair[0].replace(/["$`\\]/g, '\\$&')}: \${${variable}:?set it to the header value}"`;
}

/**
 * The command line that reruns this verification, ready to paste into a shell: every argument
 * quoted as needed, the broker token and password replaced by their environment variables, and each
 * credential-bearing custom header by one of its own (see {@link headerVariable}), so that they never
 * reach a CI log.
 */
export function rerunCommand(args: readonly string[]): string {
  const words = [TREATY, 'verify'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--json') continue;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const variable = secrets[flag];
    if (flag === '--custom-header') {
      if (eq !== -1) words.push(`${flag}=${headerWord(arg.slice(eq + 1))}`);
      else if (args[i + 1] !== undefined) words.push(flag, headerWord(args[++i] as string));
      else words.push(flag);
    } else if (variable === undefined) {
      words.push(shellWord(arg));
    } else if (eq !== -1) {
      words.push(`${flag}="$${variable}"`);
    } else {
      words.push(flag, `"$${variable}"`);
      i++;
    }
  }
  return words.join(' ');
}

/** The failures with the request sent, each mismatch, and how to rerun just that interaction. */
export function failureDetails(result: VerificationResult, rerun: string): string {
  const out: string[] = [];
  let n = 0;
  for (const c of result.contracts) {
    if (c.error !== undefined) {
      n++;
      // The message names its source already when it came from reading it.
      const where = c.error.message.includes(c.source) ? '' : `${c.source}: `;
      out.push(`\n${n}) ${where}${c.error.message} [${c.error.code}]`);
    }
    for (const r of c.interactions) {
      if (r.status === 'passed') continue;
      n++;
      out.push(
        `\n${n}) ${c.consumer} → ${c.provider}: ${r.description}${r.status === 'pending' ? ' [pending: does not fail the run]' : ''}`,
      );
      if (r.request !== undefined) out.push(`   request: ${r.request.method} ${r.request.path}`);
      if (r.error !== undefined)
        out.push(`   error: ${r.error}${r.errorCode === undefined ? '' : ` [${r.errorCode}]`}`);
      for (const m of r.mismatches) out.push(`   - ${m.message}`);
      out.push(
        `   rerun: PACT_DESCRIPTION=${shellQuote(r.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))} ${rerun}`,
      );
    }
  }
  return out.length === 0 ? '' : `\nFailures:${out.join('\n')}\n`;
}

/** `n thing` or `n things`. */
function count(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

/**
 * The closing summary, with what was published: the contracts (how many pending, how many could not
 * be read), then the interactions verified.
 */
export function summaryLine(result: VerificationResult): string {
  const published = result.contracts.filter((c) => c.published === true).length;
  const failedPublish = result.contracts.filter((c) => c.published === false);
  const publishing =
    published + failedPublish.length === 0
      ? ''
      : `\nPublished ${published} verification result(s) to the broker.${failedPublish.map((c) => `\nCould not publish the result for ${c.consumer}: ${c.publishError ?? 'unknown error'}`).join('')}`;
  const unread = result.contracts.filter((c) => c.error !== undefined).length;
  const pending = result.contracts.filter((c) => c.pending === true).length;
  const notes = [
    ...(pending === 0 ? [] : [`${pending} pending`]),
    ...(unread === 0 ? [] : [`${unread} could not be read`]),
  ];
  const all = result.contracts.flatMap((c) => c.interactions);
  const by = (status: InteractionResult['status']): number => all.filter((r) => r.status === status).length;
  return (
    `${publishing}\n${count(result.contracts.length, 'contract')}${notes.length === 0 ? '' : ` (${notes.join(', ')})`}, ` +
    `${count(all.length, 'interaction')}: ${by('passed')} passed, ${by('failed')} failed, ${by('pending')} pending, ` +
    `${by('error')} errors in ${(result.summary.durationMs / 1000).toFixed(2)} s — ${result.passed ? 'verification passed' : 'verification FAILED'}\n`
  );
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A JUnit XML report: one test suite per contract, one test case per interaction. */
export function junitReport(result: VerificationResult): string {
  const s = result.summary;
  const suites = result.contracts.map((c) => {
    const cases = c.interactions.map((r) => {
      const detail = [r.error, ...r.mismatches.map((m) => m.message)]
        .filter((x): x is string => x !== undefined)
        .join('\n');
      const body =
        r.status === 'failed'
          ? `<failure message="${xml(r.mismatches[0]?.message ?? 'mismatch')}">${xml(detail)}</failure>`
          : r.status === 'error'
            ? `<error message="${xml(r.error ?? 'error')}">${xml(detail)}</error>`
            : r.status === 'pending'
              ? `<skipped message="pending: ${xml(detail.split('\n')[0] ?? '')}"/>`
              : '';
      return `    <testcase classname="${xml(`${c.consumer}.${c.provider}`)}" name="${xml(r.description)}" time="${(r.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
    });
    if (c.error !== undefined)
      cases.push(
        `    <testcase classname="${xml(c.source)}" name="read contract"><error message="${xml(c.error.message)}"/></testcase>`,
      );
    const count = (st: string): number => c.interactions.filter((r) => r.status === st).length;
    const errors = count('error') + (c.error === undefined ? 0 : 1);
    return (
      `  <testsuite name="${xml(`${c.consumer} → ${c.provider}`)}" tests="${cases.length}" ` +
      `failures="${count('failed')}" errors="${errors}" skipped="${count('pending')}">\n` +
      `${cases.join('\n')}\n  </testsuite>`
    );
  });
  const tests = s.passed + s.failed + s.pending + s.errors;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="treaty verify" tests="${tests}" failures="${s.failed}" errors="${s.errors}" ` +
    `time="${(s.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A sent request as JSON: its body as the JSON value under a JSON content type, as text when it is
 * UTF-8 text, and as base64 (with `bodyEncoding: 'base64'`) otherwise, never as an array of bytes.
 */
function requestJson(request: ProviderRequest): Record<string, unknown> {
  const { body, ...rest } = request;
  if (body === undefined) return rest;
  const type = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  let text: string | undefined;
  try {
    text = utf8.decode(body);
  } catch {
    text = undefined;
  }
  if (text !== undefined && /[/+]json\b/i.test(type)) {
    try {
      return { ...rest, body: JSON.parse(text) as unknown };
    } catch {
      return { ...rest, body: text };
    }
  }
  const binaryType = type !== '' && !/^text\/|[/+](xml|json)\b|x-www-form-urlencoded/i.test(type);
  if (text !== undefined && !binaryType) return { ...rest, body: text };
  return { ...rest, body: Buffer.from(body).toString('base64'), bodyEncoding: 'base64' };
}

/** The verification result as JSON text (`--json`, `--output`), with readable request bodies. */
export function jsonReport(result: VerificationResult): string {
  const contracts = result.contracts.map((c) => ({
    ...c,
    interactions: c.interactions.map((r) =>
      r.request === undefined ? r : { ...r, request: requestJson(r.request) },
    ),
  }));
  return `${JSON.stringify({ ...result, contracts }, null, 2)}\n`;
}
