/**
 * Preloaded into each benchmarked server (`node --expose-gc --import dist/bench/probe.js …`): on
 * SIGUSR2 it collects garbage and prints the live heap and the memory outside it (Buffers), so
 * that "memory per tab" is what the connections keep alive, not whatever garbage the resident
 * set happened to hold (RSS went down as often as up across a connect phase).
 *
 * BENCH_HEAP_DIR=<dir> also writes a heap snapshot there at each report (to see WHAT a tab keeps
 * alive: compare the snapshot before the tabs connected with the one after). SIGTERM exits, so
 * that `--cpu-prof` writes its profile for servers that have no shutdown of their own.
 */
import v8 from 'node:v8';
import path from 'node:path';

let reports = 0;
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { heapUsed, external, rss } = process.memoryUsage();
  // Compiled code is counted in heapUsed but is not what a tab keeps alive: how much the JIT
  // compiled during a connect phase varies from run to run (about 7 KiB "per tab" in every server).
  const code = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'code_space')?.space_used_size ?? 0;
  const dir = process.env.BENCH_HEAP_DIR;
  if (dir) v8.writeHeapSnapshot(path.join(dir, `${process.pid}-${reports++}.heapsnapshot`));
  process.stdout.write(`bench-memory ${JSON.stringify({ heapUsed, external, rss, code })}\n`);
});
// Exits only when the server has no SIGTERM handler of its own (Arvo's shuts down cleanly).
process.on('SIGTERM', () => {
  if (process.listenerCount('SIGTERM') === 1) process.exit(0);
});
