/**
 * Artifact URIs to local paths, as the platforms mount them: Vertex and KFP mount buckets under
 * /gcs, /s3 and /minio (gs://b/x → /gcs/b/x). Local runs use plain absolute paths as URIs.
 */
import * as path from 'node:path';

const MOUNTS: Record<string, [string, string]> = {
  gs: ['/gcs', 'DUCKML_GCS_MOUNT'],
  s3: ['/s3', 'DUCKML_S3_MOUNT'],
  minio: ['/minio', 'DUCKML_MINIO_MOUNT'],
};

/** Mount point of a scheme; DUCKML_GCS_MOUNT etc. override it (e.g. a gcsfuse mount on a laptop). */
function mountFor(scheme: string): string {
  const [dflt, env] = MOUNTS[scheme]!;
  const v = process.env[env];
  return v && v !== '' ? v : dflt;
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
