import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { openSqliteStore } from '../../server/store/sqlite';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { removeDir, startTestServer, tempDir, type TestServer } from '../helpers/server';

/**
 * "A full disk loses nothing." The SQLite file is capped (SQLITE_MAX_PAGES) so that it really
 * fills up: the server must refuse what it cannot store (4503), never relay or serve an update
 * that did not reach the store, and — because the client keeps its edits — end up with all of
 * them once there is room again.
 */

/**
 * Found by experiment: a new workshop with two participants takes 10 pages of 4 KiB, and 14 pages
 * fill up after about 30 notes of 400 characters (12 → ~18 notes, 16 → ~46, 20 → ~60).
 */
const MAX_PAGES = 14;
const NOTE_TEXT = 400;

const servers: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  destroyAll();
  for (const s of servers.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(env: Record<string, string>, dataDir: string): Promise<TestServer> {
  const server = await startTestServer(env, dataDir);
  servers.push(server);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.close();
}

const noteTexts = (doc: Y.Doc) => readNotes(doc).notes.map((n) => n.text);

/** Resolves with 'relayed' once `reader` has the note, or 'closed' with the writer's close code. */
function relayedOrClosed(writer: Peer, reader: Peer, text: string): Promise<{ outcome: 'relayed' } | { outcome: 'closed'; code: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new Error(`neither relayed nor refused: ${text.slice(0, 12)}`))), 5000);
    const onUpdate = () => {
      if (noteTexts(reader.doc).includes(text)) finish(() => resolve({ outcome: 'relayed' }));
    };
    const onClose = (event: CloseEvent | null) => finish(() => resolve({ outcome: 'closed', code: event?.code ?? 0 }));
    function finish(settle: () => void) {
      clearTimeout(timer);
      reader.doc.off('update', onUpdate);
      writer.provider.off('connection-close', onClose);
      settle();
    }
    reader.doc.on('update', onUpdate);
    writer.provider.on('connection-close', onClose);
    onUpdate();
  });
}

/** True when `store` holds every struct `other` has (its state vector covers other's). */
function covers(store: Y.Doc, other: Y.Doc): boolean {
  const have = Y.decodeStateVector(Y.encodeStateVector(store));
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(other))) if ((have.get(client) ?? 0) < clock) return false;
  return true;
}

interface Stream {
  docName: string;
  writerToken: string;
  writer: Peer;
  reader: Peer;
  written: string[];
}

/** Reads one document straight from the SQLite file with the store adapter, no server involved. */
async function readStoredDoc(dataDir: string, docName: string): Promise<Y.Doc> {
  const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
  try {
    const { snapshot, updates } = await store.loadDoc(docName);
    const stored = new Y.Doc();
    if (snapshot) Y.applyUpdate(stored, snapshot.state);
    for (const u of updates) Y.applyUpdate(stored, u.update);
    return stored;
  } finally {
    await store.close();
  }
}

describe('the store fills up', () => {
  it('refuses with 4503, serves nothing unstored, and after a restart with room has every note the writers made', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const first = await start({ SQLITE_MAX_PAGES: String(MAX_PAGES) }, dataDir);
    const created = await createWorkshop(first.url);
    const facilitator = connect(first.wsUrl, roomDocName(created.id), created.facilitatorToken);
    await waitSynced(facilitator);
    const [municipality, association] = readRoom(facilitator.doc).actors;
    const anna = await join(first.url, created.id, created.participantJoinKey, 'Anna', municipality!.id);
    const ben = await join(first.url, created.id, created.participantJoinKey, 'Ben', association!.id);
    facilitator.provider.destroy();

    // Two documents written at once (their updates share the server's commit batches): Anna's
    // notes, read by Ben, and Ben's notes, read by the facilitator.
    const open = (docName: string, writerToken: string, readerToken: string): Stream => ({
      docName,
      writerToken,
      writer: connect(first.wsUrl, docName, writerToken),
      reader: connect(first.wsUrl, docName, readerToken),
      written: [],
    });
    const main = open(notesDocName(created.id, anna.participantId), anna.token, ben.token);
    const other = open(notesDocName(created.id, ben.participantId), ben.token, created.facilitatorToken);
    const streams = [main, other];
    await Promise.all(streams.flatMap((s) => [waitSynced(s.writer), waitSynced(s.reader)]));

    const write = (stream: Stream, text: string, questionId: string, x: number) => {
      addNote(stream.writer.doc, { questionId, text, x, y: 0 }, Date.now(), LOCAL_ORIGIN);
      stream.written.push(text);
    };

    // Write until the server refuses.
    let refusal: number | null = null;
    for (let i = 0; i < 300 && refusal === null; i++) {
      const text = `note ${i} `.padEnd(NOTE_TEXT, String.fromCharCode(97 + (i % 26)));
      write(other, `other ${text}`, '2a', i);
      write(main, text, '1a', i);
      const result = await relayedOrClosed(main.writer, main.reader, text);
      if (result.outcome === 'closed') refusal = result.code;
    }
    expect(refusal).toBe(CloseCode.storeUnavailable);
    // Some notes went through before the file was full (the cap is not refusing everything).
    expect(main.written.length).toBeGreaterThan(10);

    // The clients keep editing while the server cannot store (they reconnect and are refused).
    for (let i = 0; i < 2; i++) for (const stream of streams) write(stream, `offline ${i} `.padEnd(NOTE_TEXT, 'z'), '1b', i);

    // /healthz reports the full store (503) and the process goes on serving.
    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(503);
    expect((await fetch(`${first.url}/metrics`)).status).toBe(200);

    for (const stream of streams) {
      stream.writer.provider.destroy();
      stream.reader.provider.destroy();
    }
    await stop(first);

    // What the store holds now, straight from the file: no reader ever received anything beyond
    // it (every struct a reader has is in the store), and it lacks what the server refused.
    for (const stream of streams) {
      const stored = await readStoredDoc(dataDir, stream.docName);
      expect(covers(stored, stream.reader.doc), stream.docName).toBe(true);
      expect(noteTexts(stream.reader.doc).length, 'the reader saw the notes before the refusal').toBeGreaterThan(10);
      expect(noteTexts(stored).length).toBeLessThan(stream.written.length);
    }

    // Restart on the same data directory, now with room; the writers come back with the same
    // documents, and what they kept reaches the store.
    const second = await start({}, dataDir);
    for (const stream of streams) {
      const storeView = connect(second.wsUrl, stream.docName, created.facilitatorToken);
      connect(second.wsUrl, stream.docName, stream.writerToken, { doc: stream.writer.doc });
      await waitFor(storeView.doc, () => noteTexts(storeView.doc).length === stream.written.length, `every note of ${stream.docName}`);
    }
    destroyAll();
    await stop(second);

    for (const stream of streams) {
      const stored = await readStoredDoc(dataDir, stream.docName);
      expect(noteTexts(stored).sort()).toEqual([...stream.written].sort());
      expect(covers(stored, stream.writer.doc)).toBe(true);
    }
  });
});
