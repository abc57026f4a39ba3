/**
 * One Jest run for unit specs (next to the code in libs/ and src/) and e2e suites (test/), all against the
 * real PostgreSQL of TEST_DATABASE_URL. ts-jest runs the Swagger CLI plugin so DTO metadata matches the build.
 */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
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
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  maxWorkers: 2,
  // it.concurrent suites (crash tests wait out leases side by side).
  maxConcurrency: 16,
  testTimeout: 30_000,
  slowTestThreshold: 10,
};
