/**
 * Online prediction with a model folder (train's output, as registered): raw instances in, the
 * model's own transform applied (applyTransform: the same arithmetic as transformSql and
 * batch-predict), scores out with the label at the model's threshold. Instances are objects
 * keyed by raw column, or arrays in `inputColumns` order, as Vertex passes them through.
 */
import { applyTransform, type Transform } from '../components/preprocess/transform';
import { readModelFolder } from '../components/train/model-files';
import { openScorer, type Scorer, type ScorerChoice } from '../components/batch-predict/scorer';

/** A request the caller got wrong: the server answers 400 with the message. */
export class InstanceError extends Error {
  override name = 'InstanceError';
}

export interface Prediction {
  /** The instance's id column, when it had one. */
  readonly id?: string;
  readonly score: number;
  readonly label: 0 | 1;
}

export interface PredictorInfo {
  /** e.g. scam-classifier@3, or the folder. */
  readonly model: string;
  readonly threshold: number;
  readonly scorer: string;
  /** The raw columns an instance needs (array instances give them in this order). */
  readonly inputColumns: readonly string[];
  readonly idColumn: string;
  readonly features: number;
}

/** Most instances one request may carry (Vertex itself caps a request at 1.5 MB). */
export const MAX_INSTANCES = 10_000;

export class Predictor {
  private constructor(
    readonly info: PredictorInfo,
    private readonly transform: Transform,
    private readonly scorer: Scorer,
  ) {}

  static async load(dir: string, opts: { model?: string; threshold?: number; scorer?: ScorerChoice } = {}): Promise<Predictor> {
    const folder = readModelFolder(dir, `model folder ${dir}`);
    const scorer = await openScorer(opts.scorer ?? 'auto', folder.spec, folder.weights);
    const t = folder.transform;
    const inputColumns = [...new Set(t.steps.map((s) => s.column))];
    const threshold = opts.threshold ?? folder.info.threshold ?? 0.5;
    return new Predictor({ model: opts.model ?? dir, threshold, scorer: scorer.name, inputColumns, idColumn: t.idColumn, features: t.featureNames.length }, t, scorer);
  }

  async predict(instances: unknown): Promise<Prediction[]> {
    if (!Array.isArray(instances)) throw new InstanceError(`the request needs "instances": an array of objects keyed by column (${this.info.inputColumns.slice(0, 4).join(', ')}, …) or of arrays in inputColumns order.`);
    if (instances.length > MAX_INSTANCES) throw new InstanceError(`${instances.length} instances in one request; send at most ${MAX_INSTANCES} (use batch-predict for bulk scoring).`);
    const { inputColumns, idColumn } = this.info;
    // The id each prediction echoes: the instance's own, when it has one.
    const ids: (string | undefined)[] = [];
    const rows = instances.map((inst, i): Record<string, unknown> => {
      if (Array.isArray(inst)) {
        if (inst.length !== inputColumns.length) throw new InstanceError(`instance ${i} is an array of ${inst.length} values; array instances give the ${inputColumns.length} inputColumns in order: ${inputColumns.join(', ')}.`);
        return { [idColumn]: String(i), ...Object.fromEntries(inputColumns.map((c, j) => [c, inst[j]])) };
      }
      if (inst === null || typeof inst !== 'object') throw new InstanceError(`instance ${i} is ${inst === null ? 'null' : typeof inst}; give an object keyed by column, e.g. {"${inputColumns[0]}": …}.`);
      const o = inst as Record<string, unknown>;
      const missing = inputColumns.filter((c) => !(c in o));
      if (missing.length) {
        const shown = missing.length > 8 ? `${missing.slice(0, 8).join(', ')} and ${missing.length - 8} more` : missing.join(', ');
        throw new InstanceError(`instance ${i} lacks ${missing.length === 1 ? 'column' : 'columns'} ${shown}: the model reads ${inputColumns.length} raw columns (GET the health route for inputColumns); a missing value is null, not an absent key.`);
      }
      const given = o[idColumn];
      ids[i] = given === undefined || given === null ? undefined : String(given);
      return ids[i] !== undefined ? o : { ...o, [idColumn]: String(i) };
    });
    let features: Float32Array;
    try {
      features = applyTransform(this.transform, rows, { label: false }).features;
    } catch (e) {
      // applyTransform names the row and column of a value that is not a number.
      throw new InstanceError(String((e as Error).message).replace(/^applyTransform: row (\d+)/, 'instance $1'));
    }
    const scores = new Float32Array(rows.length);
    await this.scorer.score(features, rows.length, scores);
    return rows.map((_, i) => {
      const score = scores[i]!;
      return { ...(ids[i] !== undefined ? { id: ids[i] } : {}), score, label: score >= this.info.threshold ? 1 : 0 };
    });
  }
}
