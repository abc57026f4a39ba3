import type { EdulasticSandboxTest } from './options';

/** Fixed ids so demo data can reference them across restarts. */
export const DEFAULT_EDULASTIC_TESTS: readonly EdulasticSandboxTest[] = Object.freeze([
  { id: '65a1f0c2e4b0a1b2c3d4e501', title: 'Grade 4 Math Placement', questionCount: 10 },
  { id: '65a1f0c2e4b0a1b2c3d4e502', title: 'Grade 4 Math Unit Test', questionCount: 12 },
  { id: '65a1f0c2e4b0a1b2c3d4e503', title: 'Grade 5 Science Quiz', questionCount: 8 },
  { id: '65a1f0c2e4b0a1b2c3d4e504', title: 'Grade 4 Math Test-Out', questionCount: 15 },
  // The authoring examples' lessons (Math 3): a test of their own each, since a student has one open lesson per test.
  { id: '65a1f0c2e4b0a1b2c3d4e505', title: 'Grade 3 Math Placement', questionCount: 10 },
  { id: '65a1f0c2e4b0a1b2c3d4e506', title: 'Grade 3 Math Test-Out', questionCount: 12 },
]);
