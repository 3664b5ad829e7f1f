/** duckml's version, read once from package.json (used in sdkVersion and the default image tag). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = (require('./package.json') as { version: string }).version;
