/**
 * `npx tsx bench/relay/writePathMicro.ts [tree]`: the CPU one participant's note costs Arvo's
 * relay path without the network — a real DocRoom of a notes document with its write policy, the
 * content check, a real SQLite file behind the persist queue (one update per commit, as at the
 * standard load), and 19 reader sessions whose transport only counts frames. Beside it, what a bare
 * relay does with the same update (apply, frame, hand to 19 sessions). Numbers for
 * docs/relay-benchmark.md: CPU µs per update, cold (the first updates, mostly unoptimised code)
 * and warm (after thousands). `tree` runs another checkout's server code (e.g. /work/main) with
 * the same updates, for a before/after that the machine's load moves far less than `npm run bench`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { bundle } from './serverHarness';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TREE = path.resolve(process.argv[2] ?? HERE);
const READERS = 19;
const BLOCK = 250;
const UPDATES = Number(process.env.MICRO_UPDATES ?? 6000);
const W = 'Wbenchbenchbench';
const P = 'Pbenchbenchbench';

/**
 * The server modules of `TREE`, bundled as `npm run build` bundles the server (esbuild, no
 * `keepNames`: tsx would wrap every closure the relay makes in a `__name` call, a defineProperty
 * per closure that the real server never pays).
 */
async function loadTree() {
  const out = path.join(HERE, 'dist/bench', `micro-${TREE.replace(/[^A-Za-z0-9]+/g, '_')}`);
  fs.mkdirSync(out, { recursive: true });
  const modules = {
    docRoom: 'server/relay/docRoom.ts',
    session: 'server/relay/session.ts',
    persistQueue: 'server/relay/persistQueue.ts',
    sqlite: 'server/store/sqlite.ts',
    metrics: 'server/metrics.ts',
    log: 'server/log.ts',
    writeQuota: 'server/relay/writeQuota.ts',
    votePolicy: 'server/relay/votePolicy.ts',
    docNames: 'shared/protocol/docNames.ts',
  };
  // A tree from before the unused fan-out port was removed (2026-12-04) still needs one for its rooms.
  const withFanout = fs.existsSync(path.join(TREE, 'server/fanout/port.ts'));
  if (withFanout) Object.assign(modules, { fanout: 'server/fanout/port.ts' });
  const entry = path.join(out, 'entry.ts');
  fs.writeFileSync(entry, Object.entries(modules).map(([name, file]) => `export * as ${name} from ${JSON.stringify(path.join(TREE, file))};`).join('\n'));
  bundle(entry, path.join(out, 'entry.js'));
  return import(path.join(out, 'entry.js'));
}

async function main() {
  const m = await loadTree();
  const [{ DocRoom }, { DocSession }, { PersistQueue }, { openSqliteStore }, { createMetrics }, { createLogger }, { createWriteQuota }, { notesWritePolicy }, { docName }] = [
    m.docRoom,
    m.session,
    m.persistQueue,
    m.sqlite,
    m.metrics,
    m.log,
    m.writeQuota,
    m.votePolicy,
    m.docNames,
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arvo-micro-'));
  const store = openSqliteStore({ file: path.join(dir, 'arvo.sqlite'), synchronous: 'NORMAL' });
  const metrics = createMetrics();
  const log = createLogger('error', () => undefined);
  const deps = {
    store,
    persist: new PersistQueue(store, metrics, log),
    ...(m.fanout ? { fanout: m.fanout.createLocalFanout(), processId: 'micro' } : {}),
    metrics,
    log,
    quota: createWriteQuota(10_000_000),
    limits: { docWarnBytes: 1e9, docMaxBytes: 2e9, snapshotEvery: 1e9, awarenessIntervalMs: 1000, awarenessMaxStateBytes: 10_000 },
  };
  const roomRef = { kind: 'room', workshopId: W };
  const notesRef = { kind: 'notes', workshopId: W, participantId: P };
  const roomDoc = new DocRoom(docName(roomRef), roomRef, deps);
  const notes = new DocRoom(docName(notesRef), notesRef, deps);
  await Promise.all([roomDoc.ready, notes.ready]);
  notes.writePolicy = notesWritePolicy(roomDoc.doc, notes.doc);

  let delivered = 0;
  let wanted = 0;
  let onDelivered: () => void = () => undefined;
  const quiet = { send() {}, close() {} };
  const counting = {
    send() {
      if (++delivered === wanted) onDelivered();
    },
    close() {},
  };
  const claims = { workshopId: W, participantId: P, role: 'participant', actorId: 'Abenchbenchbench' };
  const writer = new DocSession(notes.name, claims, 'write', quiet);
  notes.attach(writer);
  writer.answeredStep1 = true;
  for (let i = 0; i < READERS; i++) notes.attach(new DocSession(notes.name, { ...claims, participantId: `Preader${String(i).padStart(9, '0')}` }, 'read', counting));

  // The updates a tab writes (bench/relay/loadTabs.ts): a new note each.
  const scratch = new Y.Doc();
  const updates: Uint8Array[] = [];
  scratch.on('update', (update: Uint8Array) => updates.push(update));
  for (let n = 1; n <= UPDATES; n++) addNote(scratch, { questionId: '3a', text: `note ${n} ${'x'.repeat(40)}`, x: n, y: n }, 1_700_000_000_000 + n, LOCAL_ORIGIN);

  // A bare relay's work for the same updates: apply, frame once, hand to every session.
  const bareDoc = new Y.Doc();
  const bareSessions = Array.from({ length: READERS }, () => counting);
  bareDoc.on('update', (update: Uint8Array) => {
    const frame = new Uint8Array(update.byteLength + 3);
    frame.set(update, 3);
    for (const session of bareSessions) session.send();
  });

  const blocks: { arvo: number; bare: number }[] = [];
  for (let from = 0; from < updates.length; from += BLOCK) {
    let started = process.cpuUsage();
    for (let i = from; i < from + BLOCK; i++) {
      wanted = delivered + READERS;
      const relayed = new Promise<void>((resolve) => (onDelivered = resolve));
      notes.handle(writer, { type: 'update', update: updates[i]! });
      await relayed;
    }
    let spent = process.cpuUsage(started);
    const arvo = (spent.user + spent.system) / BLOCK;
    started = process.cpuUsage();
    for (let i = from; i < from + BLOCK; i++) {
      wanted = delivered + READERS;
      const relayed = new Promise<void>((resolve) => (onDelivered = resolve));
      // A macrotask per update, as each arrives in its own socket read.
      await new Promise((resolve) => setImmediate(resolve));
      Y.applyUpdate(bareDoc, updates[i]!);
      await relayed;
    }
    spent = process.cpuUsage(started);
    blocks.push({ arvo, bare: (spent.user + spent.system) / BLOCK });
  }
  const show = (label: string, picked: { arvo: number; bare: number }[]) => {
    const arvo = picked.reduce((s, b) => s + b.arvo, 0) / picked.length;
    const bare = picked.reduce((s, b) => s + b.bare, 0) / picked.length;
    console.log(`| ${label} | ${arvo.toFixed(1)} | ${bare.toFixed(1)} | ${(arvo - bare).toFixed(1)} |`);
  };
  console.log(`\nwrite path of ${TREE}, CPU µs per update (${READERS} readers, no network):\n`);
  console.log('| updates | arvo | bare | arvo − bare |\n|---|---|---|---|');
  show(`first ${BLOCK}`, blocks.slice(0, 1));
  show(`${BLOCK}–${4 * BLOCK}`, blocks.slice(1, 4));
  show(`last ${4 * BLOCK} of ${UPDATES}`, blocks.slice(-4));
  await notes.close();
  await roomDoc.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
