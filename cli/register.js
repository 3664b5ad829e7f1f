'use strict';
/**
 * Loads .ts files with esbuild's transpiler (types are erased, not checked; `duckml compile`
 * type-checks separately). Transpiled output is cached on disk by content hash so a cold CLI
 * start stays fast.
 */
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const Module = require('node:module');

if (!require.extensions['.ts']) {
  let esbuild;
  const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'duckml-ts');
  let cacheOk = true;
  const compile = (source, filename) => {
    const key = crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex');
    const cached = path.join(cacheDir, `${key}.js`);
    if (cacheOk) {
      try {
        return fs.readFileSync(cached, 'utf8');
      } catch {
        /* not cached yet */
      }
    }
    esbuild ??= require('esbuild');
    const out = esbuild.transformSync(source, {
      loader: filename.endsWith('x') ? 'tsx' : 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
    }).code;
    if (cacheOk) {
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, out);
        fs.renameSync(tmp, cached);
      } catch {
        cacheOk = false;
      }
    }
    return out;
  };
  for (const ext of ['.ts', '.mts', '.cts', '.tsx']) {
    require.extensions[ext] = (module, filename) => {
      const source = fs.readFileSync(filename, 'utf8');
      module._compile(compile(source, filename), filename);
    };
  }
  // Source maps make stack traces point at .ts lines.
  if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);
  void Module;
}
