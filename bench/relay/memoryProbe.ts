/**
 * Preloaded into each benchmarked server (`node --expose-gc --import dist/bench/probe.js …`): on
 * SIGUSR2 it collects garbage and prints the live heap and the memory outside it (Buffers), so
 * that "memory per tab" is what the connections keep alive, not whatever garbage the resident
 * set happened to hold (RSS went down as often as up across a connect phase).
 */
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { heapUsed, external, rss } = process.memoryUsage();
  process.stdout.write(`bench-memory ${JSON.stringify({ heapUsed, external, rss })}\n`);
});
