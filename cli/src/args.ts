import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TreatyError } from '@treaty/core';

/**
 * Parses a command's arguments with node's parseArgs, turning its errors into TREATY_CLI_USAGE
 * with the command's usage attached.
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  usage: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TreatyError('TREATY_CLI_USAGE', `${message}\n\n${usage}`, { cause: error });
  }
}
