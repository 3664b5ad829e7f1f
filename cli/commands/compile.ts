import * as path from 'node:path';
import { formatFor, serialize, writeFileAtomic } from '../../compiler';
import { parseParams, ParamError } from '../../compiler/params';
import { parseCommandArgs } from '../args';
import { CliError, EXIT } from '../exit-codes';
import { loadPipeline } from '../load-pipeline';
import { componentImage, loadProjectConfig } from '../project-config';
import type { Command } from '../main';

const USAGE = `Usage: duckml compile <pipeline.ts|.js> [-o out.json|out.yaml] [--export NAME] [--param k=v ...] [--image IMAGE] [--no-typecheck]

Compiles a pipeline to a KFP PipelineSpec (IR 2.1.0) that Vertex AI Pipelines and Kubeflow Pipelines run.
  -o, --output FILE   where to write (.json, .yaml or .yml); default <pipeline-name>.yaml
  --export NAME       which export to compile when the file exports several pipelines
  --param k=v         set a parameter's default in the spec (repeatable)
  --image IMAGE       image for TypeScript components (default: $DUCKML_IMAGE, "image" in
                      duckml.config.json, else duckml/duckml:<version>)
  --no-typecheck      skip tsc's checks on the file`;

export const command: Command = {
  summary: 'compile a pipeline file to PipelineSpec JSON/YAML',
  usage: USAGE,
  async run(argv) {
    const args = parseCommandArgs(argv, {
      output: { type: 'string', short: 'o' },
      export: { type: 'string' },
      param: { type: 'string', multiple: true },
      image: { type: 'string' },
      'no-typecheck': { type: 'boolean' },
    }, USAGE);
    const [file, ...extra] = args.positionals;
    if (!file) throw new CliError(`which pipeline file?\n\n${USAGE}`, EXIT.usage);
    if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')}\n\n${USAGE}`, EXIT.usage);
    const loaded = await loadPipeline(file, { exportName: args.values.export, image: componentImage(args.values.image, loadProjectConfig()), typecheck: !args.values['no-typecheck'] });
    const spec = loaded.spec;
    if (args.values.param?.length) {
      try {
        const values = parseParams(spec, args.values.param);
        for (const [k, v] of Object.entries(values)) {
          const def = spec.root.inputDefinitions!.parameters![k]!;
          def.defaultValue = v as never;
          def.isOptional = true;
        }
      } catch (e) {
        if (e instanceof ParamError) throw new CliError(e.message, EXIT.usage);
        throw e;
      }
    }
    const out = args.values.output ?? `${spec.pipelineInfo.name}.yaml`;
    let format: 'json' | 'yaml';
    try {
      format = formatFor(out);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.usage);
    }
    writeFileAtomic(out, serialize(spec, format));
    const tasks = Object.keys(spec.root.dag?.tasks ?? {}).length;
    process.stdout.write(`compiled '${spec.pipelineInfo.name}' (${tasks} top-level task${tasks === 1 ? '' : 's'}) to ${path.relative(process.cwd(), path.resolve(out)) || out}\n`);
    return EXIT.ok;
  },
};
