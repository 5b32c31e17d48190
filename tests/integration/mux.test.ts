import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { decodeMux, encodeMux, type MuxMessage } from '../../shared/protocol/mux';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, joinAs, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * The multiplexed endpoint: one socket, many documents, the same per-document permissions as
 * /ws/<doc>. Driven by hand so the test sees every frame.
 */
class MuxClient {
  readonly frames: MuxMessage[] = [];
  readonly docs = new Map<string, Y.Doc>();
  readonly closed: Promise<{ code: number; reason: string }>;
  private wake: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = decodeMux(new Uint8Array(data));
      this.frames.push(frame);
      if (frame.kind === 'doc') this.applyDocFrame(frame.docName, frame.payload);
      for (const w of this.wake.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string): Promise<MuxClient> {
    const ws = new WebSocket(url);
    const client = new MuxClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  openDoc(docName: string): Y.Doc {
    const doc = new Y.Doc();
    this.docs.set(docName, doc);
    this.ws.send(encodeMux({ kind: 'open', docName }));
    this.sendSync(docName, 0, Y.encodeStateVector(doc));
    return doc;
  }

  sendSync(docName: string, subtype: number, payload: Uint8Array): void {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, subtype);
    encoding.writeVarUint8Array(e, payload);
    this.ws.send(encodeMux({ kind: 'doc', docName, payload: encoding.toUint8Array(e) }));
  }

  /** A local edit sent as an update on that document's channel. */
  edit(docName: string, change: (doc: Y.Doc) => void): void {
    const doc = this.docs.get(docName)!;
    const before = Y.encodeStateVector(doc);
    change(doc);
    this.sendSync(docName, 2, Y.encodeStateAsUpdate(doc, before));
  }

  async waitFor(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  deniedOn(docName: string): string[] {
    return this.frames.flatMap((f) => {
      if (f.kind !== 'doc' || f.docName !== docName) return [];
      const d = decoding.createDecoder(f.payload);
      if (decoding.readVarUint(d) !== 2 || decoding.readVarUint(d) !== 0) return [];
      return [decoding.readVarString(d)];
    });
  }

  private applyDocFrame(docName: string, payload: Uint8Array): void {
    const doc = this.docs.get(docName);
    const d = decoding.createDecoder(payload);
    if (!doc || decoding.readVarUint(d) !== 0) return;
    const subtype = decoding.readVarUint(d);
    if (subtype === 1 || subtype === 2) Y.applyUpdate(doc, decoding.readVarUint8Array(d), 'server');
  }
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

async function setup() {
  const created = await createWorkshop(server.url);
  const [anna, ben] = (await joinAs(server.url, created, [['Anna', 0], ['Ben', 1]])) as [Joined, Joined];
  const muxUrl = (token: string) => `${server.url.replace('http', 'ws')}/mux?token=${encodeURIComponent(token)}`;
  return { created, anna, ben, muxUrl };
}

describe('the multiplexed endpoint /mux', () => {
  it('carries several documents on one socket and relays between them and stock providers', async () => {
    const { created, anna, ben, muxUrl } = await setup();
    const mux = await MuxClient.open(muxUrl(anna.token));
    const room = mux.openDoc(roomDocName(created.id));
    mux.openDoc(notesDocName(created.id, anna.participantId));
    const bens = mux.openDoc(notesDocName(created.id, ben.participantId));
    await mux.waitFor(() => readRoom(room).meta?.title === 'Test workshop', 'the room over mux');

    mux.edit(notesDocName(created.id, anna.participantId), (doc) => addNote(doc, { questionId: '3a', text: 'Via mux', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    const benReader = connect(server.wsUrl, notesDocName(created.id, anna.participantId), ben.token);
    await waitFor(benReader.doc, () => readNotes(benReader.doc).notes.some((n) => n.text === 'Via mux'), 'the mux note at a stock provider');

    const benWriter = connect(server.wsUrl, notesDocName(created.id, ben.participantId), ben.token);
    await waitSynced(benWriter);
    addNote(benWriter.doc, { questionId: '4a', text: 'From Ben', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await mux.waitFor(() => readNotes(bens).notes.some((n) => n.text === 'From Ben'), "Ben's note over mux");
  });

  it('applies per-document permissions: refuses another participant\'s drafts, denies writes, keeps the socket', async () => {
    const { created, anna, ben, muxUrl } = await setup();
    const mux = await MuxClient.open(muxUrl(anna.token));
    mux.openDoc(draftsDocName(created.id, ben.participantId));
    await mux.waitFor(() => mux.frames.some((f) => f.kind === 'refused'), 'a refusal');
    const refusal = mux.frames.find((f) => f.kind === 'refused');
    expect(refusal).toMatchObject({ kind: 'refused', docName: draftsDocName(created.id, ben.participantId), code: CloseCode.forbidden });

    const bensNotes = notesDocName(created.id, ben.participantId);
    mux.openDoc(bensNotes);
    mux.edit(bensNotes, (doc) => addNote(doc, { questionId: '3a', text: 'Forged', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    await mux.waitFor(() => mux.deniedOn(bensNotes).length > 0, 'permission denied on Ben\'s notes');
    expect(mux.deniedOn(bensNotes)[0]).toMatch(/^read-only/);

    // The socket is still usable for what Anna may do.
    const own = notesDocName(created.id, anna.participantId);
    mux.openDoc(own);
    mux.edit(own, (doc) => addNote(doc, { questionId: '3a', text: 'Allowed', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    const reader = connect(server.wsUrl, own, ben.token);
    await waitFor(reader.doc, () => readNotes(reader.doc).notes.some((n) => n.text === 'Allowed'), 'the allowed note');
    const bensCopy = connect(server.wsUrl, bensNotes, ben.token);
    await waitSynced(bensCopy);
    expect(readNotes(bensCopy.doc).notes.map((n) => n.text)).not.toContain('Forged');
  });

  it('refuses a bad token at upgrade and closes on a malformed frame', async () => {
    const { muxUrl, anna } = await setup();
    const bad = await MuxClient.open(muxUrl(`${anna.token}x`));
    expect((await bad.closed).code).toBe(CloseCode.unauthorized);
    const mux = await MuxClient.open(muxUrl(anna.token));
    mux.ws.send(new Uint8Array([9, 9, 9]));
    expect((await mux.closed).code).toBe(CloseCode.malformedMessage);
  });
});
