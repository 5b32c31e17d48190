import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { waitFor } from '../helpers/clients';
import { carries, draft, everReceived, marker, useRoundsServer } from '../helpers/roundsWorkshop';

/**
 * Issue 9, "nothing is stranded": a draft written offline as its round ends reaches the server
 * after the round's drafts were posted; the round engine posts it at once, marked `late`, exactly
 * once. And the facilitator sees how many people write and how many drafts there are per actor,
 * as numbers the server computes: no connection but the author's ever receives a draft's words.
 */
const fixture = useRoundsServer();
const { rawSynced, synced, serverNow } = fixture;
const workshop = () => fixture.workshop();
const session = (doc: Y.Doc) => doc.getMap('session');

describe('late drafts', () => {
  it('a draft written offline as the round ends is posted late, marked, exactly once, when it reaches the server', async () => {
    const { created, facilitator, anna, ben } = await workshop();
    const annaDraftsName = draftsDocName(created.id, anna.participantId);
    const annaNotesName = notesDocName(created.id, anna.participantId);
    // A short round: it ends by the server's clock while Anna is offline.
    startRound(facilitator.doc, '3a', 1500, await serverNow(), LOCAL_ORIGIN);

    const annaDrafts = await synced(annaDraftsName, anna.token);
    const onTime = marker('on-time');
    const witness = await rawSynced(annaDraftsName, anna.token);
    draft(annaDrafts.doc, '3a', onTime);
    await witness.waitFor(carries(onTime), 'the on-time draft at the server');
    witness.close();

    // Offline: the socket closes, and she writes one more.
    annaDrafts.provider.disconnect();
    const lateText = marker('late');
    const lateNote = draft(annaDrafts.doc, '3a', lateText);

    // The round runs out on the server; its post moves the on-time draft only.
    await waitFor(facilitator.doc, () => readRoom(facilitator.doc).session.round?.endedAt != null, 'the round ended by the engine', 10_000);
    await waitFor(facilitator.doc, () => ((session(facilitator.doc).get('postedQuestions') as string[] | undefined) ?? []).includes('3a'), 'the post recorded');
    const benWatches = await rawSynced(annaNotesName, ben.token);
    await waitFor(benWatches.doc, () => readNotes(benWatches.doc).notes.some((n) => n.text === onTime), 'the on-time draft on the wall');
    expect(readNotes(benWatches.doc).notes.find((n) => n.text === onTime)!.late).toBeUndefined();
    expect(everReceived(benWatches, lateText)).toBe(false);

    // Back online: the late draft arrives, and is posted at once, marked late.
    annaDrafts.provider.connect();
    await waitFor(benWatches.doc, () => readNotes(benWatches.doc).notes.some((n) => n.text === lateText), 'the late draft on the wall', 10_000);
    const posted = readNotes(benWatches.doc).notes.filter((n) => n.text === lateText);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ id: lateNote.id, questionId: '3a', late: true, createdAt: lateNote.createdAt });
    // Gone from the drafts, at the author too (so her device sees the move and can tell her).
    await waitFor(annaDrafts.doc, () => readNotes(annaDrafts.doc).notes.length === 0, "Anna's drafts emptied");

    // Exactly once: writing to the drafts again (another change) posts nothing twice.
    const barrier = marker('barrier');
    const annaNotes = await synced(annaNotesName, anna.token);
    addNote(annaNotes.doc, { questionId: '4a', text: barrier, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(benWatches.doc, () => readNotes(benWatches.doc).notes.some((n) => n.text === barrier), 'the barrier');
    expect(readNotes(benWatches.doc).notes.filter((n) => n.text === lateText || n.text === onTime)).toHaveLength(2);
  });

  it('a draft of a question whose drafts were never posted stays a draft', async () => {
    const { created, facilitator, anna } = await workshop();
    startRound(facilitator.doc, '3a', 1000, await serverNow(), LOCAL_ORIGIN);
    await waitFor(facilitator.doc, () => ((session(facilitator.doc).get('postedQuestions') as string[] | undefined) ?? []).includes('3a'), 'the post recorded', 10_000);
    const annaDrafts = await synced(draftsDocName(created.id, anna.participantId), anna.token);
    const kept = marker('4a-draft');
    const lateText = marker('3a-late');
    draft(annaDrafts.doc, '4a', kept);
    draft(annaDrafts.doc, '3a', lateText);
    await waitFor(annaDrafts.doc, () => readNotes(annaDrafts.doc).notes.length === 1, 'the 3a draft posted late');
    expect(readNotes(annaDrafts.doc).notes.map((n) => n.text)).toEqual([kept]);
  });
});

describe('per-actor counts of a running round', () => {
  it('the room shows how many write and how many drafts per actor, and no draft words reach anyone else', async () => {
    const { created, facilitator, anna, aino, ben, municipality, association } = await workshop();
    const facilitatorRaw = await rawSynced(roomDocName(created.id), created.facilitatorToken);
    const benRoom = await rawSynced(roomDocName(created.id), ben.token);
    startRound(facilitator.doc, '3a', 10 * 60_000, await serverNow(), LOCAL_ORIGIN);

    const texts: string[] = [];
    const write = async (who: { participantId: string; token: string }, entries: Array<[string, string]>) => {
      const peer = await synced(draftsDocName(created.id, who.participantId), who.token);
      for (const [questionId, what] of entries) {
        const text = marker(what);
        texts.push(text);
        draft(peer.doc, questionId, text);
      }
    };
    await write(anna, [
      ['3a', 'anna-1'],
      ['3a', 'anna-2'],
    ]);
    await write(aino, [['3a', 'aino-1']]);
    await write(ben, [
      ['3a', 'ben-1'],
      ['4a', 'ben-other-question'],
    ]);

    const expected = { [municipality.id]: { writers: 2, drafts: 3 }, [association.id]: { writers: 1, drafts: 1 } };
    const matches = () => {
      const stats = readRoom(facilitator.doc).session.roundStats;
      return stats?.questionId === '3a' && Object.entries(expected).every(([actor, counts]) => JSON.stringify(stats.actors[actor]) === JSON.stringify(counts));
    };
    await waitFor(facilitator.doc, matches, 'the counts at the facilitator', 10_000);
    await waitFor(benRoom.doc, () => readRoom(benRoom.doc).session.roundStats?.actors[municipality.id]?.drafts === 3, 'the counts at Ben');
    for (const text of texts) {
      expect(everReceived(facilitatorRaw, text)).toBe(false);
      expect(everReceived(benRoom, text)).toBe(false);
    }

    // A client cannot write the counts itself.
    const forged = marker('forged');
    facilitatorRaw.edit((doc) => session(doc).set('roundStats', { questionId: forged, at: 1, actors: {} }));
    const refusal = await facilitatorRaw.waitFor((m) => m.type === 'permission-denied', 'the refusal');
    expect(refusal).toMatchObject({ type: 'permission-denied', reason: expect.stringMatching(/roundStats.*server only/) as unknown });
    expect(readRoom(facilitator.doc).session.roundStats?.questionId).toBe('3a');
  });
});
