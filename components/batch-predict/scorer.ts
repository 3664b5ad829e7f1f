/**
 * What turns feature rows into scores inside a scoring worker. ONNX Runtime (onnxruntime-node,
 * CPU) when it is installed: the network exported by onnx-model.ts runs ~2.7× faster per core
 * than on tfjs's wasm backend. Otherwise, or when asked, a tfjs backend (loadBackend's choice:
 * tfjs-node-gpu → tfjs-node → wasm → cpu). Both score the same weights; ONNX Runtime's sigmoid
 * and summation order differ from tfjs's by at most a few 1e-7 per score.
 */
import * as path from 'node:path';
import { BACKEND_NAMES, loadBackend, type BackendName, type Tf } from '../train/backend';
import { Net, type NetSpec } from '../train/model';
import { ONNX_INPUT, ONNX_OUTPUT, onnxModel } from '../train/onnx-model';

/** 'auto', 'onnxruntime', or one of the tfjs backends. */
export type ScorerChoice = 'auto' | 'onnxruntime' | BackendName;
export const SCORER_CHOICES: readonly ScorerChoice[] = ['auto', 'onnxruntime', ...BACKEND_NAMES];

export interface Scorer {
  /** e.g. 'onnxruntime 1.30.0 (cpu)', 'tfjs wasm'. */
  readonly name: string;
  /** Writes sigmoid scores of `rows` rows of x (row-major, rows × k) into out[0 … rows). */
  score(x: Float32Array, rows: number, out: Float32Array): Promise<void>;
}

export function checkScorerChoice(choice: string): ScorerChoice {
  if (!SCORER_CHOICES.includes(choice as ScorerChoice)) {
    throw new Error(`backend '${choice}' is not known; use one of: ${SCORER_CHOICES.join(', ')}. 'auto' takes ONNX Runtime when it is installed, else the best tfjs backend.`);
  }
  return choice as ScorerChoice;
}

type Ort = typeof import('onnxruntime-node');

function loadOrt(): { ort?: Ort; why?: string } {
  try {
    return { ort: require('onnxruntime-node') as Ort };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes('onnxruntime-node')) return { why: 'onnxruntime-node: not installed' };
    return { why: `onnxruntime-node: failed to load (${String(err?.message ?? e).split('\n')[0]})` };
  }
}

/** Rows per ONNX Runtime run. */
const ORT_SLICE = 4096;

async function ortScorer(ort: Ort, spec: NetSpec, weights: readonly Float32Array[]): Promise<Scorer> {
  // One thread per session: the pool runs one worker per core, and ORT's own thread pool would
  // only contend with them.
  const session = await ort.InferenceSession.create(onnxModel(spec, weights), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const k = spec.layers[0]!;
  return {
    name: `onnxruntime ${ort.env.versions.node ?? ''} (cpu)`.replace('  ', ' '),
    async score(x, rows, out) {
      // A few thousand rows per run keep the activations in L2: 65,536-row runs are ~30% slower.
      for (let s = 0; s < rows; s += ORT_SLICE) {
        const n = Math.min(ORT_SLICE, rows - s);
        // Tensors over the caller's buffers: ORT reads x and writes the scores in place.
        const input = new ort.Tensor('float32', x.subarray(s * k, (s + n) * k), [n, k]);
        const output = new ort.Tensor('float32', out.subarray(s, s + n), [n, 1]);
        await session.run({ [ONNX_INPUT]: input }, { [ONNX_OUTPUT]: output });
      }
    },
  };
}

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * The wasm backend on tfjs-core alone. Scoring needs no layers, converter or data API, and
 * loading the full @tensorflow/tfjs costs each worker ~0.2 CPU-s. Taken only when wasm is what
 * loadBackend would pick (no native TensorFlow installed).
 */
async function lightWasm(want: BackendName | 'auto'): Promise<Tf | undefined> {
  if (want !== 'wasm' && !(want === 'auto' && !installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node'))) return undefined;
  try {
    const tf = require('@tensorflow/tfjs-core') as Tf;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`);
    if (!(await tf.setBackend('wasm'))) return undefined;
    await tf.ready();
    return tf;
  } catch {
    return undefined; // loadBackend says why
  }
}

async function tfjsScorer(want: BackendName | 'auto', spec: NetSpec, weights: readonly Float32Array[], skipped: string | undefined): Promise<Scorer> {
  let tf = await lightWasm(want);
  let name = 'wasm';
  if (!tf) {
    const b = await loadBackend(want);
    tf = b.tf;
    name = b.info.name;
  }
  const net = new Net(tf, spec, weights);
  return {
    name: `tfjs ${name}${skipped ? ` (${skipped})` : ''}`,
    async score(x, rows, out) {
      net.predict(x as Float32Array<ArrayBuffer>, rows, out as Float32Array<ArrayBuffer>, rows || 1);
    },
  };
}

/**
 * The scorer `choice` names: 'auto' → ONNX Runtime if it loads, else the best tfjs backend;
 * 'onnxruntime' → ONNX Runtime or an error saying why not; a tfjs backend name → that backend.
 * $DUCKML_TFJS_BACKEND still picks the tfjs backend when the choice is 'auto' and ORT is absent.
 */
export async function openScorer(choice: ScorerChoice, spec: NetSpec, weights: readonly Float32Array[]): Promise<Scorer> {
  if (choice === 'auto' || choice === 'onnxruntime') {
    const loaded = loadOrt();
    let why = loaded.why;
    if (loaded.ort) {
      try {
        return await ortScorer(loaded.ort, spec, weights);
      } catch (e) {
        // Installed but unusable here (e.g. no binary for this platform): 'auto' moves on.
        why = `onnxruntime-node: could not start a session (${String((e as Error)?.message ?? e).split('\n')[0]})`;
      }
    }
    if (choice === 'onnxruntime') throw new Error(`backend 'onnxruntime' is not available: ${why}. Install it (npm install onnxruntime-node) or leave 'backend' at 'auto'.`);
    const env = process.env.DUCKML_TFJS_BACKEND as BackendName | 'auto' | undefined;
    return tfjsScorer(env ?? 'auto', spec, weights, why);
  }
  return tfjsScorer(choice, spec, weights, undefined);
}
