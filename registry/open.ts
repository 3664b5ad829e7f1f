/**
 * Opens a registry from a target string, the form pipelines and the CLI take:
 *   ''  or 'local'                 the project's local registry (.duckml, or $DUCKML_HOME)
 *   'local:/path' or a folder path a local registry kept in that duckml folder
 *   'vertex://PROJECT/REGION'      Vertex AI Model Registry (credentials: ADC or $DUCKML_ACCESS_TOKEN;
 *                                  $DUCKML_VERTEX_ENDPOINT overrides the endpoint, e.g. an emulator)
 * $DUCKML_REGISTRY supplies the target when none is given.
 */
import * as path from 'node:path';
import { LocalRegistry, defaultHome } from './local';
import { RegistryError, type ModelRegistry } from './types';

export type RegistryTarget = { readonly kind: 'local'; readonly home: string } | { readonly kind: 'vertex'; readonly project: string; readonly region: string };

const FORMS = "Use 'local' (the project's .duckml), a folder path, or 'vertex://PROJECT/REGION'.";

export function parseRegistryTarget(target: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RegistryTarget {
  const t = (target === undefined || target.trim() === '' ? env.DUCKML_REGISTRY ?? '' : target).trim();
  if (t === '' || t === 'local') return { kind: 'local', home: defaultHome(cwd) };
  if (t.startsWith('vertex://')) {
    const m = /^vertex:\/\/([a-z][-a-z0-9.:]{4,62})\/([a-z]+(?:-[a-z]+)+\d+)\/?$/.exec(t);
    if (!m) throw new RegistryError(`registry '${t}' is not valid: expected vertex://PROJECT/REGION, e.g. vertex://my-project/us-central1.`);
    return { kind: 'vertex', project: m[1]!, region: m[2]! };
  }
  if (t.startsWith('local:')) return { kind: 'local', home: path.resolve(cwd, t.slice('local:'.length)) };
  if (t.startsWith('file://')) return { kind: 'local', home: path.resolve(decodeURIComponent(t.slice('file://'.length))) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) throw new RegistryError(`registry '${t}' has an unknown scheme. ${FORMS}`);
  return { kind: 'local', home: path.resolve(cwd, t) };
}

export async function openRegistry(target: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ModelRegistry> {
  const t = parseRegistryTarget(target, env);
  if (t.kind === 'local') return new LocalRegistry(t.home);
  // Loaded only for Vertex (the client is heavy); require, as the executor's .ts hook serves require only.
  const { resolveCredentials } = require('../cloud/vertex/credentials') as typeof import('../cloud/vertex/credentials');
  const { VertexRegistry } = require('./vertex') as typeof import('./vertex');
  const credentials = await resolveCredentials(env);
  return new VertexRegistry(t.project, t.region, { region: t.region, endpoint: env.DUCKML_VERTEX_ENDPOINT || undefined, credentials });
}

/** Opens, runs `fn`, closes. */
export async function withRegistry<T>(target: string | undefined, fn: (r: ModelRegistry) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const r = await openRegistry(target, env);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}
