import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandArgs } from '../args';
import { CliError, EXIT } from '../exit-codes';
import type { Command } from '../main';

const USAGE = `Usage: duckml serve [--model M] [--registry R] [--host H] [--port N] [--backend B] [--max-body-mb N]

Serves a trained model over HTTP as a Vertex AI custom serving container does (the component
image runs it when a registered model is deployed to an endpoint or used for batch prediction):
  GET  /health    200 and the model's description once it is loaded
  POST /predict   {"instances": [{column: value, …}, …]} → {"predictions": [{score, label, id?}, …]}
  --model M       a model folder (train's output), gs://… (downloaded first), or NAME@ALIAS /
                  NAME@VERSION from the registry (default $AIP_STORAGE_URI, which Vertex sets)
  --registry R    for NAME@ALIAS: 'local' (default), a duckml folder, or vertex://PROJECT/REGION
  --host H        default 0.0.0.0 in a container (AIP_HTTP_PORT set), else 127.0.0.1
  --port N        default $AIP_HTTP_PORT, else 8080; 0 picks a free port
  --backend B     auto (ONNX Runtime if installed, else tfjs), onnxruntime, wasm, cpu, …
  --max-body-mb N largest request accepted (default 10)
Routes follow $AIP_HEALTH_ROUTE and $AIP_PREDICT_ROUTE. SIGTERM or SIGINT stops it (exit 0).`;

const MODEL_REF = /^[A-Za-z0-9][A-Za-z0-9_.-]*@[A-Za-z0-9_.-]+$/;

/** A local folder holding the model, downloading it first when it lives in Cloud Storage. */
async function modelFolder(spec: string, registry: string | undefined, scratch: () => string, log: (l: string) => void): Promise<{ dir: string; name: string; threshold?: number }> {
  const fromGcs = async (uri: string): Promise<string> => {
    const { downloadPrefix, describeGcsError } = require('../../cloud/gcs/download') as typeof import('../../cloud/gcs/download');
    const dir = scratch();
    try {
      const got = await downloadPrefix(uri, dir, { log });
      log(`model: ${got.files} file(s), ${got.bytes.toLocaleString('en-US')} bytes from ${uri}`);
      return dir;
    } catch (e) {
      if (e instanceof CliError) throw e;
      const { message, reason } = describeGcsError(e, uri);
      throw new CliError(message, reason === 'auth' ? EXIT.auth : reason === 'not-found' ? EXIT.usage : EXIT.unavailable);
    }
  };
  if (spec.startsWith('gs://')) return { dir: await fromGcs(spec), name: spec };
  const local = spec.startsWith('file://') ? decodeURIComponent(spec.slice('file://'.length)) : spec;
  if (fs.existsSync(local)) return { dir: path.resolve(local), name: spec };
  if (MODEL_REF.test(spec)) {
    const { withRegistry } = require('../../registry/open') as typeof import('../../registry/open');
    const { parseModelRef } = require('../../registry/names') as typeof import('../../registry/names');
    const { RegistryError } = require('../../registry/types') as typeof import('../../registry/types');
    const { model, ref } = parseModelRef(spec);
    let v;
    try {
      v = await withRegistry(registry, (r) => r.resolve(model, ref ?? 'champion'));
    } catch (e) {
      if (e instanceof RegistryError) throw new CliError(e.message, EXIT.usage);
      throw e;
    }
    const name = `${model}@${v.version}`;
    const threshold = typeof v.metadata.threshold === 'number' ? v.metadata.threshold : undefined;
    if (v.uri.startsWith('gs://')) return { dir: await fromGcs(v.uri), name, threshold };
    const { uriToPath } = require('../../executor/uri') as typeof import('../../executor/uri');
    return { dir: path.isAbsolute(v.uri) ? v.uri : uriToPath(v.uri), name, threshold };
  }
  throw new CliError(`model '${spec}' is not a folder, a gs:// URI or NAME@ALIAS (e.g. scam-classifier@champion).`, EXIT.usage);
}

export const command: Command = {
  summary: 'serve a model over HTTP (the Vertex AI serving container contract)',
  usage: USAGE,
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      { model: { type: 'string' }, registry: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, backend: { type: 'string' }, 'max-body-mb': { type: 'string' } },
      USAGE,
    );
    if (args.positionals.length) throw new CliError(`unexpected arguments: ${args.positionals.join(' ')}\n\n${USAGE}`, EXIT.usage);
    const spec = args.values.model ?? process.env.AIP_STORAGE_URI;
    if (!spec) throw new CliError(`serve needs a model: --model PATH | gs://… | NAME@ALIAS, or AIP_STORAGE_URI.\n\n${USAGE}`, EXIT.usage);
    const { routesFromEnv, startServer } = require('../../serving/server') as typeof import('../../serving/server');
    const { Predictor } = require('../../serving/predictor') as typeof import('../../serving/predictor');
    const { checkScorerChoice } = require('../../components/batch-predict/scorer') as typeof import('../../components/batch-predict/scorer');
    let routes;
    let backend;
    try {
      routes = routesFromEnv();
      backend = checkScorerChoice(args.values.backend ?? 'auto');
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.usage);
    }
    const port = args.values.port !== undefined ? Number(args.values.port) : routes.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port '${args.values.port}' is not a port number (0–65535).`, EXIT.usage);
    const maxMb = args.values['max-body-mb'] !== undefined ? Number(args.values['max-body-mb']) : 10;
    if (!(maxMb > 0)) throw new CliError(`--max-body-mb '${args.values['max-body-mb']}' must be a positive number of MiB.`, EXIT.usage);
    const host = args.values.host ?? (process.env.AIP_HTTP_PORT ? '0.0.0.0' : '127.0.0.1');
    const log = (l: string) => process.stderr.write(`duckml serve: ${l}\n`);

    const scratchDirs: string[] = [];
    const cleanup = () => {
      for (const d of scratchDirs) fs.rmSync(d, { recursive: true, force: true });
    };
    try {
      const model = await modelFolder(spec, args.values.registry, () => {
        const d = fs.mkdtempSync(path.join(os.tmpdir(), 'duckml-serve-'));
        scratchDirs.push(d);
        return d;
      }, log);
      let predictor;
      try {
        predictor = await Predictor.load(model.dir, { model: model.name, threshold: model.threshold, scorer: backend });
      } catch (e) {
        throw new CliError(`could not load the model from ${model.dir}: ${(e as Error).message}`, EXIT.usage);
      }
      let server;
      try {
        server = await startServer(predictor, { host, port, healthRoute: routes.healthRoute, predictRoute: routes.predictRoute, maxBodyBytes: Math.floor(maxMb * 1024 * 1024), log });
      } catch (e) {
        throw new CliError(`could not listen on ${host}:${port}: ${(e as Error).message}`, EXIT.usage);
      }
      process.stdout.write(
        `duckml serve: ${predictor.info.model} (threshold ${predictor.info.threshold}, ${predictor.info.scorer}) on ${server.url} — POST ${routes.predictRoute}, GET ${routes.healthRoute}\n`,
      );
      // Vertex stops a replica with SIGTERM: finish the requests in flight, then exit 0.
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log(`${signal}: stopping`);
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          void server.close().then(resolve);
        };
        const onTerm = () => stop('SIGTERM');
        const onInt = () => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
      return EXIT.ok;
    } finally {
      cleanup();
    }
  },
};
