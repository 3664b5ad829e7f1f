/**
 * The model folder (notes/ml-contracts.md): tfjs `model.json` + `weights.bin` (the layout tfjs's
 * own file:// saver writes, loadable with tf.loadLayersModel), the `transform.json` it was trained
 * with, `duckml-model.json`, and `model.onnx` — the same network as an ONNX graph, for ONNX
 * Runtime (batch-predict, duckml serve) and any other runtime that reads ONNX. Written to a
 * temporary folder and renamed into place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { netSpec, toLayersModel, type ModelKind, type NetSpec } from './model';
import { onnxModel } from './onnx-model';
import { commit, removeQuietly, tempBeside } from '../../warehouse/atomic';
import { readTransform as readPreprocessTransform, type Transform } from '../preprocess/transform';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const TRANSFORM_JSON = 'transform.json';
export const MODEL_ONNX = 'model.onnx';
export const DUCKML_MODEL_JSON = 'duckml-model.json';

/** duckml-model.json. */
export interface DuckmlModelInfo {
  readonly format: 'duckml-model/1';
  readonly kind: ModelKind;
  /** Layer widths input → output, e.g. [30, 64, 32, 1]. */
  readonly layers: number[];
  readonly featureNames: string[];
  /** Decision threshold on the score (set by evaluate, carried by the registry). */
  threshold?: number;
  /** The tfjs backend it was trained on (backend.ts BackendInfo). */
  readonly backend: Record<string, unknown>;
  readonly trainedAt: string;
  metrics?: Record<string, number>;
  readonly training?: Record<string, unknown>;
}

export type TransformJson = Transform;

/** Reads and checks a transform folder's transform.json (or the file), naming the input in errors. */
export function readTransform(p: string, what = 'transform'): Transform {
  try {
    return readPreprocessTransform(p);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** Writes the model folder at `dir`, replacing what was there only once it is complete. */
export async function saveModelFolder(tf: Tf, dir: string, spec: NetSpec, weights: readonly Float32Array[], transform: TransformJson, info: DuckmlModelInfo): Promise<void> {
  const tmp = tempBeside(dir);
  try {
    fs.mkdirSync(tmp, { recursive: true });
    const model = toLayersModel(tf, spec, weights);
    await model.save(
      tf.io.withSaveHandler(async (a: TfModule.io.ModelArtifacts) => {
        const data = a.weightData as ArrayBuffer;
        fs.writeFileSync(path.join(tmp, WEIGHTS_BIN), Buffer.from(data));
        const json = {
          modelTopology: a.modelTopology,
          format: a.format ?? 'layers-model',
          generatedBy: a.generatedBy,
          convertedBy: a.convertedBy ?? null,
          weightsManifest: [{ paths: [WEIGHTS_BIN], weights: a.weightSpecs }],
        };
        fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
      }),
    );
    model.dispose();
    fs.writeFileSync(path.join(tmp, TRANSFORM_JSON), `${JSON.stringify(transform, null, 2)}\n`);
    fs.writeFileSync(path.join(tmp, DUCKML_MODEL_JSON), `${JSON.stringify(info, null, 2)}\n`);
    fs.writeFileSync(path.join(tmp, MODEL_ONNX), onnxModel(spec, weights));
    commit(tmp, dir);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

export interface LoadedModelFolder {
  readonly dir: string;
  readonly info: DuckmlModelInfo;
  readonly transform: TransformJson;
  readonly spec: NetSpec;
  /** [W0, b0, W1, b1, …] as saved. */
  readonly weights: Float32Array[];
}

/** Reads a model folder's files and checks they agree; no tfjs needed. */
export function readModelFolder(dir: string, what = 'model'): LoadedModelFolder {
  const need = (f: string) => {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) throw new Error(`${what} at ${dir} is not a duckml model folder: ${f} is missing. Pass the model artifact written by train (or a registry version).`);
    return p;
  };
  let info: DuckmlModelInfo;
  let manifest: { weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] };
  try {
    info = JSON.parse(fs.readFileSync(need(DUCKML_MODEL_JSON), 'utf8')) as DuckmlModelInfo;
    manifest = JSON.parse(fs.readFileSync(need(MODEL_JSON), 'utf8')) as typeof manifest;
  } catch (e) {
    if ((e as Error).message.includes('is not a duckml model folder')) throw e;
    throw new Error(`${what} at ${dir}: ${(e as Error).message}`);
  }
  const transform = readTransform(need(TRANSFORM_JSON), `${what} transform`);
  const hidden = info.layers?.slice(1, -1);
  const spec = netSpec(info.kind, info.layers?.[0] ?? -1, info.kind === 'mlp' ? hidden : undefined);
  if (transform.featureNames.length !== spec.layers[0]) {
    throw new Error(`${what} at ${dir}: transform.json has ${transform.featureNames.length} features but the network takes ${spec.layers[0]}.`);
  }
  const group = manifest.weightsManifest?.[0];
  if (!group || manifest.weightsManifest.length !== 1) throw new Error(`${what} at ${dir}: model.json must list one weights file.`);
  const buf = fs.readFileSync(path.join(dir, group.paths[0]!));
  const all = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
  const weights: Float32Array[] = [];
  let off = 0;
  for (const w of group.weights) {
    if (w.dtype !== 'float32') throw new Error(`${what} at ${dir}: weight ${w.name} is ${w.dtype}; duckml models are float32.`);
    const n = w.shape.reduce((a, b) => a * b, 1);
    weights.push(Float32Array.from(all.subarray(off, off + n)));
    off += n;
  }
  if (off * 4 !== buf.byteLength) throw new Error(`${what} at ${dir}: ${group.paths[0]} holds ${buf.byteLength} bytes but model.json describes ${off * 4}.`);
  return { dir, info, transform, spec, weights };
}

/** Loads the saved tfjs Layers model itself (what a serving container would do). */
export async function loadLayersModel(tf: Tf, dir: string): Promise<TfModule.LayersModel> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_JSON), 'utf8')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: TfModule.io.WeightsManifestEntry[] }[] };
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const joined = Buffer.concat(buffers);
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
}
