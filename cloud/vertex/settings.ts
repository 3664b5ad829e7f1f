/**
 * Vertex settings for one command: each from its flag, else its DUCKML_* environment variable,
 * else duckml.config.json, else a default. Checked here, before anything is sent, so a typo is
 * an error naming the setting and where it came from.
 */
import { CliError, EXIT } from '../../cli/exit-codes';
import { parseKeyValues, type ProjectConfig } from '../../cli/project-config';

export interface VertexFlags {
  project?: string;
  region?: string;
  pipelineRoot?: string;
  serviceAccount?: string;
  network?: string;
  kmsKey?: string;
  labels?: string[];
  enableCaching?: boolean;
  failurePolicy?: string;
}

export interface VertexSettings {
  /** Undefined until credentials are resolved: then the project of the credentials is used. */
  project?: string;
  region: string;
  pipelineRoot?: string;
  serviceAccount?: string;
  network?: string;
  kmsKey?: string;
  labels: Record<string, string>;
  enableCaching?: boolean;
  failurePolicy?: 'fast' | 'slow';
  /** host[:port] instead of <region>-aiplatform.googleapis.com (private endpoints, emulators). */
  endpoint?: string;
}

export const DEFAULT_REGION = 'us-central1';

interface Picked {
  value: string;
  from: string;
}

function pick(flag: string | undefined, flagName: string, env: NodeJS.ProcessEnv, envNames: readonly string[], cfg: string | undefined, cfgName: string, cfgFile: string | undefined, lateEnv: readonly string[] = []): Picked | undefined {
  if (flag !== undefined) return { value: flag, from: flagName };
  for (const n of envNames) if (env[n]) return { value: env[n]!, from: `$${n}` };
  if (cfg !== undefined) return { value: cfg, from: `${cfgName} in ${cfgFile}` };
  for (const n of lateEnv) if (env[n]) return { value: env[n]!, from: `$${n}` };
  return undefined;
}

const RULES = {
  project: { re: /^[a-z0-9][-a-z0-9.:]{2,62}$/, want: 'a project id such as my-project-123' },
  region: { re: /^[a-z]+(-[a-z]+)+\d+$/, want: 'a region such as us-central1 or europe-west4' },
  pipelineRoot: { re: /^gs:\/\/[a-z0-9][-_.a-z0-9]*(\/.*)?$/, want: 'a Cloud Storage folder such as gs://my-bucket/pipeline-root' },
  serviceAccount: { re: /^[^@\s]+@[^@\s]+\.[a-z]+$/, want: 'a service account email such as runner@my-project.iam.gserviceaccount.com' },
  network: { re: /^projects\/[^/]+\/global\/networks\/[^/]+$/, want: 'projects/<project number>/global/networks/<network>' },
  kmsKey: { re: /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/, want: 'projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>' },
} as const;

function checked(name: keyof typeof RULES, p: Picked | undefined): string | undefined {
  if (!p) return undefined;
  const rule = RULES[name];
  if (!rule.re.test(p.value)) throw new CliError(`${name} '${p.value}' (from ${p.from}) is not valid: expected ${rule.want}.`, EXIT.usage);
  return p.value;
}

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export function checkLabels(labels: Record<string, string>): void {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) problems.push(`label key '${k}' must start with a lower-case letter and use only a-z, 0-9, '_' and '-' (63 characters at most).`);
    if (!LABEL_VALUE.test(v)) problems.push(`label '${k}' has value '${v}': values use only a-z, 0-9, '_' and '-' (63 characters at most).`);
  }
  if (Object.keys(labels).length > 64) problems.push(`${Object.keys(labels).length} labels given; Vertex takes 64 at most.`);
  if (problems.length) throw new CliError(problems.join('\n'), EXIT.usage);
}

export function resolveVertexSettings(flags: VertexFlags, cfg: ProjectConfig, env: NodeJS.ProcessEnv = process.env): VertexSettings {
  const v = cfg.vertex;
  const f = cfg.file;
  const project = checked('project', pick(flags.project, '--project', env, ['DUCKML_PROJECT'], v.project, 'vertex.project', f, ['GOOGLE_CLOUD_PROJECT', 'CLOUDSDK_CORE_PROJECT']));
  const region = checked('region', pick(flags.region, '--region', env, ['DUCKML_REGION'], v.region, 'vertex.region', f, ['GOOGLE_CLOUD_REGION', 'CLOUDSDK_COMPUTE_REGION'])) ?? DEFAULT_REGION;
  const labels = { ...(v.labels ?? {}), ...parseKeyValues(env.DUCKML_LABELS ? [env.DUCKML_LABELS] : [], '$DUCKML_LABELS'), ...parseKeyValues(flags.labels ?? [], '--labels') };
  checkLabels(labels);
  let failurePolicy: VertexSettings['failurePolicy'];
  const fp = pick(flags.failurePolicy, '--failure-policy', env, ['DUCKML_FAILURE_POLICY'], v.failurePolicy, 'vertex.failurePolicy', f);
  if (fp) {
    if (fp.value !== 'fast' && fp.value !== 'slow') throw new CliError(`failure policy '${fp.value}' (from ${fp.from}) must be 'fast' (stop scheduling at the first failed task) or 'slow' (run what can still run).`, EXIT.usage);
    failurePolicy = fp.value;
  }
  const endpoint = env.DUCKML_VERTEX_ENDPOINT || undefined;
  if (endpoint && !/^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/i.test(endpoint)) {
    throw new CliError(`$DUCKML_VERTEX_ENDPOINT '${endpoint}' must be host or host:port (e.g. us-central1-aiplatform.googleapis.com:443).`, EXIT.usage);
  }
  return {
    project,
    region,
    pipelineRoot: checked('pipelineRoot', pick(flags.pipelineRoot, '--pipeline-root', env, ['DUCKML_PIPELINE_ROOT'], v.pipelineRoot, 'vertex.pipelineRoot', f)),
    serviceAccount: checked('serviceAccount', pick(flags.serviceAccount, '--service-account', env, ['DUCKML_SERVICE_ACCOUNT'], v.serviceAccount, 'vertex.serviceAccount', f)),
    network: checked('network', pick(flags.network, '--network', env, ['DUCKML_NETWORK'], v.network, 'vertex.network', f)),
    kmsKey: checked('kmsKey', pick(flags.kmsKey, '--kms-key', env, ['DUCKML_KMS_KEY'], v.kmsKey, 'vertex.kmsKey', f)),
    labels,
    enableCaching: flags.enableCaching ?? v.enableCaching,
    failurePolicy,
    endpoint,
  };
}

/** Project is needed for every call; this is the message when neither flags, env, config nor credentials give one. */
export function requireProject(s: VertexSettings): string {
  if (s.project) return s.project;
  throw new CliError('no Google Cloud project: pass --project, set DUCKML_PROJECT, or add "vertex": {"project": "..."} to duckml.config.json.', EXIT.usage);
}
