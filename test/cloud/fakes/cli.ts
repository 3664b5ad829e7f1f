/** Runs `duckml <args>` in this process with a given environment, capturing what it prints. */
import { main } from '../../../cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line, parsed: the JSON result cloud commands end with. */
  json: Record<string, any>;
}

/** Settings from the developer's own shell must not leak into the tests. */
const CLEARED = /^(DUCKML_|AIRFLOW_CTX_|GOOGLE_CLOUD_|CLOUDSDK_|GOOGLE_APPLICATION_CREDENTIALS$)/;

export async function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<CliRun> {
  const saved = { ...process.env };
  const savedCwd = process.cwd();
  for (const k of Object.keys(process.env)) if (CLEARED.test(k)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    if (cwd) process.chdir(cwd);
    const code = await main(args);
    const last = stdout.trimEnd().split('\n').pop() ?? '';
    let json: Record<string, any> = {};
    try {
      json = JSON.parse(last);
    } catch {
      /* not every command ends with JSON */
    }
    return { code, stdout, stderr, json };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
