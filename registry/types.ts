/**
 * A model registry: named models with numbered versions, aliases that point at one version each
 * (such as `champion`), labels, metrics and the model files. Two back ends with the same
 * semantics: the local registry (embedded DuckDB + files) and Vertex AI Model Registry.
 */

export interface ModelVersion {
  /** The model's name (Vertex: its display name). */
  readonly model: string;
  /** '1', '2', … in upload order. */
  readonly version: string;
  readonly aliases: readonly string[];
  /** Where the model files are: a local folder, or the gs:// artifact URI on Vertex. */
  readonly uri: string;
  /** Local: `local:<model>@<version>`; Vertex: `projects/…/models/<id>@<version>`. */
  readonly resourceName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
  /** threshold, trainingData, source, description, servingImage … */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

export interface ModelSummary {
  readonly model: string;
  readonly versions: number;
  readonly latest: string;
  /** alias → version */
  readonly aliases: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

export interface PushRequest {
  readonly model: string;
  /** The model folder on this machine (local registry copies it). */
  readonly sourcePath: string;
  /** The model artifact's URI (Vertex registers it as the artifact URI). */
  readonly sourceUri: string;
  readonly aliases: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly description?: string;
  /** Vertex: the serving container image. */
  readonly servingImage?: string;
}

export interface AliasMove {
  readonly model: string;
  readonly alias: string;
  /** The version it pointed at before (undefined when new). */
  readonly from?: string;
  readonly to: string;
}

export interface ModelRegistry {
  readonly kind: 'local' | 'vertex';
  /** Where it is, for messages: a folder or projects/P/locations/L. */
  readonly location: string;
  push(req: PushRequest): Promise<ModelVersion>;
  /** A version by number or alias; `ref` defaults to the 'default' alias. Unknown → RegistryError. */
  resolve(model: string, ref?: string): Promise<ModelVersion>;
  listModels(): Promise<ModelSummary[]>;
  listVersions(model: string): Promise<ModelVersion[]>;
  /** Points `alias` at `version` (moving it from wherever it was). */
  promote(model: string, version: string, alias: string): Promise<AliasMove>;
  /** Points `alias` back at the version it pointed at before its last promotion. */
  rollback(model: string, alias: string): Promise<AliasMove>;
  close(): Promise<void>;
}

/** A request the registry refused (unknown model/version/alias, bad name): the message says why and what to do. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    message: string,
    /** The model, version or alias does not exist (as opposed to a malformed request). */
    readonly notFound = false,
  ) {
    super(message);
  }
}
