/** Kubeflow Pipelines settings: flag, else DUCKML_KFP_* environment variable, else "kfp" in duckml.config.json. */
import { CliError, EXIT } from '../../cli/exit-codes';
import type { ProjectConfig } from '../../cli/project-config';

export interface KfpFlags {
  host?: string;
  namespace?: string;
  pipelineRoot?: string;
  serviceAccount?: string;
}

export interface KfpSettings {
  /** The KFP API's base URL, without a trailing slash (e.g. http://localhost:8080). */
  host: string;
  namespace?: string;
  pipelineRoot?: string;
  serviceAccount?: string;
  /** Sent as `Authorization: Bearer` (DUCKML_KFP_TOKEN): KFP behind an auth proxy or with multi-user auth. */
  token?: string;
}

export function resolveKfpSettings(flags: KfpFlags, cfg: ProjectConfig, env: NodeJS.ProcessEnv = process.env): KfpSettings {
  const host = flags.host ?? env.DUCKML_KFP_HOST ?? cfg.kfp.host;
  if (!host) throw new CliError('no Kubeflow Pipelines host: pass --host http://HOST:PORT, set DUCKML_KFP_HOST, or add "kfp": {"host": "..."} to duckml.config.json.', EXIT.usage);
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new CliError(`KFP host '${host}' is not a URL: expected e.g. http://localhost:8080 or https://kfp.example.com.`, EXIT.usage);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`KFP host '${host}' must be an http:// or https:// URL.`, EXIT.usage);
  const root = flags.pipelineRoot ?? env.DUCKML_KFP_PIPELINE_ROOT ?? cfg.kfp.pipelineRoot;
  return {
    host: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    namespace: flags.namespace ?? env.DUCKML_KFP_NAMESPACE ?? cfg.kfp.namespace,
    pipelineRoot: root,
    serviceAccount: flags.serviceAccount ?? env.DUCKML_KFP_SERVICE_ACCOUNT ?? cfg.kfp.serviceAccount,
    token: env.DUCKML_KFP_TOKEN || undefined,
  };
}
