/**
 * Artifact URIs to local paths, as the platforms mount them: Vertex and KFP mount buckets under
 * /gcs, /s3 and /minio (gs://b/x → /gcs/b/x). Local runs use plain absolute paths as URIs.
 */
import * as path from 'node:path';

/** Mount points by scheme; DUCKML_GCS_MOUNT etc. override them (e.g. a gcsfuse mount on a laptop). */
function mountFor(scheme: string): string {
  const env = process.env[`DUCKML_${scheme.toUpperCase()}_MOUNT`];
  return env && env !== '' ? env : `/${scheme}`;
}

const REMOTE = /^(gs|s3|minio):\/\/(.*)$/;

export function uriToPath(uri: string): string {
  const m = REMOTE.exec(uri);
  if (m) return path.posix.join(mountFor(m[1]!), m[2]!);
  if (uri.startsWith('file://')) return decodeURIComponent(uri.slice('file://'.length));
  if (path.isAbsolute(uri)) return uri;
  throw new Error(
    `artifact URI '${uri}' has no local path: expected gs://, s3://, minio://, file:// or an absolute path.`,
  );
}

/** The inverse, for paths under a known mount; other paths are their own URI (local runs). */
export function pathToUri(p: string): string {
  for (const scheme of ['gs', 's3', 'minio']) {
    const mount = mountFor(scheme);
    if (p === mount || p.startsWith(`${mount}/`)) return `${scheme}://${p.slice(mount.length + 1)}`;
  }
  return p;
}
