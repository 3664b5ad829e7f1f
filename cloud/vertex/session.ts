/** Credentials, project and endpoint for Vertex calls, resolved once per command. */
import type { RetryOptions } from '../retry';
import type { Connection } from './client';
import { resolveCredentials } from './credentials';
import { requireProject, type VertexSettings } from './settings';
import { VertexJobs } from './jobs';

export interface VertexSession {
  project: string;
  region: string;
  connection: Connection;
  retry?: RetryOptions;
}

export interface SessionOptions {
  env?: NodeJS.ProcessEnv;
  requestTimeoutMs?: number;
  retry?: RetryOptions;
}

export async function openSession(settings: VertexSettings, opts: SessionOptions = {}): Promise<VertexSession> {
  const credentials = await resolveCredentials(opts.env);
  const project = requireProject({ ...settings, project: settings.project ?? (await credentials.projectId()) });
  return {
    project,
    region: settings.region,
    connection: { region: settings.region, endpoint: settings.endpoint, credentials, requestTimeoutMs: opts.requestTimeoutMs },
    retry: opts.retry,
  };
}

export function jobsFor(session: VertexSession): VertexJobs {
  return new VertexJobs({ project: session.project, region: session.region, connection: session.connection, retry: session.retry });
}
