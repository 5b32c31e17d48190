/**
 * `npm run bench:cluster`: one process (SQLite) against three processes on PostgreSQL, same load,
 * side by side in one run on this machine (issue 11). Both set-ups run at the same time and the
 * measurements alternate between them (single, cluster, cluster, single):
 *   1. edit-to-seen latency p50/p99 — a writer adds a note every 20 ms; readers on the owner and
 *      (cluster) through a process that forwards to the owner record when each note arrives;
 *   2. updates per second — one workshop (10 writers) and 50 workshops (one writer each), every
 *      writer sending as fast as its socket takes it, until every reader has everything;
 *   3. PostgreSQL statements per update during (2), counted in each process by bench/pg-count.mjs
 *      (a wrapper around pg's query, loaded only here); Redis operations: none (no Redis);
 *   4. failover — SIGKILL of the owner while 200 readers and a writer are connected through the
 *      two survivors, until the lease is taken over and until every socket has resynced and seen
 *      an edit made after the kill.
 * Writes docs/cluster-benchmark.md. Everything runs on the one machine (clients included), so the
 * numbers compare the set-ups; they are not absolute.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { addNote } from '../shared/ops/notes';
import { LOCAL_ORIGIN } from '../shared/origins';
import { notesDocName } from '../shared/protocol/docNames';
import { readNotes } from '../shared/read/snapshot';
import { createWorkshop, join } from '../tests/helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../tests/helpers/clients';
import { startChildServer, type ChildServer } from '../tests/helpers/childServer';
import { previewActors, startCluster, three, type TestCluster } from '../tests/cluster/cluster';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NOTES = Number(process.env.BENCH_NOTES ?? 200);
const EVERY_MS = 20;
const READERS = Number(process.env.BENCH_READERS ?? 200);
const LEASE_TTL_MS = 5000;
/** No quota may shape the load: the benchmark measures the servers, not their limits. */
const UNLIMITED = {
  CREATE_PER_MINUTE: '100000',
  JOIN_RATE_PER_MIN: '100000',
  RATE_LIMIT_PER_SEC: '100000',
  RATE_LIMIT_BURST: '1000000',
  PARTICIPANT_BYTES_PER_MIN: '0',
  NODE_OPTIONS: `--import=${path.join(HERE, 'pg-count.mjs')}`,
};
process.setMaxListeners(READERS + 200);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Workshop {
  id: string;
  facilitatorToken: string;
  /** A participant's token and notes document name per writer. */
  writers: Array<{ token: string; doc: string }>;
}

/** A workshop with `writers` participants; its lease is taken on `ownerUrl` (the first workshop call). */
async function makeWorkshop(ownerUrl: string, writers: number): Promise<Workshop> {
  const created = await createWorkshop(ownerUrl);
  const actors = await previewActors(ownerUrl, created);
  const people = [];
  for (let i = 0; i < writers; i++) people.push(await join(ownerUrl, created.id, created.participantJoinKey, `W${i}`, actors[i % actors.length]));
  return { id: created.id, facilitatorToken: created.facilitatorToken, writers: people.map((p) => ({ token: p.token, doc: notesDocName(created.id, p.participantId) })) };
}

/** Writes NOTES notes and returns, per reader, each note's write-to-seen time in ms. */
async function latency(writer: Peer, readers: Peer[], tag: string): Promise<number[][]> {
  const writtenAt = new Map<string, number>();
  const latencies = readers.map(() => [] as number[]);
  const prefix = `lat ${tag} `;
  readers.forEach((reader, i) => {
    const known = new Set<string>();
    reader.doc.on('update', () => {
      const now = performance.now();
      for (const note of readNotes(reader.doc).notes) {
        if (known.has(note.text)) continue;
        known.add(note.text);
        const at = writtenAt.get(note.text);
        if (at !== undefined) latencies[i]!.push(now - at);
      }
    });
  });
  for (let n = 0; n < NOTES; n++) {
    const text = `${prefix}${n}`;
    writtenAt.set(text, performance.now());
    addNote(writer.doc, { questionId: '3a', text, x: n % 400, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await sleep(EVERY_MS);
  }
  for (const reader of readers) await waitFor(reader.doc, () => readNotes(reader.doc).notes.filter((note) => note.text.startsWith(prefix)).length >= NOTES, 'all notes', 60_000);
  return latencies;
}

/**
 * Every writer sends `perWriter` notes as fast as it can (yielding every 20 so its socket drains);
 * each has a reader on another process (cluster) or the same one. Updates per second until every
 * reader holds everything (compared by the writer's Yjs clock, which costs nothing to read).
 */
async function throughput(pairs: Array<{ writer: Peer; reader: Peer }>, perWriter: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    pairs.map(async ({ writer }) => {
      for (let n = 0; n < perWriter; n++) {
        addNote(writer.doc, { questionId: '3a', text: `t ${n}`, x: n % 400, y: 1 }, Date.now(), LOCAL_ORIGIN);
        if (n % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  await Promise.all(
    pairs.map(({ writer, reader }) => {
      const target = Y.getState(writer.doc.store, writer.doc.clientID);
      return waitFor(reader.doc, () => Y.getState(reader.doc.store, writer.doc.clientID) >= target, 'every update at its reader', 120_000);
    }),
  );
  return (pairs.length * perWriter) / ((performance.now() - started) / 1000);
}

/** Every process's statement counts so far (bench/pg-count.mjs answers SIGUSR2 with a log line). */
async function statementCounts(nodes: readonly ChildServer[]): Promise<Map<string, number>> {
  const total = new Map<string, number>();
  await Promise.all(
    nodes.map(async (node) => {
      const before = node.logs().length;
      process.kill(node.pid!, 'SIGUSR2');
      const entry = await node.waitForLog((e) => e.event === 'bench-pg-statements' && node.logs().indexOf(e) >= before, 'statement counts', 10_000);
      for (const [key, n] of Object.entries(entry.counts as Record<string, number>)) total.set(key, (total.get(key) ?? 0) + n);
    }),
  );
  return total;
}
function difference(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of after) if (n - (before.get(key) ?? 0) > 0) out.set(key, n - (before.get(key) ?? 0));
  return out;
}
const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

interface SetUp {
  name: string;
  /** The process a workshop's traffic goes to first (it takes the lease), and the others. */
  nodes: readonly ChildServer[];
}

async function main(): Promise<void> {
  const single = await startChildServer({ env: UNLIMITED, startTimeoutMs: 60_000 });
  // The production default lease (5 s), so that the failover figure is the one users get.
  const cluster: TestCluster = await startCluster({ size: 3, label: 'bench', env: UNLIMITED, leaseTtlMs: LEASE_TTL_MS });
  const out: string[] = [];
  try {
    const setups: Record<'single' | 'cluster', SetUp> = {
      single: { name: 'one process (SQLite)', nodes: [single] },
      cluster: { name: 'three processes (PostgreSQL)', nodes: cluster.nodes },
    };
    const order: Array<'single' | 'cluster'> = ['single', 'cluster', 'cluster', 'single'];

    // 1. Latency.
    const lat = { single: [] as number[], owner: [] as number[], other: [] as number[] };
    /** Statements while one writer adds a note every 20 ms (steady, unbatched load) on the cluster. */
    const steadyStatements = { total: 0, appends: 0, updates: 0 };
    for (const [round, which] of order.entries()) {
      const { nodes } = setups[which];
      const w = await makeWorkshop(nodes[0]!.url, 1);
      const writer = connect(nodes[0]!.wsUrl, w.writers[0]!.doc, w.writers[0]!.token);
      const onOwner = connect(nodes[0]!.wsUrl, w.writers[0]!.doc, w.facilitatorToken);
      const readers = [onOwner];
      if (which === 'cluster') readers.push(connect(nodes[1]!.wsUrl, w.writers[0]!.doc, w.facilitatorToken));
      await Promise.all([writer, ...readers].map((peer) => waitSynced(peer, 30_000)));
      const before = which === 'cluster' ? await statementCounts(nodes) : null;
      const [a, b] = await latency(writer, readers, String(round));
      if (before) {
        const counts = difference(await statementCounts(nodes), before);
        steadyStatements.total += sum(counts);
        steadyStatements.appends += sum(new Map([...counts].filter(([key]) => key.startsWith('WITH input'))));
        steadyStatements.updates += NOTES;
      }
      if (which === 'single') lat.single.push(...a!);
      else {
        lat.owner.push(...a!);
        lat.other.push(...b!);
      }
      destroyAll();
    }
    const p99 = { single: percentile(lat.single, 99), other: percentile(lat.other, 99) };
    out.push(
      `## Edit-to-seen latency`,
      '',
      `One writer adding a note every ${EVERY_MS} ms, ${NOTES} notes per round, two rounds per set-up (order: ${order.join(', ')}); milliseconds:`,
      '',
      '| set-up | p50 | p99 | notes |',
      '|---|---|---|---|',
      `| one process (SQLite) | ${percentile(lat.single, 50).toFixed(1)} | ${p99.single.toFixed(1)} | ${lat.single.length} |`,
      `| three processes: reader on the owner | ${percentile(lat.owner, 50).toFixed(1)} | ${percentile(lat.owner, 99).toFixed(1)} | ${lat.owner.length} |`,
      `| three processes: reader through another process | ${percentile(lat.other, 50).toFixed(1)} | ${p99.other.toFixed(1)} | ${lat.other.length} |`,
      '',
      `p99 through a non-owner / single-process p99: **${(p99.other / p99.single).toFixed(2)}×** (target ≤ 2×).`,
      '',
    );

    // 2 + 3. Updates per second, and statements per update on the cluster.
    const shapes = [
      { label: 'one workshop, 10 writers × 100 notes', workshops: 1, writers: 10, perWriter: 100 },
      { label: '50 workshops, 1 writer × 20 notes each', workshops: 50, writers: 1, perWriter: 20 },
    ];
    const rates: Record<string, { single: number[]; cluster: number[] }> = {};
    // Warm-up (JIT, connection pools, caches), not reported: without it the first run of each shape pays for it.
    for (const which of ['single', 'cluster'] as const) {
      const { nodes } = setups[which];
      const w = await makeWorkshop(nodes[0]!.url, 3);
      const pairs = w.writers.map((writer, i) => ({
        writer: connect(nodes[i % nodes.length]!.wsUrl, writer.doc, writer.token),
        reader: connect(nodes[(i + 1) % nodes.length]!.wsUrl, writer.doc, w.facilitatorToken),
      }));
      await Promise.all(pairs.flatMap(({ writer, reader }) => [waitSynced(writer, 60_000), waitSynced(reader, 60_000)]));
      await throughput(pairs, 100);
      destroyAll();
    }
    const statements: Record<string, { counts: Map<string, number>; updates: number; idle: number }> = {};
    for (const shape of shapes) {
      rates[shape.label] = { single: [], cluster: [] };
      for (const which of order) {
        const { nodes } = setups[which];
        const pairs: Array<{ writer: Peer; reader: Peer }> = [];
        for (let k = 0; k < shape.workshops; k++) {
          // Workshop k is owned by process k mod 3; writers on the owner, readers one process on.
          const owner = nodes[k % nodes.length]!;
          const w = await makeWorkshop(owner.url, shape.writers);
          w.writers.forEach((writer, i) => {
            const writerNode = nodes[(k + i) % nodes.length]!;
            const readerNode = nodes[(k + i + 1) % nodes.length]!;
            pairs.push({ writer: connect(writerNode.wsUrl, writer.doc, writer.token), reader: connect(readerNode.wsUrl, writer.doc, w.facilitatorToken) });
          });
        }
        await Promise.all(pairs.flatMap(({ writer, reader }) => [waitSynced(writer, 60_000), waitSynced(reader, 60_000)]));
        const measureStatements = which === 'cluster' && !statements[shape.label];
        // The idle baseline (lease renewals, health checks) over as long as the run will take, roughly.
        const idleStart = measureStatements ? await statementCounts(nodes) : null;
        if (idleStart) await sleep(2000);
        const before = measureStatements ? await statementCounts(nodes) : null;
        const t0 = performance.now();
        rates[shape.label]![which].push(await throughput(pairs, shape.perWriter));
        const elapsed = performance.now() - t0;
        if (before && idleStart) {
          const counts = difference(await statementCounts(nodes), before);
          const idle = (sum(difference(before, idleStart)) / 2000) * elapsed;
          statements[shape.label] = { counts, updates: pairs.length * shape.perWriter, idle };
        }
        destroyAll();
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    out.push(
      `## Updates per second`,
      '',
      'Every writer sends as fast as its socket takes it; a reader per writer (on another process in the cluster); until every reader has every update. Each update is committed (SQLite, or PostgreSQL with the lease fence) before it is relayed. Two runs per set-up, alternating:',
      '',
      '| load | one process (SQLite) | three processes (PostgreSQL) | three / one |',
      '|---|---|---|---|',
      ...shapes.map((shape) => {
        const r = rates[shape.label]!;
        return `| ${shape.label} | ${r.single.map((v) => v.toFixed(0)).join(', ')} | ${r.cluster.map((v) => v.toFixed(0)).join(', ')} | ${(mean(r.cluster) / mean(r.single)).toFixed(2)}× |`;
      }),
      '',
      `## PostgreSQL statements and Redis operations per update`,
      '',
      'Counted inside each of the three processes (bench/pg-count.mjs wraps pg\'s `query`; a multi-statement health check counts once). Under a burst, one tick carries many updates and one append statement commits them all; the idle rate (lease renewals, health checks) measured just before each burst is shown for comparison:',
      '',
      `- **steady writing** (the latency rounds above: one note every ${EVERY_MS} ms, each its own tick): ${steadyStatements.total} statements for ${steadyStatements.updates} updates = **${(steadyStatements.total / steadyStatements.updates).toFixed(2)} per update**, of which appends (one fenced transaction each: fence check, numbering and insert in one statement) ${(steadyStatements.appends / steadyStatements.updates).toFixed(2)} per update; the rest are lease renewals and health checks.`,
      ...shapes.flatMap((shape) => {
        const s = statements[shape.label];
        if (!s) return [];
        const total = sum(s.counts);
        const top = [...s.counts].sort((a, b) => b[1] - a[1]).slice(0, 6);
        return [
          `- **${shape.label}**: ${total} statements for ${s.updates} updates = **${(total / s.updates).toFixed(3)} per update** (about ${s.idle.toFixed(0)} of them would have run idle over the same time). Most frequent: ${top.map(([key, n]) => `\`${key}…\` ${n}`).join('; ')}.`,
        ];
      }),
      '- **Redis operations per update: 0** — Redis is not used (REDIS_URL is refused at start; docs/architecture.md).',
      '',
    );

    // 4. Failover with 200 sockets: a writer and READERS readers through the two survivors.
    const [owner, second, third] = three(cluster);
    const w = await makeWorkshop(owner.url, 1);
    const doc = w.writers[0]!.doc;
    const writer = connect(second.wsUrl, doc, w.writers[0]!.token);
    const readers: Peer[] = [];
    for (let i = 0; i < READERS; i++) readers.push(connect((i % 2 === 0 ? second : third).wsUrl, doc, w.facilitatorToken));
    await Promise.all([writer, ...readers].map((peer) => waitSynced(peer, 60_000)));
    addNote(writer.doc, { questionId: '3a', text: 'before the kill', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await Promise.all(readers.map((reader) => waitFor(reader.doc, () => readNotes(reader.doc).notes.length === 1, 'the first note', 60_000)));
    const resynced = readers.map(
      (peer) =>
        new Promise<number>((resolve) => {
          const onSync = (synced: boolean) => {
            if (!synced) return;
            peer.provider.off('sync', onSync);
            resolve(performance.now());
          };
          peer.provider.on('sync', onSync);
        }),
    );
    const killedAt = performance.now();
    await owner.kill('SIGKILL');
    addNote(writer.doc, { questionId: '3a', text: 'after the kill', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await cluster.waitForOwner(w.id, { epochAbove: 1, notOn: owner, timeoutMs: 60_000 });
    const takenMs = performance.now() - killedAt;
    const syncMs = (await Promise.all(resynced)).map((at) => at - killedAt);
    await Promise.all(readers.map((reader) => waitFor(reader.doc, () => readNotes(reader.doc).notes.some((note) => note.text === 'after the kill'), 'the edit after the kill', 60_000)));
    const allMs = performance.now() - killedAt;
    out.push(
      `## Failover`,
      '',
      `SIGKILL of the owner with ${READERS} readers and a writer connected through the two other processes (LEASE_TTL_MS ${LEASE_TTL_MS}; the writer edits right after the kill):`,
      '',
      `- lease taken over by a survivor: **${takenMs.toFixed(0)} ms** after the kill;`,
      `- the ${READERS} sockets synced again: first ${Math.min(...syncMs).toFixed(0)} ms, median ${percentile(syncMs, 50).toFixed(0)} ms, last **${Math.max(...syncMs).toFixed(0)} ms**;`,
      `- every reader has the edit made after the kill: **${allMs.toFixed(0)} ms** (target ≤ 10 s); 0 lost (every reader holds both notes).`,
      '',
    );
  } finally {
    destroyAll();
    await single.dispose();
    await cluster.dispose();
  }

  const report = [
    '# Cluster benchmark',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)} at the end`,
    `(\`npm run bench:cluster\`; bench/cluster.bench.ts). Clients, servers and PostgreSQL share the machine; both set-ups run at once and take turns.`,
    '',
    ...out,
  ].join('\n');
  process.stdout.write(`${report}\n`);
  fs.writeFileSync(path.join(HERE, '../docs/cluster-benchmark.md'), `${report}\n<!-- NOTES -->\n`);
}

main().then(
  // Explicitly: something the clients leave behind (a keep-alive socket, a timer) kept the
  // process alive after the report was written, and runs piled up.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:cluster failed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
