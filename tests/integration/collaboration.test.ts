import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, joinAs, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  destroyAll();
  await server.close();
  removeDir(server.dataDir);
});

async function workshopWithTwoParticipants() {
  const created = await createWorkshop(server.url);
  const facilitator = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await waitSynced(facilitator);
  const [anna, ben] = (await joinAs(server.url, created, [['Anna', 0], ['Ben', 1]])) as [Joined, Joined];
  return { created, facilitator, anna, ben };
}

describe('collaboration through the real server with stock y-websocket providers', () => {
  it('a facilitator and two participants converge on each other\'s notes', async () => {
    const { created, facilitator, anna, ben } = await workshopWithTwoParticipants();
    await waitFor(facilitator.doc, () => readRoom(facilitator.doc).participants.length === 3, 'both joins in the room document');

    const annaOwn = connect(server.wsUrl, notesDocName(created.id, anna.participantId), anna.token);
    const benReadsAnna = connect(server.wsUrl, notesDocName(created.id, anna.participantId), ben.token);
    const facilitatorReadsAnna = connect(server.wsUrl, notesDocName(created.id, anna.participantId), created.facilitatorToken);
    const benOwn = connect(server.wsUrl, notesDocName(created.id, ben.participantId), ben.token);
    const annaReadsBen = connect(server.wsUrl, notesDocName(created.id, ben.participantId), anna.token);
    await Promise.all([annaOwn, benReadsAnna, facilitatorReadsAnna, benOwn, annaReadsBen].map((p) => waitSynced(p)));

    addNote(annaOwn.doc, { questionId: '3a', text: 'Local knowledge', x: 10, y: 20 }, Date.now(), LOCAL_ORIGIN);
    addNote(benOwn.doc, { questionId: '4a', text: 'Scheduling is hard', x: 30, y: 40 }, Date.now(), LOCAL_ORIGIN);

    await waitFor(benReadsAnna.doc, () => readNotes(benReadsAnna.doc).notes.length === 1, "Anna's note at Ben");
    await waitFor(facilitatorReadsAnna.doc, () => readNotes(facilitatorReadsAnna.doc).notes.length === 1, "Anna's note at the facilitator");
    await waitFor(annaReadsBen.doc, () => readNotes(annaReadsBen.doc).notes.length === 1, "Ben's note at Anna");
    expect(readNotes(benReadsAnna.doc).notes[0]).toMatchObject({ questionId: '3a', text: 'Local knowledge', x: 10, y: 20 });
    expect(readNotes(annaReadsBen.doc).notes[0]).toMatchObject({ questionId: '4a', text: 'Scheduling is hard' });
  });

  it('presence (awareness) reaches the others and leaves with the connection', async () => {
    const { created, anna, ben } = await workshopWithTwoParticipants();
    const annaRoom = connect(server.wsUrl, roomDocName(created.id), anna.token);
    const benRoom = connect(server.wsUrl, roomDocName(created.id), ben.token);
    await Promise.all([waitSynced(annaRoom), waitSynced(benRoom)]);

    const seenByBen = new Promise<void>((resolve) => {
      benRoom.provider.awareness.on('change', () => {
        const states = [...benRoom.provider.awareness.getStates().values()];
        if (states.some((s) => s.user?.name === 'Anna' && s.cursor?.x === 5)) resolve();
      });
    });
    annaRoom.provider.awareness.setLocalState({ user: { name: 'Anna' }, cursor: { x: 5, y: 6 } });
    await seenByBen;

    const annaClientId = annaRoom.doc.clientID;
    const goneAtBen = new Promise<void>((resolve) => {
      benRoom.provider.awareness.on('change', () => {
        if (!benRoom.provider.awareness.getStates().has(annaClientId)) resolve();
      });
    });
    annaRoom.provider.disconnect();
    await goneAtBen;
  });

  it('a stock provider reads and writes exactly what its token allows', async () => {
    const { created, anna, ben } = await workshopWithTwoParticipants();
    // Anna may write her own notes document...
    const own = connect(server.wsUrl, notesDocName(created.id, anna.participantId), anna.token);
    await waitSynced(own);
    addNote(own.doc, { questionId: '1b', text: 'Transport to events', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    const reader = connect(server.wsUrl, notesDocName(created.id, anna.participantId), ben.token);
    await waitFor(reader.doc, () => readNotes(reader.doc).notes.some((n) => n.text === 'Transport to events'), 'the note at a reader');

    // ...and may read the room document, but what she writes there never reaches anyone.
    const annaRoom = connect(server.wsUrl, roomDocName(created.id), anna.token);
    const facilitatorRoom = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    await Promise.all([waitSynced(annaRoom), waitSynced(facilitatorRoom)]);
    expect(readRoom(annaRoom.doc).meta?.title).toBe('Test workshop');
    annaRoom.doc.getMap('meta').set('title', 'Hijacked');
    // The facilitator's own edit after Anna's proves the relay has moved past it.
    facilitatorRoom.doc.getMap('meta').set('phase', 'writing');
    const third = connect(server.wsUrl, roomDocName(created.id), ben.token);
    await waitFor(third.doc, () => readRoom(third.doc).meta?.phase === 'writing', 'the facilitator edit');
    expect(readRoom(third.doc).meta?.title).toBe('Test workshop');
    expect(readRoom(facilitatorRoom.doc).meta?.title).toBe('Test workshop');
  });
});
