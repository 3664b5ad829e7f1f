/** Pipelines and spec files the cloud tests submit. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dsl from '../../../dsl';
import { compile, toJson, type PipelineSpecIr } from '../../../compiler';

const step = dsl.container({
  name: 'step',
  image: 'alpine:3.20',
  inputs: { epochs: dsl.int(), layers: dsl.list(), cfg: dsl.struct(), tag: dsl.string() },
  outputs: { out: dsl.string() },
  command: (io) => ['sh', '-c', 'echo "$0 $1 $2 $3" > "$4"', io.inputs.epochs, io.inputs.layers, io.inputs.cfg, io.inputs.tag, io.outputs.out],
});

const inner = dsl.pipeline({ name: 'inner', params: { epochs: dsl.int(), layers: dsl.list(), cfg: dsl.struct(), tag: dsl.string() } }, (p, a) => {
  const t = p.task(step, a);
  return { out: t.outputs.out };
});

/** Typed parameters of every kind, one required; a task in the root and one in a sub-DAG. */
export const train = dsl.pipeline(
  {
    name: 'train-model',
    description: 'A pipeline for the cloud tests.',
    params: {
      epochs: dsl.int(),
      rate: dsl.double({ default: 0.1 }),
      layers: dsl.list(undefined, { default: [[1, 2], [3]] }),
      cfg: dsl.struct({ default: { a: 1 } }),
      tag: dsl.string({ default: 'dev' }),
      dry: dsl.bool({ default: false }),
    },
  },
  (p, a) => {
    const first = p.task(step, { epochs: a.epochs, layers: a.layers, cfg: a.cfg, tag: a.tag });
    const nested = p.task(inner, { epochs: a.epochs, layers: a.layers, cfg: a.cfg, tag: first.outputs.out });
    return { out: nested.outputs.out };
  },
);

export function trainSpec(): PipelineSpecIr {
  return JSON.parse(toJson(compile(train))) as PipelineSpecIr;
}

export function tmpDir(prefix = 'duckml-cloud-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeSpec(dir: string, spec: PipelineSpecIr = trainSpec(), file = 'train.json'): string {
  const f = path.join(dir, file);
  fs.writeFileSync(f, toJson(spec));
  return f;
}
