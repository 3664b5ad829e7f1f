/** Assembles evaluate's HTML report from its results (layout and plots in report-html.ts). */
import type { LoadedModelFolder } from '../train/model-files';
import type { SplitData } from '../train/split-reader';
import type { Counts, Curve } from './metrics';
import { calibrationBins, curvePoints } from './metrics';
import type { GateResult } from './gates';
import type { ThresholdChoice } from './threshold';
import { barChart, lineChart, renderReport, type ReportTable, type Series } from './report-html';

interface Scored {
  readonly curve: Curve;
  readonly prAuc: number;
  readonly rocAuc: number;
  readonly ece: number;
}

export interface ReportInput {
  readonly folder: LoadedModelFolder;
  readonly test: SplitData;
  readonly scores: Float32Array;
  readonly cand: Scored;
  readonly champ?: Scored & { version: string };
  readonly choice: ThresholdChoice;
  readonly counts: Counts;
  readonly values: Record<string, number>;
  readonly gateResults: readonly GateResult[];
  readonly beatsChampion: boolean;
  readonly passed: boolean;
  readonly margin: number;
  readonly modelName: string;
}

const BLUE = '#1565c0';
const ORANGE = '#ef6c00';

export function buildReport(r: ReportInput): string {
  const { folder, test, cand, champ, choice, counts: k, values } = r;
  const pts = curvePoints(cand.curve, 300);
  const champPts = champ ? curvePoints(champ.curve, 300) : [];
  const at = pts.reduce((best, p) => (Math.abs(p.threshold - choice.threshold) < Math.abs(best.threshold - choice.threshold) ? p : best), pts[0]!);
  const series = (name: string, ps: typeof pts, f: (p: (typeof pts)[number]) => [number, number], color: string, dashed = false): Series => ({ name, points: ps.map(f), color, dashed });

  const charts = [
    lineChart({
      title: 'ROC curve',
      xLabel: 'false positive rate',
      yLabel: 'recall (true positive rate)',
      xDomain: [0, 1],
      yDomain: [0, 1],
      diagonal: true,
      series: [
        series(`candidate (AUC ${cand.rocAuc.toFixed(3)})`, pts, (p) => [p.falsePositiveRate, p.recall], BLUE),
        ...(champ ? [series(`champion v${champ.version} (AUC ${champ.rocAuc.toFixed(3)})`, champPts, (p) => [p.falsePositiveRate, p.recall], ORANGE, true)] : []),
      ],
      markers: [{ x: at.falsePositiveRate, y: at.recall, label: `threshold ${choice.threshold.toFixed(3)}` }],
    }),
    lineChart({
      title: 'Precision–recall curve',
      xLabel: 'recall',
      yLabel: 'precision',
      xDomain: [0, 1],
      yDomain: [0, 1],
      series: [
        series(`candidate (PR-AUC ${cand.prAuc.toFixed(3)})`, pts, (p) => [p.recall, p.precision], BLUE),
        ...(champ ? [series(`champion v${champ.version} (PR-AUC ${champ.prAuc.toFixed(3)})`, champPts, (p) => [p.recall, p.precision], ORANGE, true)] : []),
      ],
      markers: [{ x: choice.recall, y: choice.precision, label: `threshold ${choice.threshold.toFixed(3)}` }],
    }),
  ];
  const bins = calibrationBins(r.scores, test.labels!, 10);
  charts.push(
    lineChart({
      title: `Calibration (ECE ${cand.ece.toFixed(4)})`,
      xLabel: 'mean predicted score',
      yLabel: 'observed positive rate',
      xDomain: [0, 1],
      yDomain: [0, 1],
      diagonal: true,
      series: [{ name: 'candidate', color: BLUE, points: bins.filter((b) => b.count > 0).map((b) => [b.meanScore, b.positiveRate] as const) }],
    }),
  );
  const hist = Array.from({ length: 20 }, (_, i) => ({ label: (i / 20).toFixed(2), values: [0, 0] }));
  for (let i = 0; i < test.rows; i++) hist[Math.min(19, Math.floor(r.scores[i]! * 20))]!.values[test.labels![i]! > 0.5 ? 1 : 0]!++;
  charts.push(barChart('Score distribution by class', ['legit', 'scam'], [BLUE, ORANGE], hist, 'rows'));
  const history = (folder.info.training?.history ?? []) as { epoch: number; loss: number; valPrAuc: number }[];
  if (history.length) {
    charts.push(
      lineChart({
        title: 'Training history',
        xLabel: 'epoch',
        yLabel: 'value',
        series: [
          { name: 'training loss', color: BLUE, points: history.map((h) => [h.epoch, h.loss] as const) },
          { name: 'validation PR-AUC', color: ORANGE, points: history.map((h) => [h.epoch, h.valPrAuc] as const) },
        ],
      }),
    );
  }

  const tables: ReportTable[] = [
    {
      title: 'Metrics on the test set',
      header: ['metric', 'value'],
      rows: [
        ['PR-AUC (average precision)', cand.prAuc],
        ['ROC-AUC', cand.rocAuc],
        ['expected calibration error (10 bins)', cand.ece],
        ['decision threshold', choice.threshold],
        ['precision at threshold', values.precision!],
        ['recall at threshold', values.recall!],
        ['F1 at threshold', values.f1!],
        ['flagged rows', choice.flagged],
        ['flagged per 10,000 rows', values.flaggedPer10k!],
        ['test rows (positives)', `${test.rows} (${test.positives})`],
      ],
    },
    {
      title: 'Confusion matrix at the threshold',
      header: ['actual \\ predicted', 'legit', 'scam'],
      rows: [
        ['legit', k.tn, k.fp],
        ['scam', k.fn, k.tp],
      ],
    },
  ];
  if (r.gateResults.length) {
    tables.push({
      title: 'Gates',
      header: ['gate', 'required', 'actual', 'result'],
      rows: r.gateResults.map((g) => [g.gate, g.required, g.actual, g.passed ? 'passed' : 'FAILED']),
      status: r.gateResults.map((g) => (g.passed ? 'pass' : 'fail')),
    });
  }
  tables.push(
    champ
      ? {
          title: `Against the champion (version ${champ.version}), same test rows`,
          header: ['metric', 'candidate', 'champion', 'difference'],
          rows: [
            ['PR-AUC', cand.prAuc, champ.prAuc, cand.prAuc - champ.prAuc],
            ['ROC-AUC', cand.rocAuc, champ.rocAuc, cand.rocAuc - champ.rocAuc],
            ['ECE', cand.ece, champ.ece, cand.ece - champ.ece],
          ],
          status: [r.beatsChampion ? 'pass' : 'fail', undefined, undefined],
        }
      : { title: 'Against the champion', header: ['note'], rows: [['no champion yet: this would be the first registered version']] },
  );
  const layers = folder.spec.layers.join('→');
  return renderReport({
    title: `${r.modelName}: ${folder.info.kind} ${layers}`,
    summary: `Threshold policy: ${choice.explanation}. ${r.passed ? 'All gates hold' : 'Not registered'}${champ ? (r.beatsChampion ? ' and the candidate is at least as good as the champion' : `: the candidate's PR-AUC is below the champion's by more than the margin ${r.margin}`) : ''}. Trained on ${String(folder.info.backend?.name ?? 'unknown')} at ${folder.info.trainedAt}.`,
    passed: r.passed,
    tables,
    charts,
    notes: ['PR-AUC is average precision (Σ ΔRecall × Precision over thresholds). Calibration uses 10 equal-width score bins.'],
  });
}
