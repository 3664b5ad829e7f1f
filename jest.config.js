/** Type checking happens once in `tsc --noEmit` (see package.json "test"); jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleNameMapper: { '^duckml$': '<rootDir>/index.ts', '^duckml/(.*)$': '<rootDir>/$1/index.ts' },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
