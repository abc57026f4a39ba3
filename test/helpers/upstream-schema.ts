import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

const SPEC_DIR = join(__dirname, '..', '..', 'spec', 'upstream');
let powerPath: Json | undefined;
let oneRoster: { spec: Json; ajv: Ajv2020 } | undefined;

function ajvFor(spec: Json): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // Register the spec's components so $refs like #/components/schemas/X resolve.
  ajv.addSchema({ ...spec, $id: 'spec' });
  return ajv;
}

const cache = new Map<string, ValidateFunction>();

/** The validator of an operation's response schema in the upstream PowerPath spec. */
export function powerPathResponseValidator(path: string, method: string, status = '200'): ValidateFunction {
  const key = `pp ${method} ${path} ${status}`;
  const hit = cache.get(key);
  if (hit) return hit;
  powerPath ??= JSON.parse(readFileSync(join(SPEC_DIR, 'powerpath-api.json'), 'utf8')) as Json;
  const ajv = ajvFor(powerPath);
  const pointer = ['paths', path, method, 'responses', status, 'content', 'application/json', 'schema']
    .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/');
  const validate = ajv.getSchema(`spec#/${pointer}`);
  if (!validate) throw new Error(`No schema at ${pointer}`);
  cache.set(key, validate);
  return validate;
}

/** Fails the test with the schema errors when the body does not match. */
export function expectMatchesSchema(validate: ValidateFunction, body: unknown): void {
  if (!validate(body)) {
    throw new Error(
      `Response violates the upstream schema:\n${JSON.stringify(validate.errors, null, 2)}\nBody: ${JSON.stringify(body)}`,
    );
  }
}

/** The upstream OneRoster spec (YAML, as published) and an ajv holding it as `spec`. */
export function oneRosterUpstream(): { spec: Json; ajv: Ajv2020 } {
  if (!oneRoster) {
    const spec = parseYaml(readFileSync(join(SPEC_DIR, 'oneroster-api.yaml'), 'utf8')) as Json;
    oneRoster = { spec, ajv: ajvFor(spec) };
  }
  return oneRoster;
}

/** The validator of an operation's response schema in the upstream OneRoster spec (YAML, as published). */
export function oneRosterResponseValidator(path: string, method: string, status: string): ValidateFunction {
  const key = `or ${method} ${path} ${status}`;
  const hit = cache.get(key);
  if (hit) return hit;
  oneRosterUpstream();
  const pointer = ['paths', path, method, 'responses', status, 'content', 'application/json', 'schema']
    .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/');
  const validate = oneRoster!.ajv.getSchema(`spec#/${pointer}`);
  if (!validate) throw new Error(`No OneRoster schema at ${pointer}`);
  cache.set(key, validate);
  return validate;
}
