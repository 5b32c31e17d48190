import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { openPostgresStore } from '../../server/store/postgres';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { createTestDatabase, refuseConnections, restoreConnections, type TestDatabase } from '../helpers/pg';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * PostgreSQL lost while the server runs (issue 11): this test's database stops accepting
 * connections and its open ones are ended. Writes are refused with the store-failure close
 * code, nothing is relayed that was not committed, /healthz says 503 — and when the database
 * is back, the clients' kept edits are stored and relayed, and /healthz is 200 again.
 */
let database: TestDatabase;
let server: TestServer;
beforeAll(async () => {
  database = await createTestDatabase('failure');
  server = await startTestServer({ DATABASE_URL: database.url, SECRET: 'pg-store-failure-secret-0123456789abcdef', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
});
afterAll(async () => {
  destroyAll();
  await restoreConnections(database).catch(() => undefined);
  await server?.close();
  if (server) removeDir(server.dataDir);
  await database?.drop();
});

const texts = (doc: Y.Doc) => readNotes(doc).notes.map((n) => n.text);

async function health(): Promise<number> {
  return (await fetch(`${server.url}/healthz`)).status;
}
/** /healthz keeps its answer for a second: ask until it changes (or fail after `ms`). */
async function healthBecomes(status: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await health()) !== status) {
    if (Date.now() > deadline) throw new Error(`/healthz did not become ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('PostgreSQL lost while running', () => {
  it('refuses writes with the store-failure code, relays nothing uncommitted, and recovers when the database is back', async () => {
    const created = await createWorkshop(server.url);
    const room = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    await waitSynced(room);
    const anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', readRoom(room.doc).actors[0]!.id);
    const docName = notesDocName(created.id, anna.participantId);
    const writer = connect(server.wsUrl, docName, anna.token);
    const reader = connect(server.wsUrl, docName, created.facilitatorToken);
    await Promise.all([waitSynced(writer), waitSynced(reader)]);
    addNote(writer.doc, { questionId: '1a', text: 'before', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(reader.doc, () => texts(reader.doc).includes('before'), 'the note before the loss');
    expect(await health()).toBe(200);

    await refuseConnections(database);
    const closed = new Promise<number>((resolve) => writer.provider.once('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)));
    addNote(writer.doc, { questionId: '1a', text: 'during', x: 1, y: 0 }, Date.now(), LOCAL_ORIGIN);
    expect(await closed).toBe(CloseCode.storeUnavailable);
    await healthBecomes(503);
    expect(texts(reader.doc)).not.toContain('during');
    // The writer keeps editing while the database is away (its reconnects are refused).
    addNote(writer.doc, { questionId: '1a', text: 'offline', x: 2, y: 0 }, Date.now(), LOCAL_ORIGIN);

    await restoreConnections(database);
    // The writer comes back with the document it kept. (It reconnects on its own only if every
    // refusal during the outage was 4503: a token check that cannot reach the store is answered
    // 4401 by server/relay/upgrade.ts today, which makes a stock provider give up — reported to
    // the relay's owner; so this test reconnects it, as store-failure.test.ts does.)
    writer.provider.destroy();
    connect(server.wsUrl, docName, anna.token, { doc: writer.doc });
    const fresh = connect(server.wsUrl, docName, created.facilitatorToken);
    await waitFor(fresh.doc, () => ['before', 'during', 'offline'].every((t) => texts(fresh.doc).includes(t)), 'every note after recovery', 15_000);
    await healthBecomes(200);

    // Straight from the database: everything is stored.
    const store = await openPostgresStore({ url: database.url, poolSize: 1 });
    try {
      const { snapshot, updates } = await store.loadDoc(docName);
      const stored = new Y.Doc();
      if (snapshot) Y.applyUpdate(stored, snapshot.state);
      for (const u of updates) Y.applyUpdate(stored, u.update);
      expect(texts(stored).sort()).toEqual(['before', 'during', 'offline']);
    } finally {
      await store.close();
    }
  }, 60_000);
});
