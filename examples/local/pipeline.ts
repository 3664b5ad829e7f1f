/**
 * A pipeline that runs anywhere with `duckml run examples/local/pipeline.ts` (no Docker, no
 * cloud): TypeScript components make a dataset, a condition picks a branch, a loop scores each
 * slice and fans in, and the last step logs metrics the Vertex AI and KFP UIs render.
 */
import * as fs from 'node:fs';
import * as dsl from 'duckml/dsl';

/** Rows "x,label" with label = 1 when x crosses the threshold; deterministic for a seed. */
const makeData = dsl.component({
  name: 'make-data',
  inputs: { rows: dsl.int({ default: 200 }), seed: dsl.int({ default: 7 }) },
  outputs: { data: dsl.Dataset, positives: dsl.int() },
  run: ({ rows, seed }, { data }) => {
    let s = seed;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lines = ['x,label'];
    let positives = 0;
    for (let i = 0; i < rows; i++) {
      const x = rand();
      const label = x + (rand() - 0.5) * 0.3 > 0.5 ? 1 : 0;
      positives += label;
      lines.push(`${x.toFixed(4)},${label}`);
    }
    fs.writeFileSync(data.path, `${lines.join('\n')}\n`);
    data.metadata.rows = rows;
    return { positives };
  },
});

function readRows(path: string): { x: number; label: number }[] {
  return fs
    .readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [x, label] = l.split(',');
      return { x: Number(x), label: Number(label) };
    });
}

/** Accuracy of the rule "x > threshold" on the dataset. */
const scoreThreshold = dsl.component({
  name: 'score-threshold',
  inputs: { data: dsl.Dataset, threshold: dsl.double() },
  outputs: { accuracy: dsl.double() },
  run: ({ data, threshold }) => {
    const rows = readRows(data.path);
    const right = rows.filter((r) => (r.x > threshold ? 1 : 0) === r.label).length;
    return { accuracy: right / rows.length };
  },
});

const pickBest = dsl.component({
  name: 'pick-best',
  inputs: { thresholds: dsl.list(dsl.double()), accuracies: dsl.list(dsl.double()) },
  outputs: { best: dsl.double() },
  run: ({ thresholds, accuracies }, _out, ctx) => {
    let best = 0;
    accuracies.forEach((a, i) => {
      if (a > accuracies[best]!) best = i;
    });
    ctx.log(`accuracies ${accuracies.map((a) => a.toFixed(3)).join(' ')}`);
    return { best: thresholds[best]! };
  },
});

const evaluate = dsl.component({
  name: 'evaluate',
  inputs: { data: dsl.Dataset, threshold: dsl.double() },
  outputs: { metrics: dsl.Metrics, classification: dsl.ClassificationMetrics },
  run: ({ data, threshold }, { metrics, classification }) => {
    const rows = readRows(data.path);
    const m = [[0, 0], [0, 0]];
    for (const r of rows) m[r.label]![r.x > threshold ? 1 : 0]!++;
    dsl.metrics.log(metrics, 'accuracy', (m[0]![0]! + m[1]![1]!) / rows.length);
    dsl.metrics.log(metrics, 'threshold', threshold);
    dsl.metrics.confusionMatrix(classification, ['negative', 'positive'], m);
    const pos = rows.filter((r) => r.label === 1).length;
    const neg = rows.length - pos;
    const ts = [1, 0.75, 0.5, 0.25, 0];
    dsl.metrics.roc(classification, {
      thresholds: ts,
      tpr: ts.map((t) => rows.filter((r) => r.label === 1 && r.x > t).length / Math.max(1, pos)),
      fpr: ts.map((t) => rows.filter((r) => r.label === 0 && r.x > t).length / Math.max(1, neg)),
    });
  },
});

const note = dsl.component({
  name: 'note',
  inputs: { text: dsl.string() },
  outputs: { said: dsl.string() },
  run: ({ text }, _out, ctx) => {
    ctx.log(text);
    return { said: text };
  },
});

export const local = dsl.pipeline(
  {
    name: 'local-example',
    description: 'Dataset, condition, loop with fan-in and metrics, all in TypeScript.',
    params: { rows: dsl.int({ default: 200 }), minPositives: dsl.int({ default: 10 }) },
  },
  (p, { rows, minPositives }) => {
    const data = p.task(makeData, { rows });
    p.if(data.outputs.positives.lt(minPositives), (s) => {
      s.task(note, { text: 'too few positives to tune a threshold' });
    });
    const thresholds = [0.3, 0.4, 0.5, 0.6, 0.7];
    const tune = p.forEach(
      thresholds,
      (s, t) => {
        const score = s.task(scoreThreshold, { data: data.outputs.data, threshold: t });
        return { accuracy: score.outputs.accuracy };
      },
      { parallelism: 2 },
    );
    const best = p.task(pickBest, { thresholds, accuracies: tune.outputs.accuracy });
    const ev = p.task(evaluate, { data: data.outputs.data, threshold: best.outputs.best });
    return { best: best.outputs.best, metrics: ev.outputs.metrics };
  },
);
