#!/usr/bin/env node
// Extracts the OneRoster operations this service implements (and every component schema) from the upstream
// YAML into libs/oneroster/src/spec/oneroster-spec.extract.json, so the app validates bodies without parsing 800 KB of
// YAML at boot. Run after refreshing spec/upstream/oneroster-api.yaml; CI checks the output has no drift.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const YAML = require('yaml');

const root = join(__dirname, '..');
const spec = YAML.parse(readFileSync(join(root, 'spec/upstream/oneroster-api.yaml'), 'utf8'));
const BASES = [
  '/ims/oneroster/rostering/v1p2/users',
  '/ims/oneroster/rostering/v1p2/orgs',
  '/ims/oneroster/rostering/v1p2/courses',
  '/ims/oneroster/rostering/v1p2/classes',
  '/ims/oneroster/rostering/v1p2/enrollments',
  '/ims/oneroster/rostering/v1p2/courses/components',
  '/ims/oneroster/rostering/v1p2/courses/component-resources',
  '/ims/oneroster/resources/v1p2/resources',
  '/ims/oneroster/gradebook/v1p2/assessmentLineItems',
  '/ims/oneroster/gradebook/v1p2/assessmentResults',
];
const paths = {};
for (const base of BASES) {
  for (const p of [base, `${base}/`, `${base}/{sourcedId}`]) if (spec.paths[p]) paths[p] = spec.paths[p];
}
const out = {
  openapi: spec.openapi,
  info: { title: spec.info.title, version: spec.info.version },
  paths,
  components: { schemas: spec.components.schemas },
};
writeFileSync(join(root, 'libs/oneroster/src/spec/oneroster-spec.extract.json'), JSON.stringify(out) + '\n');
console.log(`Extracted ${Object.keys(paths).length} paths`);
