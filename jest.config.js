/**
 * Two tiers in one run: `unit` (pure specs next to the code in libs/ and src/, no database, seconds) and `e2e`
 * (test/: the full AppModule against the real PostgreSQL of TEST_DATABASE_URL, sandboxes or nock at the HTTP
 * boundary). `npm run test:unit` runs the first alone. ts-jest runs the Swagger CLI plugin so DTO metadata
 * matches the build.
 */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: 'tsconfig.json',
        diagnostics: false,
        astTransformers: { before: ['<rootDir>/test/helpers/swagger-plugin.js'] },
      },
    ],
  },
  slowTestThreshold: 10,
  // Built packages and the example host hold copies of the same package names (jest-haste-map collisions).
  modulePathIgnorePatterns: ['<rootDir>/libs/[^/]+/dist/', '<rootDir>/examples/', '<rootDir>/.packs/'],
};

module.exports = {
  maxWorkers: 2,
  // testTimeout is a global option (a project's own is ignored): e2e tests wait out leases and tool delays.
  testTimeout: 30_000,
  // it.concurrent suites (crash tests wait out leases side by side).
  maxConcurrency: 16,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
