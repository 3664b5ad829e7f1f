/**
 * tsc's checks on one pipeline file, with the user's tsconfig when there is one. Wiring mistakes
 * are type errors in duckml, so `duckml compile` reports them before emitting anything.
 *
 * The check runs on a worker thread while the main thread loads and compiles the module, and it
 * leaves out @types/node unless the file uses Node APIs: those two choices keep a cold
 * `duckml compile` near half a second instead of two.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const fs = require('node:fs');
// The TypeScript compiler is one 9 MB script; V8's code cache (kept beside the transpile cache)
// makes loading it and its hot functions several times cheaper on every run after the first.
const vm = require('node:vm');
const Module = require('node:module');
const cacheFile = workerData.codeCache;
let cached;
try { cached = fs.readFileSync(cacheFile); } catch {}
const tsSource = fs.readFileSync(workerData.typescript, 'utf8');
const script = new vm.Script(Module.wrap(tsSource), { filename: workerData.typescript, cachedData: cached });
const tsModule = { exports: {} };
script.runInThisContext().call(tsModule.exports, tsModule.exports, require, tsModule, workerData.typescript, path.dirname(workerData.typescript));
const ts = tsModule.exports;
const saveCache = () => {
  if (cached && !script.cachedDataRejected) return;
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = cacheFile + '.' + process.pid + '.tmp';
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
  } catch {}
};
const file = workerData.file;
const configPath = ts.findConfigFile(path.dirname(file), (f) => fs.existsSync(f));
let options = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true };
if (configPath) {
  // Passing the config path anchors typeRoots at the project, not at the process's cwd.
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, path.dirname(configPath), undefined, configPath);
  options = parsed.options;
}
if (!options.typeRoots && workerData.nodeTypesDir) {
  // Without a tsconfig, find @types/node where duckml itself can (it may be hoisted anywhere).
  options.typeRoots = [path.join(path.dirname(file), 'node_modules', '@types'), path.dirname(workerData.nodeTypesDir)];
}
options = Object.assign({}, options, { noEmit: true, skipLibCheck: true, incremental: false, composite: false,
  types: workerData.nodeTypes ? ['node'] : [] });
const program = ts.createProgram([file], options);
const source = program.getSourceFile(file);
const diags = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
const lines = diags.map((d) => {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\\n  ');
  if (d.file && d.start !== undefined) {
    const p = d.file.getLineAndCharacterOfPosition(d.start);
    return path.relative(process.cwd(), d.file.fileName) + ':' + (p.line + 1) + ':' + (p.character + 1) + ': ' + msg;
  }
  return msg;
});
saveCache();
parentPort.postMessage(lines);
`;

const USES_NODE = /['"]node:|\bprocess\.|\bBuffer\b|\b__dirname\b|\b__filename\b|\brequire\(/;

function nodeTypesDir(): string | undefined {
  try {
    return path.dirname(require.resolve('@types/node/package.json'));
  } catch {
    return undefined;
  }
}

/** Starts checking `file` in the background; the promise resolves to formatted diagnostics. */
export function typecheckFile(file: string): Promise<string[]> {
  const nodeTypes = USES_NODE.test(fs.readFileSync(file, 'utf8'));
  const tsPath = require.resolve('typescript');
  const tsVersion = (require('typescript/package.json') as { version: string }).version;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, nodeTypes, nodeTypesDir: nodeTypesDir(), typescript: tsPath, codeCache: path.join(__dirname, '..', 'node_modules', '.cache', 'duckml-ts', `typescript-${tsVersion}-${process.version}.v8cache`) },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: string[]) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
