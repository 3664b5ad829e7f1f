import { KIND } from './symbols';
import type { ArtifactSpec } from './types';

/** An artifact type with helpers to derive list / optional / described variants. */
export interface ArtifactType<Title extends string = string, IsList extends boolean = false, R extends boolean = true>
  extends ArtifactSpec<Title, IsList, R> {
  /** A list of artifacts of this type (`isArtifactList`), e.g. the fan-in of a loop. */
  list(): ArtifactType<Title, true, R>;
  /** An input that callers may leave unconnected. */
  optional(): ArtifactType<Title, IsList, false>;
  describe(description: string): ArtifactType<Title, IsList, R>;
}

function build<Title extends string>(
  schemaTitle: Title,
  schemaVersion: string,
  isList: boolean,
  optional: boolean,
  description: string | undefined,
): ArtifactType<Title, boolean, boolean> {
  return Object.freeze({
    [KIND]: 'artifact-spec' as const,
    schemaTitle,
    schemaVersion,
    isList,
    isOptional: optional,
    required: !optional,
    description,
    list: () => build(schemaTitle, schemaVersion, true, optional, description),
    optional: () => build(schemaTitle, schemaVersion, isList, true, description),
    describe: (d: string) => build(schemaTitle, schemaVersion, isList, optional, d),
  }) as never;
}

/**
 * Declares an artifact type. Use for your own kinds (`artifactType('acme.Embeddings', '0.0.1')`);
 * the built-in ones below follow KFP's `system.*` and Google's `google.*` registries.
 */
export function artifactType<const Title extends string>(schemaTitle: Title, schemaVersion = '0.0.1'): ArtifactType<Title> {
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/.test(schemaTitle)) {
    throw new Error(
      `artifactType('${schemaTitle}'): a schema title is a dotted name such as 'acme.Embeddings' (namespace.Type).`,
    );
  }
  if (!/^\d+\.\d+\.\d+$/.test(schemaVersion)) {
    throw new Error(`artifactType('${schemaTitle}', '${schemaVersion}'): the schema version must look like 0.0.1.`);
  }
  return build(schemaTitle, schemaVersion, false, false, undefined) as ArtifactType<Title>;
}

export const Artifact = artifactType('system.Artifact');
export const Dataset = artifactType('system.Dataset');
export const Model = artifactType('system.Model');
export const Metrics = artifactType('system.Metrics');
export const ClassificationMetrics = artifactType('system.ClassificationMetrics');
export const SlicedClassificationMetrics = artifactType('system.SlicedClassificationMetrics');
export const HTML = artifactType('system.HTML');
export const Markdown = artifactType('system.Markdown');

/** Google Cloud artifact types (google-cloud-pipeline-components' `google.*` schema titles). */
export const google = {
  VertexModel: artifactType('google.VertexModel'),
  VertexEndpoint: artifactType('google.VertexEndpoint'),
  VertexBatchPredictionJob: artifactType('google.VertexBatchPredictionJob'),
  VertexDataset: artifactType('google.VertexDataset'),
  BQMLModel: artifactType('google.BQMLModel'),
  BQTable: artifactType('google.BQTable'),
  UnmanagedContainerModel: artifactType('google.UnmanagedContainerModel'),
  ClassificationMetrics: artifactType('google.ClassificationMetrics'),
  RegressionMetrics: artifactType('google.RegressionMetrics'),
  ForecastingMetrics: artifactType('google.ForecastingMetrics'),
} as const;
