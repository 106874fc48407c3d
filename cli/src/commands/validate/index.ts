import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  TreatyError,
  checkContractRegexes,
  isTreatyError,
  parseContract,
  type Contract,
  type ContractWarning,
  type ErrorCode,
} from '@treaty/core';
import type { Command as Cli } from 'commander';
import type { Command, Invocation } from '../../command.js';
import type { CliIo } from '../../io.js';
import { outputFormat, outputOptions } from '../../options.js';

/** Options of {@link validate}. */
export interface ValidateOptions {
  /** Contract files or directories (every `*.json` below a directory is read). */
  paths: string[];
  /** Directory relative paths are resolved against. */
  cwd: string;
}

/** One file's outcome. */
export type ValidatedContract =
  | {
      file: string;
      valid: true;
      consumer: string;
      provider: string;
      specVersion: Contract['specVersion'];
      interactions: { http: number; asyncMessages: number; syncMessages: number };
      /** What was read leniently, as the Pact tools read it. */
      warnings: string[];
    }
  | { file: string; valid: false; code: ErrorCode; message: string; path?: string };

/** What {@link validate} found. */
export interface ValidateReport {
  contracts: ValidatedContract[];
  valid: boolean;
}

/** Declares validate's usage, operands and options. */
function define(cli: Cli): void {
  cli
    .usage('<file-or-dir>... [options]')
    .description(
      `Reads Pact contract files (V1–V4) and reports whether Treaty can read each one, with the
JSON path of the first fault. Directories are searched for *.json files.`,
    )
    .argument('[contracts...]', 'contract files, or folders of them');
  outputOptions(cli, ['table', 'json'], 'same as --output json: print the report as JSON');
}

async function expand(path: string, cwd: string): Promise<string[]> {
  const full = resolve(cwd, path);
  const info = await stat(full).catch((error: unknown) => {
    throw new TreatyError('TREATY_CLI_FILE_NOT_FOUND', `Cannot read '${path}': no such file or directory.`, {
      cause: error,
    });
  });
  if (!info.isDirectory()) return [full];
  const entries = await readdir(full, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function summarize(file: string, contract: Contract, warnings: string[]): ValidatedContract {
  const count = (type: Contract['interactions'][number]['type']): number =>
    contract.interactions.filter((i) => i.type === type).length;
  return {
    file,
    valid: true,
    consumer: contract.consumer.name,
    provider: contract.provider.name,
    specVersion: contract.specVersion,
    interactions: {
      http: count('Synchronous/HTTP'),
      asyncMessages: count('Asynchronous/Messages'),
      syncMessages: count('Synchronous/Messages'),
    },
    warnings,
  };
}

/**
 * Reads each contract file and reports whether it parses, without throwing for a bad contract.
 * @example const report = await validate({ paths: ['pacts'], cwd: process.cwd() })
 */
export async function validate(options: ValidateOptions): Promise<ValidateReport> {
  if (options.paths.length === 0) {
    throw new TreatyError('TREATY_CLI_USAGE', 'Name at least one contract file or directory.');
  }
  const files = (await Promise.all(options.paths.map((p) => expand(p, options.cwd)))).flat();
  if (files.length === 0)
    throw new TreatyError('TREATY_CLI_USAGE', `No .json contract files in ${options.paths.join(', ')}.`);
  const contracts: ValidatedContract[] = [];
  for (const full of files) {
    const file = relative(options.cwd, full) || full;
    try {
      const warnings: ContractWarning[] = [];
      const contract = parseContract(await readFile(full, 'utf8'), { onWarning: (w) => warnings.push(w) });
      // A regex no syntax accepts could never match: refused as the broker refuses it on publish.
      checkContractRegexes(contract);
      // What the Pact tools read but can never verify (an unknown matching rule) is refused here.
      const fatal = warnings.find((w) => w.code !== undefined);
      if (fatal?.code !== undefined)
        contracts.push({ file, valid: false, code: fatal.code, message: fatal.message, path: fatal.path });
      else
        contracts.push(
          summarize(
            file,
            contract,
            warnings.map((w) => w.message),
          ),
        );
    } catch (error) {
      if (!isTreatyError(error)) throw error;
      contracts.push({
        file,
        valid: false,
        code: error.code,
        message: error.message,
        ...(error.path === undefined ? {} : { path: error.path }),
      });
    }
  }
  return { contracts, valid: contracts.every((c) => c.valid) };
}

function describe(c: Extract<ValidatedContract, { valid: true }>): string {
  const parts = [
    c.interactions.http > 0 ? `${c.interactions.http} HTTP` : '',
    c.interactions.asyncMessages > 0 ? `${c.interactions.asyncMessages} async message` : '',
    c.interactions.syncMessages > 0 ? `${c.interactions.syncMessages} sync message` : '',
  ].filter(Boolean);
  return `${c.consumer} → ${c.provider}, spec ${c.specVersion}, ${parts.join(', ') || 'no interactions'}`;
}

/** `treaty validate`. */
export const validateCommand: Command = {
  define,
  async run({ values, operands }: Invocation, io: CliIo): Promise<number> {
    const json = outputFormat(values, ['table', 'json'], io) === 'json';
    const report = await validate({ paths: operands, cwd: io.cwd });
    if (json) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const c of report.contracts) {
        io.stdout(
          c.valid ? `ok    ${c.file}: ${describe(c)}\n` : `FAIL  ${c.file}: ${c.message} [${c.code}]\n`,
        );
        if (c.valid) for (const w of c.warnings) io.stdout(`      warning: ${w}\n`);
      }
      const bad = report.contracts.filter((c) => !c.valid).length;
      io.stdout(`${report.contracts.length - bad} valid, ${bad} invalid\n`);
    }
    const invalid = report.contracts.flatMap((c) => (c.valid ? [] : [c.code]));
    if (invalid.length > 0)
      io.stderr(
        `treaty: ${invalid.length} of ${report.contracts.length} contract file(s) invalid [${[...new Set(invalid)].join(', ')}]\n`,
      );
    return report.valid ? 0 : 1;
  },
};
