// @ts-check
/**
 * Lint: typescript-eslint's type-checked rules, Prettier for layout (eslint-config-prettier turns off the rules
 * it owns), and the architecture's import arrows (ARCHITECTURE.md §2): each lib's package.json dependencies, read into ARROWS.
 */
import js from '@eslint/js';
import { readFileSync } from 'node:fs';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Which libs each lib may import (through its `@external-tests/<lib>` barrel): exactly the `@external-tests/*`
 * packages its package.json depends on, so the published dependency graph and the lint rule are one list.
 * Everything else is a lint error.
 */
const ARROWS = Object.fromEntries(
  JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).workspaces.map((dir) => {
    const pkg = JSON.parse(readFileSync(new URL(`./${dir}/package.json`, import.meta.url), 'utf8'));
    const deps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@external-tests/'));
    return [dir.replace(/^libs\//, ''), deps.map((d) => d.replace('@external-tests/', ''))];
  }),
);
const LIBS = Object.keys(ARROWS);

/** Barrels only: `@external-tests/<lib>/<file>` reaches past a lib's public surface. */
const deepImports = {
  group: ['@external-tests/*/**'],
  message: "Import the lib's barrel (@external-tests/<lib>), not a file inside it.",
};
/** A relative path into libs/ skips the alias and the arrows. */
const relativeLibImports = {
  group: ['**/libs/*/src', '**/libs/*/src/**'],
  message: 'Import a lib through its @external-tests/<lib> alias.',
};

const arrowRules = LIBS.map((lib) => ({
  files: [`libs/${lib}/src/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepImports,
          {
            group: LIBS.filter((other) => other !== lib && !ARROWS[lib].includes(other)).map(
              (other) => `@external-tests/${other}`,
            ),
            message: `libs/${lib} may import only ${ARROWS[lib].map((l) => `@external-tests/${l}`).join(', ') || 'no other lib'} (ARCHITECTURE.md §2).`,
          },
          {
            // Inside a lib, relative imports stay inside it; other libs go through their alias.
            group: LIBS.filter((other) => other !== lib).flatMap((other) => [`**/${other}/src`, `**/${other}/src/**`]),
            message: 'Import another lib through its @external-tests/<lib> alias.',
          },
          { group: ['@external-tests/sandbox'], message: 'Production code never imports the sandboxes.' },
        ].filter((p) => p.group.length > 0 && !(lib === 'sandbox' && p.group[0] === '@external-tests/sandbox')),
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'libs/*/dist/**',
      '.packs/**',
      // Its own project with its own node_modules (installed from the packed tarballs in CI): tsc checks it there.
      'examples/**',
      'bench/.build/**',
      'coverage/**',
      'node_modules/**',
      '.data/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Nest modules are classes with decorators and no members.
      '@typescript-eslint/no-extraneous-class': 'off',
      // `void promise` marks a deliberately detached task.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      'no-console': 'error',
    },
  },
  ...arrowRules,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImports, relativeLibImports] }] },
  },
  {
    // Tests and the demo (which walks the API like one) read response bodies: `any` by design, asserted on.
    files: ['test/**/*.ts', 'libs/**/*.spec.ts', 'libs/*/src/testing/**/*.ts', 'src/cli/demo.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // A body reaching a mapper passed the OneRoster JSON schema (ajv, spec/): the schema is its type.
    files: ['libs/oneroster/src/mappers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // Generated by the MikroORM CLI: `up`/`down` queue statements with addSql and must stay async.
    files: ['libs/persistence/src/migrations/Migration*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Command-line entry points, the benchmark and test summaries report to the terminal.
    files: ['src/cli/**/*.ts', 'libs/persistence/src/migrate-cli.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
