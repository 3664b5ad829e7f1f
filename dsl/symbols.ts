/**
 * Identity tags for duckml objects. `Symbol.for` (not `instanceof`) so that two copies of
 * duckml in one process (a user's project and a linked checkout, say) still recognise each
 * other's objects.
 */
export const KIND = Symbol.for('duckml.kind');

export type Kind =
  | 'param-spec'
  | 'artifact-spec'
  | 'component'
  | 'pipeline'
  | 'task'
  | 'channel'
  | 'condition'
  | 'template'
  | 'placeholder';

export function kindOf(value: unknown): Kind | undefined {
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    return (value as { [KIND]?: Kind })[KIND];
  }
  return undefined;
}

export function isKind<K extends Kind>(value: unknown, kind: K): boolean {
  return kindOf(value) === kind;
}

/** Phantom brand: carries a compile-time type on a runtime object without a runtime field. */
export declare const PHANTOM: unique symbol;
