/**
 * Starts a worker thread on a TypeScript file. Worker threads start without the parent's module
 * hooks, so the bootstrap installs duckml's .ts loader (cli/register.js) before requiring the file.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

const REGISTER = path.resolve(__dirname, '../../cli/register.js');

export function startTsWorker(file: string, workerData: unknown): Worker {
  const code = `require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(path.resolve(file))});`;
  return new Worker(code, { eval: true, workerData });
}

/** Resolves with the worker's first message; rejects if it fails or exits first. */
export function firstMessage<T>(worker: Worker, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: T) => {
      cleanup();
      resolve(m);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new Error(`${what} failed to start: ${e.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`${what} exited (code ${code}) before it was ready.`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
