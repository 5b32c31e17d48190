import * as decoding from 'lib0/decoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { encodeMux } from '../../shared/protocol/mux';
import { notesDocName } from '../../shared/protocol/docNames';
import { readNotes } from '../../shared/read/snapshot';
import { createWorkshop, joinAs, type Joined } from '../helpers/api';
import { muxUrl, RawMux, syncFrame } from '../helpers/rawMux';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * The relay holds each recipient's frames of one delivery batch for a single write
 * (server/relay/deliveryBatch.ts). Several updates sent back to back arrive in one read, are
 * committed in one batch and relayed together: every reader must still get every update, in
 * order, also while other readers leave in the middle of it.
 */

/** The y-websocket updates (sync step 2 and updates) a socket received for the document, in order. */
function updatesOf(reader: RawMux, docName: string): Uint8Array[] {
  return reader.docFrames(docName).flatMap((payload) => {
    const d = decoding.createDecoder(payload);
    if (decoding.readVarUint(d) !== 0) return [];
    const subtype = decoding.readVarUint(d);
    return subtype === 1 || subtype === 2 ? [decoding.readVarUint8Array(d)] : [];
  });
}

/** The note texts, applying the updates one at a time in arrival order (a gap would park the rest). */
function textsInOrder(reader: RawMux, docName: string): string[][] {
  const doc = new Y.Doc();
  return updatesOf(reader, docName).map((update) => {
    Y.applyUpdate(doc, update);
    return readNotes(doc).notes.map((note) => note.text).sort();
  });
}

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
  removeDir(server.dataDir);
});

describe('delivery batches', () => {
  it('updates sent back to back reach every reader complete and in order, while readers leave mid-batch', async () => {
    const created = await createWorkshop(server.url);
    const [anna, ben] = (await joinAs(server.url, created, [['Anna', 0], ['Ben', 1]])) as [Joined, Joined];
    const annas = notesDocName(created.id, anna.participantId);
    /** A reader of Anna's notes on a mux socket of its own. */
    const reader = async (token: string) => {
      const raw = await RawMux.open(muxUrl(server, token));
      raw.openDoc(annas);
      return raw;
    };

    const readers = await Promise.all(Array.from({ length: 6 }, () => reader(ben.token)));
    // Each has its sync step 2 (and possibly the new document's first server write) before anything is written.
    await expect.poll(() => readers.every((r) => updatesOf(r, annas).length >= 1)).toBe(true);
    await expect.poll(() => readers.every((r) => textsInOrder(r, annas).length > 0)).toBe(true);

    const writer = await reader(anna.token);
    await expect.poll(() => updatesOf(writer, annas).length).toBe(1);
    const doc = new Y.Doc();
    const texts = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
    const frames = texts.map((text, i) => {
      const before = Y.encodeStateVector(doc);
      addNote(doc, { questionId: '3a', text, x: i, y: i }, Date.now(), LOCAL_ORIGIN);
      return encodeMux({ kind: 'doc', docName: annas, payload: syncFrame(2, Y.encodeStateAsUpdate(doc, before)) });
    });
    // Back to back: one read on the server, one commit, one relay batch. Two readers leave in the
    // middle of it: one closes its socket, one closes the document on its socket.
    for (const frame of frames) writer.ws.send(frame);
    readers[1]!.ws.close();
    readers[2]!.ws.send(encodeMux({ kind: 'close', docName: annas }));

    const staying = [readers[0]!, ...readers.slice(3)];
    const expected = texts.map((_, i) => texts.slice(0, i + 1).sort());
    for (const r of staying) {
      await expect.poll(() => textsInOrder(r, annas).at(-1)?.length).toBe(texts.length);
      // Exactly one frame per note, each adding the next one: complete, in order, nothing twice.
      expect(textsInOrder(r, annas).filter((seen) => seen.length > 0)).toEqual(expected);
    }
    // The server is fine: a reader that comes now gets everything.
    const late = await reader(ben.token);
    await expect.poll(() => textsInOrder(late, annas).at(-1)).toEqual([...texts].sort());
    for (const r of [...readers, writer, late]) r.ws.close();
  });
});
