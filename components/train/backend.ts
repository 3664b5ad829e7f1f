/**
 * Picks the TensorFlow.js backend at run time, best first: @tensorflow/tfjs-node-gpu (CUDA),
 * @tensorflow/tfjs-node (native TensorFlow), the WebAssembly backend, the pure-JS cpu backend.
 * What was chosen, and why the better ones were not, goes into artifact metadata.
 */
import * as path from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';

export type Tf = typeof TfModule;
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** Which of the four was chosen. */
  readonly name: BackendName;
  /** tfjs's own backend name (tf.getBackend()). */
  readonly tfBackend: string;
  /** The npm package that provides it, with its version. */
  readonly package: string;
  readonly version: string;
  /** Why each better backend was passed over, e.g. '@tensorflow/tfjs-node-gpu: not installed'. */
  readonly skipped: readonly string[];
  /** wasm only: SIMD available, BatchMatMul transpose fix installed. */
  readonly simd?: boolean;
  readonly batchMatMulFix?: boolean;
}

export interface LoadedBackend {
  readonly tf: Tf;
  readonly info: BackendInfo;
}

let loaded: Promise<LoadedBackend> | undefined;
let loadedPreference: BackendName | 'auto' | undefined;

/** Package that provides each backend. */
const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

function versionOf(pkg: string): string {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function whyNot(pkg: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes(pkg)) return `${pkg}: not installed`;
  return `${pkg}: failed to load (${String(err?.message ?? e).split('\n')[0]})`;
}

/**
 * Loads the best available backend, or exactly `prefer` when given (an error when it is not
 * available). `DUCKML_TFJS_BACKEND` sets the preference when the caller leaves it at 'auto'.
 * One backend per process: later calls return the first choice.
 */
export function loadBackend(prefer: BackendName | 'auto' = 'auto'): Promise<LoadedBackend> {
  const env = process.env.DUCKML_TFJS_BACKEND as BackendName | 'auto' | undefined;
  const want = prefer === 'auto' && env ? env : prefer;
  if (want !== 'auto' && !BACKEND_NAMES.includes(want)) {
    return Promise.reject(new Error(`tfjs backend '${want}' is not known. Use one of: auto, ${BACKEND_NAMES.join(', ')} (set by the 'backend' input or $DUCKML_TFJS_BACKEND).`));
  }
  if (loaded) {
    if (want !== 'auto' && loadedPreference !== want) {
      return loaded.then((b) => {
        if (b.info.name === want) return b;
        try {
          require.resolve(PACKAGES[want]);
        } catch (e) {
          throw new Error(`tfjs backend '${want}' is not available: ${whyNot(PACKAGES[want], e)}. Leave 'backend' at 'auto' to use the best available one.`);
        }
        throw new Error(`tfjs backend '${want}' was asked for, but this process already runs '${b.info.name}'; one backend per process.`);
      });
    }
    return loaded;
  }
  loadedPreference = want;
  loaded = choose(want).catch((e) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}

async function choose(want: BackendName | 'auto'): Promise<LoadedBackend> {
  const skipped: string[] = [];
  const order = want === 'auto' ? BACKEND_NAMES : [want];
  for (const name of order) {
    const pkg = PACKAGES[name];
    try {
      const b = await tryLoad(name, skipped);
      if (b) return b;
    } catch (e) {
      if (want !== 'auto') throw new Error(`tfjs backend '${want}' is not available: ${whyNot(pkg, e)}. Leave 'backend' at 'auto' to use the best available one.`);
      skipped.push(whyNot(pkg, e));
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.join('; ')}. Install @tensorflow/tfjs (and @tensorflow/tfjs-backend-wasm).`);
}

async function tryLoad(name: BackendName, skipped: string[]): Promise<LoadedBackend | undefined> {
  const pkg = PACKAGES[name];
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    // Both register the 'tensorflow' backend and re-export the whole tfjs API.
    const tf = require(pkg) as Tf;
    await tf.setBackend('tensorflow');
    await tf.ready();
    return { tf, info: { name, tfBackend: tf.getBackend(), package: pkg, version: versionOf(pkg), skipped } };
  }
  const tf = require('@tensorflow/tfjs') as Tf;
  if (name === 'wasm') {
    const wasm = require(pkg) as typeof import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship beside the backend's main file; load them from disk, never a CDN.
    wasm.setWasmPaths(`${path.dirname(require.resolve(pkg))}${path.sep}`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
    await tf.ready();
    installBatchMatMulFix(tf);
    return {
      tf,
      info: { name, tfBackend: 'wasm', package: pkg, version: versionOf(pkg), skipped, simd: Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')), batchMatMulFix: true },
    };
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  await tf.ready();
  // Its first tensor prints an install-tfjs-node banner on stderr; the choice and the reasons are
  // recorded in the artifact's metadata instead.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { tf, info: { name, tfBackend: 'cpu', package: pkg, version: versionOf(pkg), skipped } };
}

interface KernelArgs {
  inputs: Record<string, { dataId: object; shape: number[] }>;
  backend: { disposeData(dataId: object): void };
  attrs: Record<string, unknown>;
}

/**
 * The wasm BatchMatMul takes a slow path (7–9× per call) when asked to transpose an operand, and
 * back-propagation through dense layers asks for exactly that. Transposing first, then
 * multiplying, trains ~1.7× faster with the same numbers (ml-runtime.md, pitfall 3).
 */
export function installBatchMatMulFix(tf: Tf): void {
  const config = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!config || !transpose || (config as { duckmlFixed?: boolean }).duckmlFixed) return;
  const original = config.kernelFunc as unknown as (a: KernelArgs) => unknown;
  const transposeFn = transpose.kernelFunc as unknown as (a: KernelArgs) => { dataId: object; shape: number[] };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...config,
    duckmlFixed: true,
    kernelFunc: ((args: KernelArgs) => {
      const { inputs, backend, attrs } = args;
      if (!attrs.transposeA && !attrs.transposeB) return original(args);
      const temps: { dataId: object }[] = [];
      const swapLast = (x: { dataId: object; shape: number[] }) => {
        const r = x.shape.length;
        const perm = [...Array(r).keys()];
        [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
        const t = transposeFn({ inputs: { x }, backend, attrs: { perm } });
        temps.push(t);
        return t;
      };
      const a = attrs.transposeA ? swapLast(inputs.a!) : inputs.a!;
      const b = attrs.transposeB ? swapLast(inputs.b!) : inputs.b!;
      try {
        return original({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        for (const t of temps) backend.disposeData(t.dataId);
      }
    }) as never,
  } as never);
}
