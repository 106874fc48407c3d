#!/usr/bin/env node
// The installed entry point. It exists before the build, so npm can link it at install time;
// the command itself is the compiled cli/dist/bin.js.
import '../dist/bin.js';
