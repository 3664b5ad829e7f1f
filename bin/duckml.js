#!/usr/bin/env node
'use strict';
// duckml's CLI runs its TypeScript sources directly through a fast transpile hook (no build step),
// and the same hook loads users' pipeline files.
require('../cli/register.js');
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
