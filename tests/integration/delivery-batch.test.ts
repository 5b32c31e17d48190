import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { decodeMux, encodeMux } from '../../shared/protocol/mux';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitSynced } from '../helpers/clients';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * The relay holds each recipient's frames of one delivery batch for a single write
 * (server/relay/deliveryBatch.ts). Several updates sent back to back arrive in one read, are
 * committed in one batch and relayed together: every reader must still get every update, in
 * order, also while other readers leave in the middle of it.
 */
class Reader {
  /** The y-websocket updates (sync step 2 and updates) received for the document, in order. */
  readonly updates: Uint8Array[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, readonly docName: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => {
      const frame = decodeMux(new Uint8Array(data));
      if (frame.kind !== 'doc' || frame.docName !== docName) return;
      const d = decoding.createDecoder(frame.payload);
      if (decoding.readVarUint(d) !== 0) return;
      const subtype = decoding.readVarUint(d);
      if (subtype === 1 || subtype === 2) this.updates.push(decoding.readVarUint8Array(d));
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        this.ws.send(encodeMux({ kind: 'open', docName }));
        this.ws.send(encodeMux({ kind: 'doc', docName, payload: syncMessage(0, Y.encodeStateVector(new Y.Doc())) }));
        resolve();
      });
      this.ws.once('error', reject);
    });
  }

  /** The note texts, applying the updates one at a time in arrival order (a gap would park the rest). */
  textsInOrder(): string[][] {
    const doc = new Y.Doc();
    return this.updates.map((update) => {
      Y.applyUpdate(doc, update);
      return readNotes(doc).notes.map((note) => note.text).sort();
    });
  }
}

function syncMessage(subtype: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, subtype);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  destroyAll();
  await server.close();
  removeDir(server.dataDir);
});

describe('delivery batches', () => {
  it('updates sent back to back reach every reader complete and in order, while readers leave mid-batch', async () => {
    const created = await createWorkshop(server.url);
    const facilitator = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    await waitSynced(facilitator);
    const [a, b] = readRoom(facilitator.doc).actors;
    const anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', a!.id);
    const ben = await join(server.url, created.id, created.participantJoinKey, 'Ben', b!.id);
    const muxUrl = (token: string) => `${server.url.replace('http', 'ws')}/mux?token=${encodeURIComponent(token)}`;
    const annas = notesDocName(created.id, anna.participantId);

    const readers = Array.from({ length: 6 }, () => new Reader(muxUrl(ben.token), annas));
    await Promise.all(readers.map((reader) => reader.opened));
    // Each has its sync step 2 (and possibly the new document's first server write) before anything is written.
    await expect.poll(() => readers.every((reader) => reader.updates.length >= 1)).toBe(true);
    await expect.poll(() => readers.every((reader) => reader.textsInOrder().length > 0)).toBe(true);

    const writer = new Reader(muxUrl(anna.token), annas);
    await writer.opened;
    await expect.poll(() => writer.updates.length).toBe(1);
    const doc = new Y.Doc();
    const texts = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
    const frames = texts.map((text, i) => {
      const before = Y.encodeStateVector(doc);
      addNote(doc, { questionId: '3a', text, x: i, y: i }, Date.now(), LOCAL_ORIGIN);
      return encodeMux({ kind: 'doc', docName: annas, payload: syncMessage(2, Y.encodeStateAsUpdate(doc, before)) });
    });
    // Back to back: one read on the server, one commit, one relay batch. Two readers leave in the
    // middle of it: one closes its socket, one closes the document on its socket.
    for (const frame of frames) writer.ws.send(frame);
    readers[1]!.ws.close();
    readers[2]!.ws.send(encodeMux({ kind: 'close', docName: annas }));

    const staying = [readers[0]!, ...readers.slice(3)];
    const expected = texts.map((_, i) => texts.slice(0, i + 1).sort());
    for (const reader of staying) {
      await expect.poll(() => reader.textsInOrder().at(-1)?.length).toBe(texts.length);
      // Exactly one frame per note, each adding the next one: complete, in order, nothing twice.
      expect(reader.textsInOrder().filter((seen) => seen.length > 0)).toEqual(expected);
    }
    // The server is fine: a reader that comes now gets everything.
    const late = new Reader(muxUrl(ben.token), annas);
    await expect.poll(() => late.textsInOrder().at(-1)).toEqual([...texts].sort());
    for (const reader of [...readers, writer, late]) reader.ws.close();
  });
});
