// The public surface of @treaty/cli, written out by name.
export { main, commands } from './main.js';
export type { Command } from './command.js';
export type { CliIo } from './io.js';
export { processIo } from './io.js';
export { validate } from './commands/validate/index.js';
export type { ValidateOptions, ValidateReport, ValidatedContract } from './commands/validate/index.js';
