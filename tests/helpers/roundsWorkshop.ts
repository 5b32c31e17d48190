import crypto from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import type * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import type { Actor } from '../../shared/schema/actor';
import { createWorkshop, join, type Created, type Joined } from './api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from './clients';
import { RawClient, type ServerMessage } from './raw';
import { removeDir, startTestServer, type TestServer } from './server';

/**
 * The fixture of the round tests (tests/integration/rounds.test.ts, late-drafts.test.ts): a fresh
 * server per test, stock providers and raw clients closed after it, and a workshop with a
 * facilitator and participants of two actors — Anna and Aino for the municipality, Ben for the
 * association.
 */
export interface RoundsServer {
  /** This test's server (a new one for every test). */
  readonly server: TestServer;
  /** A raw client on a document, synced; closed after the test. */
  rawSynced(docName: string, token: string): Promise<RawClient>;
  /** Closes this raw client after the test (one connected by hand). */
  trackRaw(client: RawClient): RawClient;
  /** A stock provider on a document, synced; destroyed after the test. */
  synced(docName: string, token: string): Promise<Peer>;
  /** The server's clock (GET /api/time). */
  serverNow(): Promise<number>;
  workshop(): Promise<RoundsWorkshop>;
}

export interface RoundsWorkshop {
  created: Created;
  /** The facilitator's stock provider on the room document, with all four joins seen. */
  facilitator: Peer;
  anna: Joined;
  aino: Joined;
  ben: Joined;
  municipality: Actor;
  association: Actor;
  names: {
    room: string;
    annaNotes: string;
    ainoNotes: string;
    benNotes: string;
    annaDrafts: string;
    benDrafts: string;
  };
}

/** Registers the per-test server hooks; call at the top of the file. */
export function useRoundsServer(env: Record<string, string> = {}): RoundsServer {
  let server: TestServer | undefined;
  let raws: RawClient[] = [];
  beforeEach(async () => {
    server = await startTestServer({ ROOM_IDLE_MS: '200', ...env });
  });
  afterEach(async () => {
    destroyAll();
    for (const raw of raws) raw.close();
    raws = [];
    await server?.close();
    if (server) removeDir(server.dataDir);
  });

  const fixture: RoundsServer = {
    get server() {
      if (!server) throw new Error('the server starts in beforeEach');
      return server;
    },
    async rawSynced(docName, token) {
      const client = await RawClient.connect(fixture.server.wsUrl, docName, token);
      raws.push(client);
      await client.sync();
      return client;
    },
    trackRaw(client) {
      raws.push(client);
      return client;
    },
    async synced(docName, token) {
      const peer = connect(fixture.server.wsUrl, docName, token);
      await waitSynced(peer);
      return peer;
    },
    async serverNow() {
      return ((await (await fetch(`${fixture.server.url}/api/time`)).json()) as { now: number }).now;
    },
    async workshop() {
      const { url } = fixture.server;
      const created = await createWorkshop(url);
      const facilitator = await fixture.synced(roomDocName(created.id), created.facilitatorToken);
      const [municipality, association] = readRoom(facilitator.doc).actors;
      const anna = await join(url, created.id, created.participantJoinKey, 'Anna', municipality!.id);
      const aino = await join(url, created.id, created.participantJoinKey, 'Aino', municipality!.id);
      const ben = await join(url, created.id, created.participantJoinKey, 'Ben', association!.id);
      await waitFor(facilitator.doc, () => readRoom(facilitator.doc).participants.length === 4, 'the joins at the facilitator');
      const names = {
        room: roomDocName(created.id),
        annaNotes: notesDocName(created.id, anna.participantId),
        ainoNotes: notesDocName(created.id, aino.participantId),
        benNotes: notesDocName(created.id, ben.participantId),
        annaDrafts: draftsDocName(created.id, anna.participantId),
        benDrafts: draftsDocName(created.id, ben.participantId),
      };
      return { created, facilitator, anna, aino, ben, names, municipality: municipality!, association: association! };
    },
  };
  return fixture;
}

/** A text no other test writes. */
export const marker = (what: string) => `${what}-${crypto.randomUUID()}`;
const has = (bytes: Uint8Array, text: string) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(text, 'utf8'));
/** A server message that carries `text` in a document update. */
export const carries = (text: string) => (m: ServerMessage) => (m.type === 'update' || m.type === 'sync-step2') && has(m.update, text);
/** Whether the raw client was ever sent `text` (updates, sync, awareness). */
export const everReceived = (client: RawClient, text: string) =>
  client.received.some((m) => (m.type === 'update' || m.type === 'sync-step2' || m.type === 'awareness' ? has(m.update, text) : false));
/** A draft (or note) at 0,0 written now by this browser's user. */
export const draft = (doc: Y.Doc, questionId: string, text: string) => addNote(doc, { questionId, text, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
