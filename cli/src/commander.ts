import { createRequire } from 'node:module';
import type * as Commander from 'commander';

// commander is CommonJS. Required, it loads in about 12 ms; imported, through its ESM wrapper and
// Node's scan of its exports, in about 20 — a fifth of `treaty --help`.
const require = createRequire(import.meta.url);
const commander = require('commander') as typeof Commander;

/** commander's classes, loaded as CommonJS (see above). */
export const { Command, CommanderError, Option } = commander;
export type Command = Commander.Command;
export type CommanderError = Commander.CommanderError;
export type Option = Commander.Option;
