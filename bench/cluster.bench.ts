/**
 * `npm run bench:cluster`: one process (SQLite) against three processes on PostgreSQL, same load,
 * side by side in one run on this machine (issue 11):
 *   1. edit-to-seen latency p50/p99 — a writer adds a note every 20 ms; readers on the owner and
 *      (cluster) on a process that forwards to the owner record when each note arrives;
 *   2. failover — SIGKILL of the owner, until every client (through the survivors) has resynced
 *      and sees a new edit.
 * Writes docs/cluster-benchmark.md. Everything runs on the one machine (clients included), so the
 * numbers compare the set-ups; they are not absolute.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addNote } from '../shared/ops/notes';
import { LOCAL_ORIGIN } from '../shared/origins';
import { notesDocName } from '../shared/protocol/docNames';
import { readNotes } from '../shared/read/snapshot';
import { createWorkshop, join } from '../tests/helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../tests/helpers/clients';
import { startChildServer } from '../tests/helpers/childServer';
import { previewActors, startCluster } from '../tests/cluster/cluster';

const NOTES = Number(process.env.BENCH_NOTES ?? 300);
const EVERY_MS = 20;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Writes NOTES notes and returns, per reader, each note's write-to-seen time in ms. */
async function measure(writer: Peer, readers: Peer[]): Promise<number[][]> {
  const writtenAt = new Map<string, number>();
  const latencies = readers.map(() => [] as number[]);
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
    const text = `bench ${n}`;
    writtenAt.set(text, performance.now());
    addNote(writer.doc, { questionId: '3a', text, x: n % 400, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
  }
  for (const reader of readers) await waitFor(reader.doc, () => readNotes(reader.doc).notes.filter((note) => note.text.startsWith('bench ')).length >= NOTES, 'all notes', 60_000);
  return latencies;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const line = (label: string, values: number[]) => rows.push(`| ${label} | ${percentile(values, 50).toFixed(1)} | ${percentile(values, 99).toFixed(1)} | ${values.length} |`);

  // One process, SQLite.
  const single = await startChildServer({ startTimeoutMs: 60_000 });
  try {
    const created = await createWorkshop(single.url);
    const actors = await previewActors(single.url, created);
    const anna = await join(single.url, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const doc = notesDocName(created.id, anna.participantId);
    const writer = connect(single.wsUrl, doc, anna.token);
    const reader = connect(single.wsUrl, doc, created.facilitatorToken);
    await Promise.all([waitSynced(writer, 30_000), waitSynced(reader, 30_000)]);
    const [latency] = await measure(writer, [reader]);
    line('one process (SQLite)', latency!);
  } finally {
    destroyAll();
    await single.dispose();
  }

  // Three processes, PostgreSQL.
  const cluster = await startCluster(3, 'bench');
  let failoverMs = NaN;
  try {
    const [owner, second, third] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const created = await createWorkshop(owner.url);
    const actors = await previewActors(owner.url, created);
    const anna = await join(owner.url, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const doc = notesDocName(created.id, anna.participantId);
    const writer = connect(owner.wsUrl, doc, anna.token);
    const onOwner = connect(owner.wsUrl, doc, created.facilitatorToken);
    const viaOther = connect(second.wsUrl, doc, created.facilitatorToken);
    await Promise.all([writer, onOwner, viaOther].map((peer) => waitSynced(peer, 30_000)));
    const [ownerLatency, otherLatency] = await measure(writer, [onOwner, viaOther]);
    line('three processes (PostgreSQL): reader on the owner', ownerLatency!);
    line('three processes (PostgreSQL): reader through another process', otherLatency!);
    destroyAll();

    // Failover: clients on the survivors; the owner dies; until a new edit is seen everywhere.
    const w2 = connect(second.wsUrl, doc, anna.token);
    const r3 = connect(third.wsUrl, doc, created.facilitatorToken);
    await Promise.all([waitSynced(w2, 30_000), waitSynced(r3, 30_000)]);
    const killedAt = performance.now();
    await owner.kill('SIGKILL');
    addNote(w2.doc, { questionId: '3a', text: 'after the kill', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(r3.doc, () => readNotes(r3.doc).notes.some((note) => note.text === 'after the kill'), 'the edit after the kill', 60_000);
    await waitSynced(w2, 60_000);
    failoverMs = performance.now() - killedAt;
  } finally {
    destroyAll();
    await cluster.dispose();
  }

  const report = [
    '# Cluster benchmark',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)} at the end`,
    `(\`npm run bench:cluster\`; bench/cluster.bench.ts). Clients, servers and PostgreSQL share the machine.`,
    '',
    `Edit-to-seen latency, one writer adding a note every ${EVERY_MS} ms (${NOTES} notes), milliseconds:`,
    '',
    '| set-up | p50 | p99 | notes |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Failover (LEASE_TTL_MS 3000): SIGKILL of the owner until an edit made through one survivor is seen through the other: **${failoverMs.toFixed(0)} ms**.`,
    '',
  ].join('\n');
  process.stdout.write(`${report}\n`);
  fs.writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../docs/cluster-benchmark.md'), report);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cluster failed: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
