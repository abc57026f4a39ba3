import type { EdulasticSandboxTest } from './options';

/** Fixed ids so demo data can reference them across restarts. */
export const DEFAULT_EDULASTIC_TESTS: readonly EdulasticSandboxTest[] = Object.freeze([
  { id: '65a1f0c2e4b0a1b2c3d4e501', title: 'Grade 4 Math Placement', questionCount: 10 },
  { id: '65a1f0c2e4b0a1b2c3d4e502', title: 'Grade 4 Math Unit Test', questionCount: 12 },
  { id: '65a1f0c2e4b0a1b2c3d4e503', title: 'Grade 5 Science Quiz', questionCount: 8 },
  { id: '65a1f0c2e4b0a1b2c3d4e504', title: 'Grade 4 Math Test-Out', questionCount: 15 },
]);
