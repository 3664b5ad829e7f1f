import * as path from 'node:path';
import { writeFileAtomic } from '../../compiler';
import { GraphError, graphFormatFor, renderGraph, type GraphFormat } from '../../graph';
import { parseCommandArgs } from '../args';
import { CliError, EXIT } from '../exit-codes';
import { loadPipeline } from '../load-pipeline';
import type { Command } from '../main';

const USAGE = `Usage: duckml graph <pipeline.ts|.js|spec.json|spec.yaml> [-o graph.svg|graph.dot|graph.mmd] [--export NAME] [--no-typecheck]

Draws a pipeline's DAG: tasks, their dependencies, and conditions, loops, exit handlers and
nested pipelines as labelled frames around their tasks.
  -o, --output FILE   where to write; the extension picks the format:
                        .svg         a standalone picture (default: <pipeline-name>.svg)
                        .dot, .gv    Graphviz DOT (render with: dot -Tpng graph.dot -o graph.png)
                        .mmd         a Mermaid flowchart (GitHub renders it in a \`\`\`mermaid block)
  --export NAME       which export to draw when the file exports several pipelines
  --no-typecheck      skip tsc's checks on a .ts file`;

export const command: Command = {
  summary: 'draw a pipeline DAG as SVG, Graphviz DOT or Mermaid',
  usage: USAGE,
  async run(argv) {
    const args = parseCommandArgs(argv, {
      output: { type: 'string', short: 'o' },
      export: { type: 'string' },
      'no-typecheck': { type: 'boolean' },
    }, USAGE);
    const [file, ...extra] = args.positionals;
    if (!file) throw new CliError(`which pipeline file or spec?\n\n${USAGE}`, EXIT.usage);
    if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')}\n\n${USAGE}`, EXIT.usage);
    // Check the output name before loading: a wrong extension should not cost a compile.
    let format: GraphFormat | undefined;
    if (args.values.output !== undefined) format = formatOf(args.values.output);
    const loaded = await loadPipeline(file, { exportName: args.values.export, typecheck: !args.values['no-typecheck'] });
    const out = args.values.output ?? `${loaded.spec.pipelineInfo.name}.svg`;
    format ??= formatOf(out);
    let text: string;
    try {
      text = renderGraph(loaded.spec, format);
    } catch (e) {
      if (e instanceof GraphError) throw new CliError(`cannot draw ${file}: ${e.message}`, EXIT.usage);
      throw e;
    }
    writeFileAtomic(out, text);
    process.stdout.write(`drew '${loaded.spec.pipelineInfo.name}' to ${path.relative(process.cwd(), path.resolve(out)) || out}\n`);
    return EXIT.ok;
  },
};

function formatOf(file: string): GraphFormat {
  try {
    return graphFormatFor(file);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.usage);
  }
}
