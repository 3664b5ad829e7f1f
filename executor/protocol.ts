/**
 * The container-side protocol of KFP v2 (ExecutorInput / ExecutorOutput in pipeline_spec.proto),
 * in the proto3 JSON form the Vertex and KFP launchers pass as `{{$}}` and read back.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface ArtifactTypeSchemaJson {
  schemaTitle?: string;
  schemaVersion?: string;
}

export interface RuntimeArtifactJson {
  name?: string;
  type?: ArtifactTypeSchemaJson;
  uri?: string;
  metadata?: Record<string, JsonValue>;
}

export interface ArtifactListJson {
  artifacts?: RuntimeArtifactJson[];
}

export interface ExecutorInputJson {
  inputs?: {
    parameterValues?: Record<string, JsonValue>;
    artifacts?: Record<string, ArtifactListJson>;
  };
  outputs?: {
    parameters?: Record<string, { outputFile: string }>;
    artifacts?: Record<string, ArtifactListJson>;
    /** Where the executor writes its ExecutorOutput JSON. */
    outputFile?: string;
  };
}

export interface ExecutorOutputJson {
  parameterValues?: Record<string, JsonValue>;
  artifacts?: Record<string, ArtifactListJson>;
}

/** Parses `{{$}}` and checks the shape, so a wrong value fails with a message instead of deep inside. */
export function parseExecutorInput(text: string): ExecutorInputJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`--executor-input is not JSON (${(e as Error).message}). The launcher passes the ExecutorInput as '{{$}}'.`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error('--executor-input must be a JSON object (an ExecutorInput with inputs and outputs).');
  }
  const ei = doc as ExecutorInputJson;
  const check = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`--executor-input: ${what}.`);
  };
  const isObj = (v: unknown) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));
  check(isObj(ei.inputs), "'inputs' must be an object");
  check(isObj(ei.outputs), "'outputs' must be an object");
  check(isObj(ei.inputs?.parameterValues), "'inputs.parameterValues' must be an object");
  check(isObj(ei.inputs?.artifacts), "'inputs.artifacts' must be an object");
  check(isObj(ei.outputs?.parameters), "'outputs.parameters' must be an object");
  check(isObj(ei.outputs?.artifacts), "'outputs.artifacts' must be an object");
  for (const [k, p] of Object.entries(ei.outputs?.parameters ?? {})) {
    check(typeof p?.outputFile === 'string' && p.outputFile !== '', `output parameter '${k}' needs an outputFile`);
  }
  for (const [where, map] of [['inputs', ei.inputs?.artifacts], ['outputs', ei.outputs?.artifacts]] as const) {
    for (const [k, list] of Object.entries(map ?? {})) {
      check(Array.isArray(list?.artifacts), `${where}.artifacts['${k}'].artifacts must be a list`);
      for (const a of list.artifacts!) check(typeof a?.uri === 'string', `${where}.artifacts['${k}'] has an artifact without a uri`);
    }
  }
  return ei;
}
