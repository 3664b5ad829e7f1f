/**
 * Vertex AI Model Registry through @google-cloud/aiplatform's ModelServiceClient (gRPC): a push is
 * an UploadModel (with `parentModel` when the model exists, so it becomes a new version), carrying
 * the artifact URI, the serving container, labels and version aliases; promote is
 * MergeVersionAliases. Vertex keeps no alias history, so each promotion records the version it
 * replaced in a label on the promoted version (`duckml-prev-<alias>`), which rollback follows.
 */
import { VERSION } from '../version';
import { clientOptions, type Connection } from '../cloud/vertex/client';
import { checkAlias, checkLabels, checkModelName, previousLabel } from './names';
import { RegistryError, type AliasMove, type ModelRegistry, type ModelSummary, type ModelVersion, type PushRequest } from './types';

/** A Model as the gRPC client decodes it. */
export interface RawModel {
  name?: string | null;
  versionId?: string | null;
  versionAliases?: string[] | null;
  displayName?: string | null;
  description?: string | null;
  versionDescription?: string | null;
  artifactUri?: string | null;
  labels?: Record<string, string> | null;
  versionCreateTime?: { seconds?: string | number | null } | null;
  versionUpdateTime?: { seconds?: string | number | null } | null;
  containerSpec?: { imageUri?: string | null } | null;
}

/** The slice of the generated ModelServiceClient used here. */
export interface ModelServiceApi {
  uploadModel(req: object, opts?: object): Promise<[{ promise(): Promise<[{ model?: string | null; modelVersionId?: string | null }, ...unknown[]]> }, ...unknown[]]>;
  getModel(req: { name: string }, opts?: object): Promise<[RawModel, ...unknown[]]>;
  listModels(req: object, opts?: object): Promise<[RawModel[], ...unknown[]]>;
  listModelVersions(req: object, opts?: object): Promise<[RawModel[], ...unknown[]]>;
  mergeVersionAliases(req: { name: string; versionAliases: string[] }, opts?: object): Promise<[RawModel, ...unknown[]]>;
  updateModel(req: object, opts?: object): Promise<[RawModel, ...unknown[]]>;
  close(): Promise<void>;
}

export function openModelService(conn: Connection): { api: ModelServiceApi; call: (timeoutMs?: number) => Record<string, unknown> } {
  const { options, callOptions } = clientOptions(conn);
  let mod: Record<string, unknown>;
  try {
    // The client's own module: the package index loads every Vertex service (~1 s).
    mod = require('@google-cloud/aiplatform/build/src/v1/model_service_client') as Record<string, unknown>;
  } catch {
    mod = (require('@google-cloud/aiplatform') as { v1: Record<string, unknown> }).v1;
  }
  const Client = mod.ModelServiceClient as new (o: Record<string, unknown>) => ModelServiceApi;
  return { api: new Client(options), call: callOptions };
}

/** The image `duckml compile` puts TypeScript components in; it also serves models. */
export const DEFAULT_SERVING_IMAGE = `duckml/duckml:${VERSION}`;

/**
 * The serving container Vertex starts for the model (endpoints, batch prediction): duckml's image
 * runs `duckml serve` (serving/server.ts), which loads the model from AIP_STORAGE_URI. Another
 * image keeps its own entrypoint, and must serve the same routes.
 */
export function servingContainer(image?: string) {
  const routes = { predictRoute: '/predict', healthRoute: '/health', ports: [{ containerPort: 8080 }] };
  return image ? { imageUri: image, ...routes } : { imageUri: DEFAULT_SERVING_IMAGE, command: ['duckml'], args: ['serve'], ...routes };
}
const DESCRIPTION_PREFIX = 'duckml:';

function grpcCode(e: unknown): number | undefined {
  return (e as { code?: number })?.code;
}

export class VertexRegistry implements ModelRegistry {
  readonly kind = 'vertex' as const;
  readonly location: string;
  private readonly api: ModelServiceApi;
  private readonly call: (timeoutMs?: number) => Record<string, unknown>;

  constructor(
    readonly project: string,
    readonly region: string,
    conn: Connection,
  ) {
    this.location = `projects/${project}/locations/${region}`;
    const { api, call } = openModelService(conn);
    this.api = api;
    this.call = call;
  }

  private async findModel(model: string): Promise<RawModel | undefined> {
    const [list] = await this.api.listModels({ parent: this.location, filter: `display_name="${model}"` }, this.call());
    const hits = (list ?? []).filter((m) => m.displayName === model);
    if (hits.length > 1) throw new RegistryError(`${hits.length} Vertex models are named '${model}' in ${this.location} (${hits.map((m) => m.name).join(', ')}); rename or delete the extras so versions go to one.`);
    return hits[0];
  }

  private async requireModel(model: string): Promise<RawModel> {
    checkModelName(model);
    const m = await this.findModel(model);
    if (!m?.name) throw new RegistryError(`model '${model}' is not in Vertex AI Model Registry (${this.location}). Train and push one first (the scam-classifier-train pipeline), or check --project/--region.`, true);
    return m;
  }

  /** The model at `name@ref`, or undefined when Vertex says NOT_FOUND. */
  private async getVersion(resource: string, ref: string): Promise<RawModel | undefined> {
    try {
      const [m] = await this.api.getModel({ name: `${resource}@${ref}` }, this.call());
      return m;
    } catch (e) {
      if (grpcCode(e) === 5) return undefined;
      throw e;
    }
  }

  private toVersion(model: string, m: RawModel): ModelVersion {
    const labels = { ...(m.labels ?? {}) };
    let doc: { metrics?: Record<string, number>; metadata?: Record<string, unknown> } = {};
    const d = m.versionDescription ?? '';
    if (d.startsWith(DESCRIPTION_PREFIX)) {
      try {
        doc = JSON.parse(d.slice(DESCRIPTION_PREFIX.length)) as typeof doc;
      } catch {
        /* a description edited by hand: no duckml facts */
      }
    }
    const secs = Number(m.versionCreateTime?.seconds ?? 0);
    return {
      model,
      version: String(m.versionId ?? ''),
      aliases: [...(m.versionAliases ?? [])].sort(),
      uri: m.artifactUri ?? '',
      resourceName: `${String(m.name).replace(/@.*$/, '')}@${m.versionId}`,
      labels,
      metrics: doc.metrics ?? {},
      metadata: { ...(doc.metadata ?? {}), ...(m.containerSpec?.imageUri ? { servingImage: m.containerSpec.imageUri } : {}) },
      createdAt: secs ? new Date(secs * 1000).toISOString() : '',
    };
  }

  async push(req: PushRequest): Promise<ModelVersion> {
    const model = checkModelName(req.model);
    const aliases = [...new Set(req.aliases.map(checkAlias))];
    const labels = checkLabels(req.labels);
    if (!/^gs:\/\/[^/]+\/.+/.test(req.sourceUri)) {
      throw new RegistryError(
        `Vertex AI Model Registry registers model files in Cloud Storage, but the model is at '${req.sourceUri}'. Run the pipeline on Vertex (duckml submit) so artifacts land in gs://, or push to the local registry.`,
      );
    }
    const existing = await this.findModel(model);
    // Record, per alias, the version it points at now: rollback follows these labels back.
    if (existing?.name) {
      for (const alias of aliases) {
        const cur = await this.getVersion(existing.name, alias);
        if (cur?.versionId) labels[previousLabel(alias)] = String(cur.versionId);
      }
    }
    const description = `${DESCRIPTION_PREFIX}${JSON.stringify({ metrics: req.metrics, metadata: req.metadata })}`;
    const [op] = await this.api.uploadModel(
      {
        parent: this.location,
        ...(existing?.name ? { parentModel: existing.name } : {}),
        model: {
          displayName: model,
          ...(req.description ? { description: req.description } : {}),
          versionDescription: description,
          artifactUri: req.sourceUri.replace(/\/?$/, '/'),
          containerSpec: servingContainer(req.servingImage),
          labels,
          versionAliases: aliases,
        },
      },
      this.call(),
    );
    const [res] = await op.promise();
    if (!res?.model) throw new RegistryError(`Vertex accepted the upload of '${model}' but returned no model name.`);
    const got = await this.getVersion(res.model, String(res.modelVersionId ?? 'default'));
    if (!got) throw new RegistryError(`Vertex uploaded '${model}' as ${res.model}@${res.modelVersionId} but cannot find it now.`);
    return this.toVersion(model, got);
  }

  async resolve(model: string, ref = 'default'): Promise<ModelVersion> {
    if (!/^\d+$/.test(ref)) checkAlias(ref);
    const m = await this.requireModel(model);
    const v = await this.getVersion(m.name!, ref);
    if (!v) {
      const versions = await this.listVersions(model);
      const known = versions.flatMap((x) => x.aliases.map((a) => `${a} → ${x.version}`));
      throw new RegistryError(
        /^\d+$/.test(ref)
          ? `model '${model}' has no version ${ref}; its versions are ${versions.map((x) => x.version).join(', ')} (${this.location}).`
          : `model '${model}' has no alias '${ref}'${known.length ? `; its aliases are ${known.join(', ')}` : ''} (${this.location}). Promote a version first: duckml models promote ${model} <version> --alias ${ref} --registry vertex://…`,
        true,
      );
    }
    return this.toVersion(model, v);
  }

  async listVersions(model: string): Promise<ModelVersion[]> {
    const m = await this.requireModel(model);
    const [list] = await this.api.listModelVersions({ name: m.name }, this.call());
    return (list ?? []).map((v) => this.toVersion(model, v)).sort((a, b) => Number(a.version) - Number(b.version));
  }

  async listModels(): Promise<ModelSummary[]> {
    const [list] = await this.api.listModels({ parent: this.location }, this.call());
    const out: ModelSummary[] = [];
    for (const m of list ?? []) {
      if (!m.displayName) continue;
      const versions = await this.listVersions(m.displayName).catch(() => []);
      out.push({
        model: m.displayName,
        versions: versions.length,
        latest: versions.length ? versions[versions.length - 1]!.version : String(m.versionId ?? ''),
        aliases: Object.fromEntries(versions.flatMap((v) => v.aliases.map((a) => [a, v.version]))),
        updatedAt: versions.map((v) => v.createdAt).sort().pop() ?? '',
      });
    }
    return out.sort((a, b) => a.model.localeCompare(b.model));
  }

  private async moveAlias(resource: string, alias: string, to: string, previous: string | undefined, target: RawModel): Promise<void> {
    // Vertex moves an alias that another version holds; record where it came from first.
    if (previous !== undefined) {
      const labels = { ...(target.labels ?? {}), [previousLabel(alias)]: previous };
      await this.api.updateModel({ model: { name: `${resource}@${to}`, labels }, updateMask: { paths: ['labels'] } }, this.call());
    }
    await this.api.mergeVersionAliases({ name: `${resource}@${to}`, versionAliases: [alias] }, this.call());
  }

  async promote(model: string, version: string, alias: string): Promise<AliasMove> {
    checkAlias(alias);
    if (!/^\d+$/.test(version)) throw new RegistryError(`version '${version}' is not a version number; promote takes a number such as 3.`);
    const m = await this.requireModel(model);
    const target = await this.getVersion(m.name!, version);
    if (!target) throw new RegistryError(`model '${model}' has no version ${version} (${this.location}).`);
    const cur = await this.getVersion(m.name!, alias);
    const from = cur?.versionId ? String(cur.versionId) : undefined;
    if (from === version) return { model, alias, from, to: version };
    await this.moveAlias(m.name!, alias, version, from, target);
    return { model, alias, from, to: version };
  }

  async rollback(model: string, alias: string): Promise<AliasMove> {
    checkAlias(alias);
    const m = await this.requireModel(model);
    const cur = await this.getVersion(m.name!, alias);
    if (!cur?.versionId) throw new RegistryError(`model '${model}' has no alias '${alias}' to roll back (${this.location}).`);
    const prev = cur.labels?.[previousLabel(alias)];
    if (!prev) throw new RegistryError(`alias '${alias}' of model '${model}' has no earlier version to roll back to (version ${cur.versionId} carries no ${previousLabel(alias)} label). Promote another version instead.`);
    await this.api.mergeVersionAliases({ name: `${m.name}@${prev}`, versionAliases: [alias] }, this.call());
    return { model, alias, from: String(cur.versionId), to: prev };
  }

  async close(): Promise<void> {
    await this.api.close();
  }
}
