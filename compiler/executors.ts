/** Executors (deploymentSpec.executors): container command lines, resources and importers. */
import type { TaskNode } from '../dsl/graph';
import { renderElement, placeholder } from '../dsl/placeholders';
import { cpuToFloat, memoryToFloat } from './quantities';
import type { ContainerIr, ExecutorIr, Json } from './ir';

export function executorFor(task: TaskNode, defaultImage: string): ExecutorIr {
  const c = task.component;
  if (c.type === 'importer') {
    const uri = task.args.uri;
    const importer: Record<string, Json> = {
      artifactUri: typeof uri === 'string' ? { constant: uri } : { runtimeParameter: 'uri' },
      typeSchema: { schemaTitle: c.artifactType.schemaTitle, schemaVersion: c.artifactType.schemaVersion },
    };
    if (c.metadata && Object.keys(c.metadata).length) importer.metadata = c.metadata as Json;
    if (c.reimport) importer.reimport = true;
    return { importer };
  }
  if (c.type === 'pipeline') throw new Error('internal error (a duckml bug): a pipeline task has no executor');
  const container: ContainerIr =
    c.type === 'typescript'
      ? {
          image: c.image ?? defaultImage,
          command: ['duckml', 'execute'],
          args: ['--executor-input', placeholder.executorInput, '--module', c.module, '--component', c.name],
        }
      : {
          image: c.container.image,
          ...(c.container.command?.length ? { command: c.container.command.map(renderElement) } : {}),
          ...(c.container.args?.length ? { args: c.container.args.map(renderElement) } : {}),
        };
  const env = { ...(c.type === 'container' ? c.container.env : {}), ...(task.options.env ?? {}) };
  if (Object.keys(env).length) container.env = Object.entries(env).map(([name, value]) => ({ name, value }));
  const res = resources(task);
  if (res) container.resources = res;
  return { container };
}

function resources(task: TaskNode): Record<string, Json> | undefined {
  const o = task.options;
  const r: Record<string, Json> = {};
  if (o.cpuRequest !== undefined) Object.assign(r, { cpuRequest: cpuToFloat(o.cpuRequest), resourceCpuRequest: o.cpuRequest });
  if (o.cpuLimit !== undefined) Object.assign(r, { cpuLimit: cpuToFloat(o.cpuLimit), resourceCpuLimit: o.cpuLimit });
  if (o.memoryRequest !== undefined) Object.assign(r, { memoryRequest: memoryToFloat(o.memoryRequest), resourceMemoryRequest: o.memoryRequest });
  if (o.memoryLimit !== undefined) Object.assign(r, { memoryLimit: memoryToFloat(o.memoryLimit), resourceMemoryLimit: o.memoryLimit });
  if (o.accelerator) {
    const count = String(o.accelerator.count ?? 1);
    r.accelerator = { count, resourceCount: count, resourceType: o.accelerator.type, type: o.accelerator.type };
  }
  return Object.keys(r).length ? r : undefined;
}
