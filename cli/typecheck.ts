/**
 * tsc's checks on one pipeline file, with the user's tsconfig when there is one. Wiring mistakes
 * are type errors in duckml, so `duckml compile` reports them before emitting anything.
 *
 * The check runs on a worker thread while the main thread loads and compiles the module, and it
 * leaves out @types/node unless the file uses Node APIs: those two choices keep a cold
 * `duckml compile` near half a second instead of two.
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const fs = require('node:fs');
const ts = require(workerData.typescript);
const file = workerData.file;
const configPath = ts.findConfigFile(path.dirname(file), (f) => fs.existsSync(f));
let options = { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true };
if (configPath) {
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, path.dirname(configPath));
  options = parsed.options;
}
options = Object.assign({}, options, { noEmit: true, skipLibCheck: true, incremental: false, composite: false,
  types: workerData.nodeTypes ? ['node'] : [] });
const program = ts.createProgram([file], options);
const source = program.getSourceFile(file);
const diags = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
parentPort.postMessage(diags.map((d) => {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, '\\n  ');
  if (d.file && d.start !== undefined) {
    const p = d.file.getLineAndCharacterOfPosition(d.start);
    return path.relative(process.cwd(), d.file.fileName) + ':' + (p.line + 1) + ':' + (p.character + 1) + ': ' + msg;
  }
  return msg;
}));
`;

const USES_NODE = /['"]node:|\bprocess\.|\bBuffer\b|\b__dirname\b|\b__filename\b|\brequire\(/;

/** Starts checking `file` in the background; the promise resolves to formatted diagnostics. */
export function typecheckFile(file: string): Promise<string[]> {
  const nodeTypes = USES_NODE.test(fs.readFileSync(file, 'utf8'));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, nodeTypes, typescript: require.resolve('typescript') },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: string[]) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
