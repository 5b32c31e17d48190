/**
 * `npm run bench`: relay latency and update-log throughput on this machine, as numbers and
 * ratios (never as pass/fail thresholds in the test suite).
 *   1. relay latency: a participant's note edit → seen by another participant (p50/p95/p99)
 *   2. append latency: one update committed to the SQLite log (WAL, synchronous NORMAL and FULL)
 *   3. batching: appends per second one-per-transaction vs. batched per tick
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { addNote, updateNote } from '../shared/ops/notes';
import { LOCAL_ORIGIN } from '../shared/origins';
import { notesDocName } from '../shared/protocol/docNames';
import { readNotes } from '../shared/read/snapshot';
import { openSqliteStore } from '../server/store/sqlite';
import { createWorkshop, join } from '../tests/helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../tests/helpers/clients';
import { startTestServer } from '../tests/helpers/server';

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function relayLatency(samples: number) {
  const server = await startTestServer({ ROOM_IDLE_MS: '5000' });
  try {
    const created = await createWorkshop(server.url, ['A', 'B']);
    const preview = await (await fetch(`${server.url}/api/workshops/${created.id}/preview?k=${created.participantJoinKey}`)).json();
    const writer = await join(server.url, created.id, created.participantJoinKey, 'Writer', preview.actors[0].id);
    const reader = await join(server.url, created.id, created.participantJoinKey, 'Reader', preview.actors[1].id);
    const doc = notesDocName(created.id, writer.participantId);
    const w = connect(server.wsUrl, doc, writer.token);
    const r = connect(server.wsUrl, doc, reader.token);
    await Promise.all([waitSynced(w), waitSynced(r)]);
    const id = addNote(w.doc, { questionId: '3a', text: 'start', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN).id;
    await waitFor(r.doc, () => readNotes(r.doc).notes.length === 1, 'first note');
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const text = `edit ${i}`;
      const started = performance.now();
      const seen = waitFor(r.doc, () => readNotes(r.doc).notes[0]?.text === text, 'edit');
      updateNote(w.doc, id, { text }, Date.now(), LOCAL_ORIGIN);
      await seen;
      times.push(performance.now() - started);
    }
    destroyAll();
    return times.sort((a, b) => a - b);
  } finally {
    await server.close();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
}

async function appendLatency(synchronous: 'NORMAL' | 'FULL', count: number, batch: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arvo-bench-'));
  const store = openSqliteStore({ file: path.join(dir, 'bench.sqlite'), synchronous });
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < count; i++) addNote(doc, { questionId: '3a', text: `note ${i}`, x: i, y: i }, Date.now(), LOCAL_ORIGIN);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < updates.length; i += batch) {
    const t0 = performance.now();
    await store.appendUpdates(updates.slice(i, i + batch).map((update) => ({ docName: 'bench', ts: Date.now(), participantId: null, update })));
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { perSecond: (updates.length / total) * 1000, commits: times.sort((a, b) => a - b) };
}

async function main() {
  console.log(`Arvo relay benchmark — ${os.cpus().length} cores, Node ${process.version}\n`);
  const relay = await relayLatency(300);
  console.log('Relay latency (edit by one participant → seen by another, through the server and its log):');
  console.log(`  p50 ${fmt(quantile(relay, 0.5))}   p95 ${fmt(quantile(relay, 0.95))}   p99 ${fmt(quantile(relay, 0.99))}   (n=${relay.length})\n`);
  for (const sync of ['NORMAL', 'FULL'] as const) {
    const single = await appendLatency(sync, 2000, 1);
    const batched = await appendLatency(sync, 2000, 50);
    console.log(`Update-log append, synchronous=${sync}:`);
    console.log(`  one update per commit: p50 ${fmt(quantile(single.commits, 0.5))}  p99 ${fmt(quantile(single.commits, 0.99))}  → ${single.perSecond.toFixed(0)} updates/s`);
    console.log(`  50 updates per commit: p50 ${fmt(quantile(batched.commits, 0.5))}  → ${batched.perSecond.toFixed(0)} updates/s  (×${(batched.perSecond / single.perSecond).toFixed(1)} from batching)\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
