import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, updateNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { RawClient } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * A reconnecting client sends its sync step 1, and its live edits as they happen; it answers the
 * server's step 1 (with what it has that the server lacks: offline edits, or what a process that
 * died never committed) only when that step 1 arrives. An edit sent in between builds on that
 * answer. The server holds such an edit until the client's step 2 is applied instead of refusing
 * it as a missing dependency (which is what a failover showed: "clock gap … have 63, got 469").
 * What is still missing after the step 2 is refused as before.
 */
let server: TestServer;
let workshop: Created;
let anna: Joined;
let notes: string;

beforeAll(async () => {
  server = await startTestServer();
  workshop = await createWorkshop(server.url);
  const room = await RawClient.connect(server.wsUrl, roomDocName(workshop.id), workshop.facilitatorToken);
  await room.sync();
  const actor = readRoom(room.doc).actors[0]!.id;
  room.close();
  anna = await join(server.url, workshop.id, workshop.participantJoinKey, 'Anna', actor);
  notes = notesDocName(workshop.id, anna.participantId);
});

afterAll(async () => {
  await server?.close();
  if (server) removeDir(server.dataDir);
});

const denials = (client: RawClient) => client.received.filter((m) => m.type === 'permission-denied');
const texts = (doc: Y.Doc) => readNotes(doc).notes.map((n) => n.text).sort();

/** Anna's copy as the server has it, plus `offline` edits the server never got. */
async function offlineCopy(offline: (doc: Y.Doc) => void): Promise<Y.Doc> {
  const first = await RawClient.connect(server.wsUrl, notes, anna.token);
  await first.sync();
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(first.doc));
  first.close();
  await first.closed;
  copy.transact(() => offline(copy), LOCAL_ORIGIN);
  return copy;
}

/** Reconnects with `copy`: step 1 sent, the server's step 1 received but not answered yet. */
async function reconnectUnanswered(copy: Y.Doc): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, notes, anna.token);
  Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(copy));
  client.sendSyncStep1();
  await client.waitFor((m) => m.type === 'sync-step1', "the server's sync step 1");
  return client;
}

/** A live edit made on `copy` and sent as it happens. */
function liveEdit(client: RawClient, copy: Y.Doc, edit: (doc: Y.Doc) => void): void {
  const before = Y.encodeStateVector(copy);
  copy.transact(() => edit(copy), LOCAL_ORIGIN);
  const update = Y.encodeStateAsUpdate(copy, before);
  Y.applyUpdate(client.doc, update);
  client.sendUpdate(update);
}

describe('live edits that arrive before the client answers the server’s sync step 1', () => {
  it('are held until the step 2 is applied, then applied, stored and relayed: nothing refused', async () => {
    const copy = await offlineCopy((d) => addNote(d, { questionId: '1a', text: 'written offline', x: 0, y: 0 }, 1, LOCAL_ORIGIN, 'OfflineNote00001'));
    const reader = await RawClient.connect(server.wsUrl, notes, workshop.facilitatorToken);
    await reader.sync();
    const writer = await reconnectUnanswered(copy);
    // Both depend on the offline note: a clock gap, and an edit of an item the server lacks.
    liveEdit(writer, copy, (d) => updateNote(d, 'OfflineNote00001', { text: 'edited live' }, 2, LOCAL_ORIGIN));
    liveEdit(writer, copy, (d) => addNote(d, { questionId: '1a', text: 'second, live', x: 1, y: 0 }, 3, LOCAL_ORIGIN, 'LiveNote00000001'));
    await writer.roundTrip(); // the server has read both updates (and held them)
    writer.answerSyncStep1();
    await reader.waitFor(() => texts(reader.doc).length === 2 && texts(reader.doc).includes('edited live'), 'the held edits relayed');
    await writer.roundTrip();
    expect(denials(writer)).toEqual([]);
    expect(texts(reader.doc)).toEqual(['edited live', 'second, live']);
    // Stored: a new reader gets the same state, and equal state vectors all round.
    const fresh = await RawClient.connect(server.wsUrl, notes, workshop.facilitatorToken);
    await fresh.sync();
    expect(texts(fresh.doc)).toEqual(['edited live', 'second, live']);
    expect(Y.encodeStateVector(fresh.doc)).toEqual(Y.encodeStateVector(copy));
    for (const client of [writer, reader, fresh]) client.close();
  });

  it('what is still missing after the step 2 is refused, beyond the hold limit at once; nothing is applied', async () => {
    const lost = await offlineCopy((d) => addNote(d, { questionId: '1a', text: 'never sent', x: 0, y: 0 }, 1, LOCAL_ORIGIN, 'LostNote00000001'));
    const writer = await RawClient.connect(server.wsUrl, notes, anna.token);
    await writer.waitFor((m) => m.type === 'sync-step1', "the server's sync step 1");
    // The writer's own copy does not have the lost note: its step 2 will not carry it.
    const SENT = 300; // above the per-session hold limit (256)
    for (let i = 0; i < SENT; i++) {
      const before = Y.encodeStateVector(lost);
      lost.transact(() => updateNote(lost, 'LostNote00000001', { text: `edit ${i}` }, 2 + i, LOCAL_ORIGIN), LOCAL_ORIGIN);
      writer.sendUpdate(Y.encodeStateAsUpdate(lost, before));
    }
    await writer.roundTrip(); // answers the step 1: the held ones are tried again and refused
    await writer.waitFor(() => denials(writer).length === SENT, `${SENT} refusals`, 10_000);
    expect(denials(writer).every((d) => d.type === 'permission-denied' && /^invalid-content: .*(clock gap|does not have)/.test(d.reason))).toBe(true);
    const fresh = await RawClient.connect(server.wsUrl, notes, workshop.facilitatorToken);
    await fresh.sync();
    expect(texts(fresh.doc)).not.toContain('never sent');
    expect(JSON.stringify(readNotes(fresh.doc).notes)).not.toContain('edit ');
    writer.close();
    fresh.close();
  });
});
