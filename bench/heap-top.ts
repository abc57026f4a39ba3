/**
 * Summarises a V8 sampling heap profile (`BENCH_PROFILE=heap`): bytes allocated by function and by package/area,
 * collected objects included, so it shows what a request allocates (what the collector then has to clear), not what
 * stays alive.
 *   node bench/.build/bench/heap-top.js <file.heapprofile> [topN] [requests]
 */
import { readFileSync } from 'node:fs';
import { area, shortFrame } from './profile-top';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

export function summariseHeap(file: string, top = 25, requests?: number): string {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const fn = new Map<string, number>();
  const ar = new Map<string, number>();
  let total = 0;
  const visit = (n: HeapNode) => {
    if (n.selfSize > 0) {
      const key = shortFrame(n.callFrame);
      fn.set(key, (fn.get(key) ?? 0) + n.selfSize);
      const a = area(n.callFrame.url);
      ar.set(a, (ar.get(a) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) visit(c);
  };
  visit(head);
  const row = (bytes: number) =>
    `${((100 * bytes) / total).toFixed(1).padStart(5)} %` +
    (requests ? `  ${(bytes / requests / 1024).toFixed(1).padStart(6)} KiB/req` : '');
  const lines = [
    `total ${(total / 2 ** 20).toFixed(0)} MiB allocated (sampled)` +
      (requests ? `, ${(total / requests / 1024).toFixed(1)} KiB per request` : ''),
    '',
    'allocated by package/area:',
  ];
  for (const [k, b] of [...ar].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${row(b)}  ${k}`);
  lines.push('', 'allocated by function:');
  for (const [k, b] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${row(b)}  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, n, requests] = process.argv.slice(2);
  if (!file) {
    console.error('usage: heap-top <file.heapprofile> [topN] [requests]');
    process.exit(1);
  }
  console.log(summariseHeap(file, n ? Number(n) : 25, requests ? Number(requests) : undefined));
}
