import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, joinAs, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { muxUrl, RawMux } from '../helpers/rawMux';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * The multiplexed endpoint: one socket, many documents, the same per-document permissions as
 * /ws/<doc>. Driven by hand (tests/helpers/rawMux.ts) so the test sees every frame.
 */
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
  return { created, anna, ben };
}

describe('the multiplexed endpoint /mux', () => {
  it('carries several documents on one socket and relays between them and stock providers', async () => {
    const { created, anna, ben } = await setup();
    const mux = await RawMux.open(muxUrl(server, anna.token));
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
    const { created, anna, ben } = await setup();
    const mux = await RawMux.open(muxUrl(server, anna.token));
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
    const { anna } = await setup();
    const bad = await RawMux.open(muxUrl(server, `${anna.token}x`));
    expect((await bad.closed).code).toBe(CloseCode.unauthorized);
    const mux = await RawMux.open(muxUrl(server, anna.token));
    mux.ws.send(new Uint8Array([9, 9, 9]));
    expect((await mux.closed).code).toBe(CloseCode.malformedMessage);
  });
});
