/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/area.
 *   node bench/.build/bench/profile-top.js <file.cpuprofile> [topN]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export function area(url: string): string {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(src|libs\/[^/]+|bench)\//.exec(url.replace(/^.*\/bench\/\.build\//, '/'));
  return m ? `app:${m[1]}` : url;
}

/** Layers a request goes through; a sample is charged to the innermost frame that belongs to one. */
const LAYERS: [string, RegExp][] = [
  [
    'JWT verification (jsonwebtoken, jws, passport-jwt, jwks-rsa)',
    /node_modules\/(jsonwebtoken|jws|jwa|passport-jwt|passport|jwks-rsa)\/|libs\/auth\//,
  ],
  ['tool sandboxes (in-process stand-ins)', /libs\/sandbox\//],
  ['SQL client (MikroORM, knex, pg)', /node_modules\/(@mikro-orm\/[^/]+|knex|pg|pg-protocol|pg-pool|tarn)\//],
  [
    'vendor HTTP client (our transport and providers, cockatiel, proxy-agent)',
    /node_modules\/(cockatiel|proxy-agent|agent-base|proxy-from-env)\/|libs\/common\/src\/http\/|libs\/providers\//,
  ],
  [
    'validation (class-validator/-transformer, ajv)',
    /node_modules\/(class-validator|class-transformer|validator|ajv|ajv-formats)\//,
  ],
  [
    'logging (pino, pino-http)',
    /node_modules\/(pino|pino-http|@pinojs\/[^/]+|nestjs-pino|pino-std-serializers|sonic-boom|thread-stream)\//,
  ],
  ['rate limit (@nestjs/throttler)', /node_modules\/@nestjs\/throttler\//],
  ['app code (src, libs)', /\/(src|libs\/[^/]+\/src)\//],
  ['benchmark harness (bench/)', /\/bench\//],
  [
    'HTTP framework (Nest, express/fastify, router, body parsing, helmet, rxjs)',
    /node_modules\/(@nestjs\/[^/]+|express|router|body-parser|raw-body|helmet|rxjs|on-finished|finalhandler|send|content-type|type-is|qs|iconv-lite|fastify|@fastify\/[^/]+|find-my-way|avvio|light-my-request|fast-querystring|fast-json-stringify|toad-cache|fastify-plugin|process-warning|abstract-logging|rfdc|secure-json-parse)\//,
  ],
];

/** Node's native socket writes (StreamBase), charged apart from the layer that called them. */
const SOCKET_WRITES = /^write(v|Buffer|Utf8String|Latin1String|AsciiString|Ucs2String)$/;

function layerOf(stack: Node[]): string {
  // The profiler samples wall time: in a socket write that is mostly the loop off its vCPU while the peer the write
  // woke (PostgreSQL, the load, the tool) runs on it, not CPU of the layer above (BENCHMARKS.md, session 17).
  const leaf = stack[0]?.callFrame;
  if (leaf && !leaf.url && SOCKET_WRITES.test(leaf.functionName))
    return 'socket writes (writev & co.: mostly the loop off its vCPU while the peer it woke runs)';
  // Whatever the sandboxes call (their JWT checks, express) is theirs, not the app's.
  if (stack.some((n) => /libs\/sandbox\//.test(n.callFrame.url))) return 'tool sandboxes (in-process stand-ins)';
  for (const n of stack) {
    const url = n.callFrame.url;
    if (!url || url.startsWith('node:')) continue;
    for (const [name, re] of LAYERS) if (re.test(url)) return name;
  }
  // Only Node's own frames (an HTTP parser callback, a socket event) up to the root.
  if (stack.some((n) => n.callFrame.url.startsWith('node:'))) return 'Node http/net/streams (no library frame above)';
  if (leaf?.functionName === '(garbage collector)') return 'garbage collector';
  if (leaf?.functionName === '(idle)') return 'idle';
  return 'other native/V8';
}

/** A frame as `name  path:line`, the path from its package or the repository. */
export function shortFrame(f: { functionName: string; url: string; lineNumber: number }): string {
  const short = f.url
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/bench\/\.build\//, '')
    .replace(/^file:\/\//, '')
    .replace(`${process.cwd()}/`, '');
  return `${f.functionName || '(anonymous)'}  ${short}${f.url ? `:${f.lineNumber + 1}` : ''}`;
}

export function summarise(file: string, top = 25): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number): Node[] => {
    const out: Node[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) out.push(byId.get(x)!);
    return out;
  };
  const layers = new Map<string, number>();
  const fn = new Map<string, number>();
  const ar = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const key = shortFrame(f);
    fn.set(key, (fn.get(key) ?? 0) + t);
    const a = area(f.url);
    ar.set(a, (ar.get(a) ?? 0) + t);
    const l = layerOf(stackOf(id));
    layers.set(l, (layers.get(l) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
  const lines = [`total ${(total / 1e6).toFixed(1)} s sampled`, '', 'time by layer (innermost known frame):'];
  for (const [k, t] of [...layers].sort((a, b) => b[1] - a[1])) lines.push(`${pct(t)}  ${k}`);
  lines.push('', 'self time by package/area:');
  for (const [k, t] of [...ar].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(t)}  ${k}`);
  lines.push('', 'self time by function:');
  for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(t)}  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-top <file.cpuprofile> [topN]');
    process.exit(1);
  }
  console.log(summarise(file, n ? Number(n) : 25));
}
