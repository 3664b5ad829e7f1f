/**
 * Google credentials, resolved before the first request: a missing `gcloud auth
 * application-default login` is then one clear message and exit code 7, not a stack trace from
 * deep inside the client. Application Default Credentials are used unless DUCKML_ACCESS_TOKEN
 * holds a ready token (e.g. `gcloud auth print-access-token`, or a CI step that minted one).
 */
import * as fs from 'node:fs';
import { CliError, EXIT } from '../../cli/exit-codes';

export const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

export interface Credentials {
  /** A google-auth-library GoogleAuth, handed to the service clients. */
  readonly auth: unknown;
  /** A token fetched up front: it proves the credentials work, and goes on plain-text (emulator) channels. */
  readonly token: string;
  readonly source: 'application-default' | 'DUCKML_ACCESS_TOKEN';
  /** The project the credentials belong to, when no project was configured (best effort). */
  projectId(): Promise<string | undefined>;
}

const LOGIN_HINT =
  'On a workstation run `gcloud auth application-default login`. In CI, authenticate a service account first (e.g. google-github-actions/auth, which sets GOOGLE_APPLICATION_CREDENTIALS), or set DUCKML_ACCESS_TOKEN to an access token.';

export async function resolveCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const gax = require('google-gax') as typeof import('google-gax');
  const staticToken = env.DUCKML_ACCESS_TOKEN?.trim();
  if (staticToken) {
    const client = new gax.googleAuthLibrary.OAuth2Client();
    client.setCredentials({ access_token: staticToken });
    const auth = new gax.GoogleAuth({ authClient: client, scopes: SCOPES });
    return { auth, token: staticToken, source: 'DUCKML_ACCESS_TOKEN', projectId: async () => undefined };
  }
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (keyFile && !fs.existsSync(keyFile)) {
    throw new CliError(`GOOGLE_APPLICATION_CREDENTIALS names ${keyFile}, which does not exist. Point it at a credentials file, or unset it. ${LOGIN_HINT}`, EXIT.auth);
  }
  const auth = new gax.GoogleAuth({ scopes: SCOPES });
  let token: string | null | undefined;
  try {
    token = await auth.getAccessToken();
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    if (/could not load the default credentials/i.test(msg)) {
      throw new CliError(`no Google Cloud credentials found (Application Default Credentials). ${LOGIN_HINT}`, EXIT.auth);
    }
    if (/GOOGLE_APPLICATION_CREDENTIALS/.test(msg)) {
      throw new CliError(`${msg.split('\n')[0]}\nFix or unset GOOGLE_APPLICATION_CREDENTIALS. ${LOGIN_HINT}`, EXIT.auth);
    }
    throw new CliError(`the Application Default Credentials could not get an access token: ${msg.split('\n')[0]}\nIf they came from gcloud, run \`gcloud auth application-default login\` again.`, EXIT.auth);
  }
  if (!token) throw new CliError(`the Application Default Credentials gave no access token. ${LOGIN_HINT}`, EXIT.auth);
  return {
    auth,
    token,
    source: 'application-default',
    projectId: async () => {
      try {
        return (await Promise.race([auth.getProjectId(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000).unref())])) ?? undefined;
      } catch {
        return undefined;
      }
    },
  };
}
