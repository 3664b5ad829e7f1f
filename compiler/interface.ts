/** Component interfaces (inputDefinitions / outputDefinitions) and DAG outputs in IR form. */
import { isArtifactSpec, IR_PARAMETER_TYPE, type InputsSpec } from '../dsl/types';
import { ioTypeOf, type IoType } from '../dsl/io';
import type { DagOutput } from './topology';
import type { ComponentSpecIr, InterfaceIr, Json } from './ir';

export function artifactIr(io: Extract<IoType, { kind: 'artifact' }>): { artifactType: { schemaTitle: string; schemaVersion: string }; isArtifactList?: boolean } {
  const out: { artifactType: { schemaTitle: string; schemaVersion: string }; isArtifactList?: boolean } = {
    artifactType: { schemaTitle: io.schemaTitle, schemaVersion: io.schemaVersion },
  };
  if (io.isList) out.isArtifactList = true;
  return out;
}

export function addIo(iface: InterfaceIr, name: string, io: IoType): void {
  if (io.kind === 'artifact') (iface.artifacts ??= {})[name] = artifactIr(io);
  else (iface.parameters ??= {})[name] = { parameterType: io.irType };
}

/** Component interface from declared specs (KFP `_build_component_spec_from_component_spec_structure`). */
export function interfaceFromSpecs(inputs: InputsSpec, outputs: Readonly<Record<string, IoType>>): ComponentSpecIr {
  const spec: ComponentSpecIr = {};
  const ins: InterfaceIr = {};
  for (const [name, s] of Object.entries(inputs)) {
    if (isArtifactSpec(s)) {
      const a: NonNullable<InterfaceIr['artifacts']>[string] = artifactIr(ioTypeOf(s) as Extract<IoType, { kind: 'artifact' }>);
      if (s.isOptional) a.isOptional = true;
      if (s.description) a.description = s.description;
      (ins.artifacts ??= {})[name] = a;
    } else {
      const p: NonNullable<InterfaceIr['parameters']>[string] = { parameterType: IR_PARAMETER_TYPE[s.tag] };
      if (s.optional) {
        p.isOptional = true;
        if (s.default !== undefined && s.tag !== 'status') p.defaultValue = s.default as Json;
      }
      if (s.description) p.description = s.description;
      (ins.parameters ??= {})[name] = p;
    }
  }
  if (ins.parameters || ins.artifacts) spec.inputDefinitions = ins;
  const outs: InterfaceIr = {};
  for (const [name, io] of Object.entries(outputs)) addIo(outs, name, io);
  if (outs.parameters || outs.artifacts) spec.outputDefinitions = outs;
  return spec;
}

export function dagOutputIr(out: DagOutput): Json {
  if (out.io.kind === 'artifact') {
    return { artifactSelectors: out.selectors.map((s) => ({ outputArtifactKey: s.key, producerSubtask: s.producer })) };
  }
  if (out.oneof) {
    return { valueFromOneof: { parameterSelectors: out.selectors.map((s) => ({ outputParameterKey: s.key, producerSubtask: s.producer })) } };
  }
  const s = out.selectors[0]!;
  return { valueFromParameter: { outputParameterKey: s.key, producerSubtask: s.producer } };
}

export function setDagOutputs(spec: ComponentSpecIr, outputs: ReadonlyMap<string, DagOutput> | undefined): void {
  if (!outputs || outputs.size === 0) return;
  const dagOut: NonNullable<NonNullable<ComponentSpecIr['dag']>['outputs']> = {};
  for (const [key, out] of outputs) {
    if (out.io.kind === 'artifact') (dagOut.artifacts ??= {})[key] = dagOutputIr(out);
    else (dagOut.parameters ??= {})[key] = dagOutputIr(out);
  }
  spec.dag!.outputs = dagOut;
}

