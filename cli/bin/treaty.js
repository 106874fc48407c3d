#!/usr/bin/env node
// The installed entry point. It exists before the build, so npm can link it at install time;
// the command itself is cli/dist/bundle/bin.js, which `npm run build` bundles from tsc's cli/dist.
import '../dist/bundle/bin.js';
