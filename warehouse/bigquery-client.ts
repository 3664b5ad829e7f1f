/** BigQuery client settings shared by bigquery-extract and the table loads. */
import type { BigQueryOptions } from '@google-cloud/bigquery';

/**
 * Client options from the environment: DUCKML_BIGQUERY_ENDPOINT (another API endpoint, e.g. an
 * emulator) and DUCKML_ACCESS_TOKEN (a ready access token instead of Application Default
 * Credentials), as the rest of duckml's cloud code honours them.
 */
export function bigQueryClientFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<BigQueryOptions, 'projectId'> {
  const opts: Omit<BigQueryOptions, 'projectId'> = {};
  if (env.DUCKML_BIGQUERY_ENDPOINT?.trim()) opts.apiEndpoint = env.DUCKML_BIGQUERY_ENDPOINT.trim().replace(/\/+$/, '');
  const token = env.DUCKML_ACCESS_TOKEN?.trim();
  if (token) {
    const { OAuth2Client } = require('google-auth-library') as typeof import('google-auth-library');
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
    opts.authClient = auth;
  }
  return opts;
}
