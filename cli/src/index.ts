// The public surface of @treaty/cli, written out by name.
export { main } from './main.js';
export { commands } from './commands/index.js';
export type { Command, CommandEntry, Invocation, OptionValues } from './command.js';
export type { CliIo } from './io.js';
export { processIo } from './io.js';
export { validate } from './commands/validate/index.js';
export type { ValidateOptions, ValidateReport, ValidatedContract } from './commands/validate/index.js';
