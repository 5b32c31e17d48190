import { afterEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { addNote, updateNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { startChildServer, type ChildServer } from '../helpers/childServer';
import { connect, destroyAll, waitClose, waitFor, waitSynced } from '../helpers/clients';

/**
 * Durability across a crash: the server runs as a child process and is killed with SIGKILL — no
 * shutdown hook, no final commit, no snapshot. The promise under test (docRoom.ts): nothing
 * leaves the server before it is committed, so whatever any client has SEEN survives the crash.
 */

let server: ChildServer | null = null;
afterEach(async () => {
  destroyAll();
  await server?.dispose();
  server = null;
});

/** mulberry32: small, seedable, good enough to pick moments and operations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function workshopWithWriterAndReader(s: ChildServer) {
  const created = await createWorkshop(s.url);
  const facilitator = connect(s.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await waitSynced(facilitator);
  const [first, second] = readRoom(facilitator.doc).actors;
  facilitator.provider.destroy();
  const writer = await join(s.url, created.id, created.participantJoinKey, 'Writer', first!.id);
  const reader = await join(s.url, created.id, created.participantJoinKey, 'Reader', second!.id);
  return { created, writer, reader, docName: notesDocName(created.id, writer.participantId) };
}

const textsById = (doc: Y.Doc) => new Map(readNotes(doc).notes.map((n) => [n.id, n.text]));

describe('durability: SIGKILL the server process, restart on the same DATA_DIR', () => {
  it('a note another client has seen is there after a crash and restart', async () => {
    const s = (server = await startChildServer());
    const { writer, reader, docName } = await workshopWithWriterAndReader(s);

    const own = connect(s.wsUrl, docName, writer.token);
    const watching = connect(s.wsUrl, docName, reader.token);
    await Promise.all([waitSynced(own), waitSynced(watching)]);
    const note = addNote(own.doc, { questionId: '3a', text: 'Survives a crash', x: 12, y: 34 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(watching.doc, () => readNotes(watching.doc).notes.some((n) => n.id === note.id), 'the note at the reader');

    const exit = await s.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    destroyAll();
    await s.restart();

    const fresh = connect(s.wsUrl, docName, reader.token);
    await waitSynced(fresh);
    expect(readNotes(fresh.doc).notes).toEqual([expect.objectContaining({ id: note.id, questionId: '3a', text: 'Survives a crash', x: 12, y: 34 })]);
  });

  it('seeded kills mid-stream: whatever a reader saw survives, and the restored state is a prefix of the writer history', async () => {
    const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
    console.log('durability seed', seed);
    const random = prng(seed);
    const OPS = 300;
    const ROUNDS = 3;
    // Snapshots every 40 updates: kills also land around compaction, and loading uses snapshot + log.
    const s = (server = await startChildServer({ env: { SNAPSHOT_EVERY: '40' } }));
    const { writer, reader, docName } = await workshopWithWriterAndReader(s);

    /** Every write, in order: note id and the text it set (unique per write: `w<op>`). */
    const history: Array<{ id: string; text: string }> = [];
    const opOf = (text: string) => Number(text.slice(1));
    /** The writer's notes after op `p` (ops are applied in order by one writer). */
    const stateAfter = (p: number) => {
      const state = new Map<string, string>();
      for (const entry of history.slice(0, p + 1)) state.set(entry.id, entry.text);
      return state;
    };
    const rounds: Array<Record<string, number>> = [];

    for (let round = 0; round < ROUNDS; round++) {
      const killAt = history.length + 20 + Math.floor(random() * (OPS - 40));
      /** Flow control, not a timer: the writer runs at most `window` ops ahead of what the reader saw. */
      const window = 1 + Math.floor(random() * 24);

      const own = connect(s.wsUrl, docName, writer.token);
      const watching = connect(s.wsUrl, docName, reader.token);
      await Promise.all([waitSynced(own), waitSynced(watching)]);
      expect(textsById(own.doc)).toEqual(stateAfter(history.length - 1));

      // What the reader has seen: the newest text of every note, after every update it received.
      const seen = new Map<string, string>();
      let seenMaxOp = -1;
      watching.doc.on('update', () => {
        for (const [id, text] of textsById(watching.doc)) {
          seen.set(id, text);
          seenMaxOp = Math.max(seenMaxOp, opOf(text));
        }
      });
      const readerClosed = waitClose(watching, 10_000);

      const startOp = history.length;
      for (let op = startOp; op <= killAt; op++) {
        const existing = [...textsById(own.doc).keys()];
        const text = `w${op}`;
        if (existing.length === 0 || random() < 0.25) {
          const note = addNote(own.doc, { questionId: '3a', text, x: Math.floor(random() * 1000), y: Math.floor(random() * 1000) }, Date.now(), LOCAL_ORIGIN);
          history.push({ id: note.id, text });
        } else {
          const id = existing[Math.floor(random() * existing.length)]!;
          updateNote(own.doc, id, { text, x: Math.floor(random() * 1000) }, Date.now(), LOCAL_ORIGIN);
          history.push({ id, text });
        }
        if (op === killAt) break;
        if (op - window > seenMaxOp) {
          const target = op - window;
          await waitFor(watching.doc, () => seenMaxOp >= target, `reader to see op ${target}`, 10_000);
        }
      }
      const exit = await s.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      // Frames the server sent before dying still arrive; the reader's record is final at close.
      await readerClosed;
      destroyAll();
      await s.restart();

      const fresh = connect(s.wsUrl, docName, reader.token);
      await waitSynced(fresh);
      const restored = textsById(fresh.doc);
      const restoredMaxOp = Math.max(-1, ...[...restored.values()].map(opOf));
      const context = `seed ${seed}, round ${round}, killAt ${killAt}, window ${window}`;

      expect(seen.size, `the reader saw notes this round (${context})`).toBeGreaterThan(0);
      for (const [id, text] of seen) {
        const now = restored.get(id);
        expect(now, `note ${id} seen as ${text} is missing after restart (${context})`).toBeDefined();
        expect(opOf(now!), `note ${id} went back from ${text} to ${now} (${context})`).toBeGreaterThanOrEqual(opOf(text));
      }
      expect(restoredMaxOp, context).toBeGreaterThanOrEqual(seenMaxOp);
      expect(restoredMaxOp, context).toBeLessThanOrEqual(killAt);
      // No holes: the restored document is exactly the writer's document after some op.
      expect(restored, `restored state is not a prefix of the writer history (${context})`).toEqual(stateAfter(restoredMaxOp));
      expect(readNotes(fresh.doc).problems).toEqual([]);

      rounds.push({ round, killAt, window, written: killAt - startOp + 1, seenMaxOp, restoredMaxOp, lostUnseen: killAt - restoredMaxOp });
      // The next round continues from what survived, as a real writer would after reconnecting.
      history.length = restoredMaxOp + 1;
      destroyAll();
    }
    console.log('durability rounds', JSON.stringify(rounds));
    // Several child-process restarts: beside the browser suites on two cores this passes 30 s.
  }, 90_000);
});
