#!/usr/bin/env node
/**
 * `npm run bench [-- NAME…]`: runs the benchmark scripts one after another (all by default:
 * compile, runner-overhead, extract, ml, serve), each in its own process with duckml's .ts loader, and
 * stops at the first that fails. Each prints its own figures; see the header of bench/NAME.ts for
 * its settings (environment variables).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ALL = ['compile', 'runner-overhead', 'extract', 'ml', 'serve'];
const names = process.argv.slice(2);
for (const name of names) {
  if (!fs.existsSync(path.join(__dirname, `${name}.ts`))) {
    process.stderr.write(`bench: no benchmark '${name}'; the benchmarks are: ${ALL.join(', ')}.\n`);
    process.exit(2);
  }
}
const root = path.resolve(__dirname, '..');
for (const name of names.length ? names : ALL) {
  process.stdout.write(`\n== bench/${name}.ts ==\n`);
  const r = spawnSync(process.execPath, ['-r', './cli/register.js', `bench/${name}.ts`], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`bench: ${name} failed (${r.signal ?? `exit ${r.status}`}).\n`);
    process.exit(1);
  }
}
