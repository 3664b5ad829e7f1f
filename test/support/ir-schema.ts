/**
 * Loads the KFP IR schema (../shared/kfp-ir/pipeline_spec.proto) with protobufjs at test time.
 * The proto is read where it lies, never copied into the project; only tests need it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

export const IR_PROTO = path.resolve(__dirname, '../../../shared/kfp-ir/pipeline_spec.proto');
export const haveIrSchema = fs.existsSync(IR_PROTO);

/**
 * google/rpc/status.proto is not among protobufjs's bundled Google types; this is its message
 * (the only one the IR uses, in PipelineTaskFinalStatus.error), as published by Google.
 */
const IN_CODE: Readonly<Record<string, string>> = {
  'google/rpc/status.proto': `
    syntax = "proto3";
    package google.rpc;
    import "google/protobuf/any.proto";
    message Status {
      int32 code = 1;
      string message = 2;
      repeated google.protobuf.Any details = 3;
    }`,
};

export interface IrSchema {
  readonly protoPath: string;
  readonly root: protobuf.Root;
  readonly pipelineSpec: protobuf.Type;
  readonly deploymentConfig: protobuf.Type;
  /**
   * google.protobuf.Struct fields whose content has a schema of its own, by field full name:
   * PipelineSpec.deployment_spec holds a PipelineDeploymentConfig.
   */
  readonly structAs: ReadonlyMap<string, protobuf.Type>;
}

const cache = new Map<string, IrSchema>();

/** Parses the IR proto (cached per path). Field names keep their .proto spelling (snake_case). */
export function loadIrSchema(protoPath: string = IR_PROTO): IrSchema {
  const abs = path.resolve(protoPath);
  const hit = cache.get(abs);
  if (hit) return hit;
  if (!fs.existsSync(abs)) {
    throw new Error(`IR schema: ${abs} does not exist; the KFP IR proto is read from ../shared/kfp-ir/pipeline_spec.proto next to the project (CI always has it).`);
  }
  const root = new protobuf.Root();
  const done = new Set<string>();
  const include = (file: string, from: string): void => {
    if (done.has(file)) return;
    done.add(file);
    const src = IN_CODE[file];
    if (src !== undefined) {
      for (const imp of protobuf.parse(src, root, { keepCase: true }).imports ?? []) include(imp, file);
      return;
    }
    const bundled = protobuf.common.get(file);
    if (!bundled?.nested) {
      throw new Error(`IR schema: ${from} imports '${file}', which neither protobufjs's bundled Google types nor test/support/ir-schema.ts supply; add its definition to IN_CODE there.`);
    }
    root.addJSON(bundled.nested);
  };
  const parsed = protobuf.parse(fs.readFileSync(abs, 'utf8'), root, { keepCase: true });
  for (const imp of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) include(imp, abs);
  root.resolveAll();
  const pipelineSpec = root.lookupType('ml_pipelines.PipelineSpec');
  const deploymentConfig = root.lookupType('ml_pipelines.PipelineDeploymentConfig');
  const deploymentField = pipelineSpec.fields.deployment_spec;
  if (!deploymentField) throw new Error(`IR schema: ${abs} has no PipelineSpec.deployment_spec field.`);
  const schema: IrSchema = {
    protoPath: abs,
    root,
    pipelineSpec,
    deploymentConfig,
    structAs: new Map([[deploymentField.fullName, deploymentConfig]]),
  };
  cache.set(abs, schema);
  return schema;
}
