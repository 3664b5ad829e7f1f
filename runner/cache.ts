/**
 * Execution caching, after KFP: a task whose component (image, command, args, interface) and
 * input values match an earlier successful execution reuses that execution's outputs instead of
 * running. A task's `cachingOptions.cacheKey` replaces the automatic inputs, as in KFP.
 * For TypeScript components the code is part of the key — the module, the project files it loads
 * and the versions of the packages they import (module-closure.ts) — so editing a component's code
 * locally invalidates its cache entries (the image tag would on a platform).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sortKeysDeep } from '../compiler/emit';
import type { ComponentSpecIr, ContainerIr } from '../compiler/ir';
import type { IoValues } from './model';

export interface CacheKeyInput {
  readonly componentName: string;
  readonly component: ComponentSpecIr;
  readonly container: ContainerIr;
  readonly inputs: IoValues;
  readonly customKey?: string;
  /** Hash of the TypeScript module behind a `duckml execute` command and what it loads, if any. */
  readonly moduleHash?: string;
}

export function cacheKey(k: CacheKeyInput): string {
  const doc = k.customKey
    ? { v: 1, component: k.componentName, cacheKey: k.customKey }
    : {
        v: 1,
        image: k.container.image,
        command: k.container.command ?? [],
        args: k.container.args ?? [],
        env: k.container.env ?? [],
        interface: { inputs: k.component.inputDefinitions ?? {}, outputs: k.component.outputDefinitions ?? {} },
        params: k.inputs.params,
        artifacts: Object.fromEntries(
          Object.entries(k.inputs.artifacts).map(([n, list]) => [n, list.map((a) => ({ uri: a.uri, type: a.schemaTitle, metadata: a.metadata }))]),
        ),
        module: k.moduleHash ?? null,
      };
  return crypto.createHash('sha256').update(JSON.stringify(sortKeysDeep(doc))).digest('hex');
}

export interface CacheEntry {
  readonly executionId: string;
  readonly outputs: IoValues;
}

/** Cache entries known to this run: the store's at start, plus what this run adds. */
export class CacheIndex {
  constructor(private readonly entries: Map<string, CacheEntry> = new Map()) {}

  /** An entry whose output artifacts still exist where they were written (else it is no hit). */
  lookup(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    for (const list of Object.values(e.outputs.artifacts)) {
      // Local artifacts must still be there; remote ones (gs://…) cannot be checked cheaply.
      for (const a of list) if (path.isAbsolute(a.uri) && !fs.existsSync(a.uri)) return undefined;
    }
    return e;
  }

  add(key: string, entry: CacheEntry): void {
    this.entries.set(key, entry);
  }
}
