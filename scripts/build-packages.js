/**
 * Builds each workspace package in libs/ into its own dist/ (JavaScript + declarations), in dependency order,
 * with the same @nestjs/swagger CLI plugin as `nest build` so a host's OpenAPI document sees our DTOs as we do.
 * A package compiles what its tsconfig.package.json lists (its index.ts: the public surface); sibling packages
 * resolve through node_modules to their built declarations, exactly as they will in a host.
 *
 *   node scripts/build-packages.js            build all (to publish from libs/: until the builds are removed, the
 *                                             service's `nest build` links against them, not against libs/ sources)
 *   node scripts/build-packages.js --pack     build, `npm pack` each into .packs/, remove the builds
 */
const { execFileSync } = require('node:child_process');
const { mkdirSync, readFileSync, rmSync } = require('node:fs');
const { join, resolve } = require('node:path');
const ts = require('typescript');
const swaggerPlugin = require('@nestjs/swagger/plugin');

const ROOT = resolve(__dirname, '..');
const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const PACKS = join(ROOT, '.packs');

/** Workspaces ordered so each comes after the @external-tests packages it depends on. */
function buildOrder() {
  const pkgs = new Map(
    workspaces.map((dir) => {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
      return [
        pkg.name,
        { dir, deps: Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@external-tests/')) },
      ];
    }),
  );
  const order = [];
  const visit = (name, path = []) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`Dependency cycle: ${[...path, name].join(' → ')}`);
    for (const dep of pkgs.get(name).deps) visit(dep, [...path, name]);
    order.push(name);
  };
  for (const name of pkgs.keys()) visit(name);
  return order.map((name) => ({ name, dir: pkgs.get(name).dir }));
}

function build(dir) {
  const configPath = join(ROOT, dir, 'tsconfig.package.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, join(ROOT, dir), undefined, configPath);
  rmSync(parsed.options.outDir, { recursive: true, force: true });
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const before = [
    swaggerPlugin.before(
      { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
      program,
    ),
  ];
  const result = program.emit(undefined, undefined, undefined, false, { before });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
    throw new Error(`${dir} does not compile:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

const { builtinModules } = require('node:module');
/** What a published package may contain: its manifest, docs, and built JavaScript, declarations and JSON. */
const SHIPPED = /^package\/(package\.json|README\.md|CHANGELOG\.md|dist\/.+\.(js|d\.ts|json))$/;
const NEVER = /(\.spec\.|\/testing\/|\.map$|\.tsbuildinfo$|fixtures)/;

/**
 * The tarball holds only what SHIPPED allows, and every module its JavaScript requires is a Node built-in or
 * declared in dependencies / peerDependencies: a host installing it gets exactly what it needs.
 */
function checkPack(dir, tarball) {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  const stray = files.filter((f) => !SHIPPED.test(f) || NEVER.test(f));
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  const required = new Set();
  const typed = new Set();
  for (const f of files.filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
    const source = readFileSync(join(ROOT, dir, f.slice('package/'.length)), 'utf8');
    const specs = f.endsWith('.d.ts')
      ? [...source.matchAll(/(?:from |import\()"([^".][^"]*)"/g)]
      : [...source.matchAll(/require\("([^".][^"]*)"\)/g)];
    for (const [, spec] of specs) (f.endsWith('.d.ts') ? typed : required).add(packageOf(spec));
  }
  const builtin = (m) => builtinModules.includes(m.replace(/^node:/, ''));
  // A declaration's import needs the package itself (if it ships types) or its @types package declared.
  const typesOf = (m) => `@types/${m.startsWith('@') ? m.slice(1).replace('/', '__') : m}`;
  const undeclared = [
    ...[...required].filter((m) => !declared.has(m) && !builtin(m)),
    ...[...typed]
      .filter((m) => !declared.has(m) && !declared.has(typesOf(m)) && !builtin(m))
      .map((m) => `${m} (types)`),
  ];
  if (stray.length || undeclared.length) {
    throw new Error(
      `${pkg.name}: ${stray.length ? `ships ${stray.join(', ')}; ` : ''}${undeclared.length ? `requires undeclared ${undeclared.join(', ')}` : ''}`,
    );
  }
}

function main() {
  const pack = process.argv.includes('--pack');
  if (pack) {
    rmSync(PACKS, { recursive: true, force: true });
    mkdirSync(PACKS);
  }
  try {
    buildAll(pack);
  } finally {
    // Packed (or failed half-way), the builds go: left in libs/, they would be what the service's own `nest build`
    // (npm start) links against from then on: its path rewriting lets an installed package win over the sources, so
    // an edit to libs/ would not show until the next packages:build.
    if (pack) for (const { dir } of buildOrder()) rmSync(join(ROOT, dir, 'dist'), { recursive: true, force: true });
  }
}

function buildAll(pack) {
  for (const { name, dir } of buildOrder()) {
    build(dir);
    if (pack) {
      const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', PACKS], {
        cwd: join(ROOT, dir),
        encoding: 'utf8',
      }).trim();
      checkPack(dir, join(PACKS, tarball));
    }
    console.log(`built ${name}${pack ? ' (packed into .packs/)' : ''}`);
  }
}

main();
