/** The spec cannot be drawn: the message says what is wrong, where, and how to fix it. */
export class GraphError extends Error {
  override name = 'GraphError';
}
