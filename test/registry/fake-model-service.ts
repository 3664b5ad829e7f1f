/**
 * A fake Vertex AI ModelService, served by test/cloud/fakes' FakeVertex (same gRPC server, call
 * recording, auth check and fault injection) from the protos shipped in @google-cloud/aiplatform,
 * so the production ModelServiceClient talks to it unchanged. Models keep versions with Vertex's
 * alias rules: an alias belongs to one version of a model and moves when given to another.
 */
import * as path from 'node:path';
import { FakeVertex, STATUS } from '../cloud/fakes/fake-vertex';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require('google-gax').grpc as typeof import('@grpc/grpc-js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protobuf = require('protobufjs') as typeof import('protobufjs');

const PROTOS = path.dirname(require.resolve('@google-cloud/aiplatform/build/protos/protos.json'));
const GAX_PROTOS = path.resolve(path.dirname(require.resolve('google-gax')), '..', 'protos');

let service: any;
function modelService(): any {
  service ??= (grpc.loadPackageDefinition(
    protoLoader.loadSync(['google/cloud/aiplatform/v1/model_service.proto'], { includeDirs: [PROTOS, GAX_PROTOS], keepCase: false, longs: String, enums: String, defaults: false, oneofs: false }),
  ) as any).google.cloud.aiplatform.v1.ModelService.service;
  return service;
}

let uploadResponse: import('protobufjs').Type | undefined;
function encodeUploadResponse(model: string, modelVersionId: string): Buffer {
  uploadResponse ??= protobuf.Root.fromJSON(require('@google-cloud/aiplatform/build/protos/protos.json')).lookupType('google.cloud.aiplatform.v1.UploadModelResponse');
  return Buffer.from(uploadResponse.encode({ model, modelVersionId }).finish());
}

const notFound = (what: string) => ({ code: STATUS.NOT_FOUND, details: `${what} not found.` });

export interface FakeModel {
  id: string;
  parent: string;
  displayName: string;
  versions: any[];
}

export class FakeModelService {
  readonly models = new Map<string, FakeModel>();
  private seq = 0;

  constructor(readonly vertex: FakeVertex) {
    vertex.addService(modelService(), {
      UploadModel: (req: any) => this.upload(req),
      GetModel: (req: any) => this.get(req.name),
      ListModels: (req: any) => ({
        models: [...this.models.values()].filter((m) => m.parent === req.parent && (!req.filter || req.filter === `display_name="${m.displayName}"`)).map((m) => this.defaultVersion(m)),
      }),
      ListModelVersions: (req: any) => ({ models: this.model(req.name).versions }),
      MergeVersionAliases: (req: any) => this.merge(req.name, req.versionAliases ?? []),
      UpdateModel: (req: any) => this.update(req),
    });
  }

  private model(name: string): FakeModel {
    const m = this.models.get(String(name).replace(/@.*$/, ''));
    if (!m) throw notFound(`Model ${name}`);
    return m;
  }

  private defaultVersion(m: FakeModel): any {
    return m.versions.find((v) => v.versionAliases.includes('default'));
  }

  private get(name: string): any {
    const m = this.model(name);
    const ref = /@(.+)$/.exec(name)?.[1] ?? 'default';
    const v = /^\d+$/.test(ref) ? m.versions.find((x) => x.versionId === ref) : m.versions.find((x) => x.versionAliases.includes(ref));
    if (!v) throw notFound(`Model ${name}`);
    return v;
  }

  private upload(req: any): any {
    let m: FakeModel;
    if (req.parentModel) {
      m = this.model(req.parentModel);
    } else {
      const id = String(1000 + ++this.seq);
      m = { id, parent: req.parent, displayName: req.model.displayName, versions: [] };
      this.models.set(`${req.parent}/models/${id}`, m);
    }
    const versionId = String(m.versions.length + 1);
    const name = `${m.parent}/models/${m.id}`;
    const v = {
      ...req.model,
      name,
      versionId,
      versionAliases: [] as string[],
      labels: { ...(req.model.labels ?? {}) },
      versionCreateTime: { seconds: String(1_700_000_000 + this.seq * 100 + m.versions.length), nanos: 0 },
    };
    m.versions.push(v);
    this.assign(m, v, [...(m.versions.length === 1 ? ['default'] : []), ...(req.model.versionAliases ?? [])]);
    return {
      name: `${name}/operations/${++this.seq}`,
      done: true,
      response: { typeUrl: 'type.googleapis.com/google.cloud.aiplatform.v1.UploadModelResponse', value: encodeUploadResponse(name, versionId) },
    };
  }

  /** Vertex's alias rule: one version per alias; giving it to another version moves it. */
  private assign(m: FakeModel, v: any, aliases: string[]): void {
    for (const a of aliases) {
      if (a.startsWith('-')) {
        v.versionAliases = v.versionAliases.filter((x: string) => x !== a.slice(1));
        continue;
      }
      for (const other of m.versions) other.versionAliases = other.versionAliases.filter((x: string) => x !== a);
      v.versionAliases.push(a);
    }
  }

  private merge(name: string, aliases: string[]): any {
    const m = this.model(name);
    const v = this.get(name);
    this.assign(m, v, aliases);
    return v;
  }

  private update(req: any): any {
    const v = this.get(req.model.name);
    for (const p of req.updateMask?.paths ?? []) {
      if (p !== 'labels') throw { code: STATUS.INVALID_ARGUMENT, details: `fake: cannot update ${p}` };
      v.labels = { ...(req.model.labels ?? {}) };
    }
    return v;
  }
}

/** A FakeVertex serving the fake ModelService, started. */
export async function startFakeModelRegistry(token?: string): Promise<{ vertex: FakeVertex; models: FakeModelService }> {
  const vertex = new FakeVertex();
  if (token) vertex.token = token;
  const models = new FakeModelService(vertex);
  await vertex.start();
  return { vertex, models };
}
