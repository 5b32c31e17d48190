import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { FLIPCHART_WIDTH, NOTE_GAP, NOTE_HEIGHT, NOTE_WIDTH, overlaps, type Rect } from '../../shared/geometry';
import { addNote } from '../../shared/ops/notes';
import { endRound, expiresAt, extended, paused, requestPost, resumed, startRound, updateRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { CloseCode, DenyReason } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import type { Note } from '../../shared/schema/note';
import { destroyAll, waitFor, type Peer } from '../helpers/clients';
import { RawClient } from '../helpers/raw';
import { carries, draft, everReceived, marker, useRoundsServer } from '../helpers/roundsWorkshop';
import { storedRowsContaining } from '../helpers/store';

/**
 * Timed writing rounds end to end (issue 4): the facilitator drives `session.round` through a
 * stock provider with shared/ops/rounds.ts; the server's round engine posts every draft of the
 * round's question to its writer's public notes when the round ends — by the facilitator, or by
 * the clock — exactly once per post request, at free places in the question's area; and until
 * then nobody but the writer receives a draft.
 */
const ROOM_IDLE_MS = 200;
const fixture = useRoundsServer({ ROOM_IDLE_MS: String(ROOM_IDLE_MS) });
const { rawSynced, synced, serverNow } = fixture;
/** A workshop with three actors; Anna and Aino represent the municipality, Ben the association. The facilitator's stock provider holds the room document. */
const workshop = () => fixture.workshop();
const noteTexts = (doc: Y.Doc) => readNotes(doc).notes.map((n) => n.text);
const box = (n: { x: number; y: number }): Rect => ({ x: n.x, y: n.y, width: NOTE_WIDTH, height: NOTE_HEIGHT });
const postedIds = (doc: Y.Doc) => (doc.getMap('session').get('postedRequests') as string[] | undefined) ?? [];

/** Writes drafts through the owner's stock provider and waits until the server has stored them. */
async function writeDrafts(docName: string, token: string, drafts: Array<[questionId: string, text: string]>): Promise<{ peer: Peer; notes: Note[] }> {
  const peer = await synced(docName, token);
  const witness = await rawSynced(docName, token);
  const notes = drafts.map(([questionId, text]) => draft(peer.doc, questionId, text));
  for (const [, text] of drafts) await witness.waitFor(carries(text), `draft ${text} at the server`);
  witness.close();
  return { peer, notes };
}

describe('GET /api/time', () => {
  it("answers the server's clock in milliseconds, without a token", async () => {
    const before = Date.now();
    const response = await fetch(`${fixture.server.url}/api/time`);
    const after = Date.now();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { now: number };
    expect(Object.keys(body)).toEqual(['now']);
    expect(Number.isInteger(body.now)).toBe(true);
    // Same machine, same clock: the answer lies within the request.
    expect(body.now).toBeGreaterThanOrEqual(before);
    expect(body.now).toBeLessThanOrEqual(after);
    const post = await fetch(`${fixture.server.url}/api/time`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe('posting drafts when a round ends', () => {
  it('drafts stay private until the facilitator ends the round, then move to the wall at free places, once', async () => {
    const { facilitator, anna, aino, ben, names } = await workshop();
    const round = startRound(facilitator.doc, '3a', 10 * 60_000, await serverNow(), LOCAL_ORIGIN);
    expect(round.endedAt).toBeNull();

    // What is already on the municipality's flipchart in 3a: Aino's note and one of Anna's.
    const ainoOwn = await rawSynced(names.ainoNotes, aino.token);
    ainoOwn.edit((doc) => addNote(doc, { questionId: '3a', text: 'Aino on the wall', x: NOTE_GAP, y: NOTE_GAP }, Date.now(), LOCAL_ORIGIN));
    const annaOwn = await rawSynced(names.annaNotes, anna.token);
    annaOwn.edit((doc) => addNote(doc, { questionId: '3a', text: 'Anna on the wall', x: NOTE_GAP + NOTE_WIDTH + NOTE_GAP, y: NOTE_GAP }, Date.now(), LOCAL_ORIGIN));

    // Ben watches Anna's public notes, and tries to open her drafts.
    const benReadsAnna = await rawSynced(names.annaNotes, ben.token);
    await benReadsAnna.waitFor(carries('Anna on the wall'), "Anna's public note at Ben");
    const benTries = await RawClient.connect(fixture.server.wsUrl, names.annaDrafts, ben.token);
    fixture.trackRaw(benTries);
    expect(await benTries.closed).toEqual({ code: CloseCode.forbidden, reason: 'no access to this document' });
    expect(benTries.received).toEqual([]);

    const [first, second, other] = [marker('anna-3a-first'), marker('anna-3a-second'), marker('anna-4a')];
    const benDraft = marker('ben-3a');
    const annaDrafts = await writeDrafts(names.annaDrafts, anna.token, [
      ['3a', first],
      ['3a', second],
      ['4a', other],
    ]);
    const benDrafts = await writeDrafts(names.benDrafts, ben.token, [['3a', benDraft]]);
    const benOwnNotes = await rawSynced(names.benNotes, ben.token);

    // Before the post: a barrier on Anna's notes reaches Ben, and no draft travelled with it.
    const barrier = marker('barrier');
    annaOwn.edit((doc) => addNote(doc, { questionId: '4b', text: barrier, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    await benReadsAnna.waitFor(carries(barrier), 'the barrier at Ben');
    for (const text of [first, second, other]) expect(everReceived(benReadsAnna, text)).toBe(false);
    expect(storedRowsContaining(fixture.server.dataDir, names.annaNotes, first)).toBe(0);

    // The facilitator ends the round: the engine posts the drafts of 3a.
    const ended = endRound(facilitator.doc, await serverNow(), LOCAL_ORIGIN);
    const requestId = readRoom(facilitator.doc).session.postRequest!.id;
    expect(readRoom(facilitator.doc).session.postRequest).toMatchObject({ questionId: '3a', at: ended.endedAt });
    await benReadsAnna.waitFor(carries(first), "Anna's first draft on the wall at Ben");
    await waitFor(annaDrafts.peer.doc, () => noteTexts(annaDrafts.peer.doc).length === 1, "Anna's drafts emptied of 3a");
    await benOwnNotes.waitFor(carries(benDraft), "Ben's draft on his wall");
    await waitFor(benDrafts.peer.doc, () => noteTexts(benDrafts.peer.doc).length === 0, "Ben's drafts emptied");
    await waitFor(facilitator.doc, () => postedIds(facilitator.doc).includes(requestId), 'the request recorded as handled');

    // Both 3a drafts arrived in one update: there is no moment with only one of them public.
    const firstCarrier = benReadsAnna.received.find(carries(first))!;
    expect(carries(second)(firstCarrier)).toBe(true);

    // On the wall: the same ids, text and createdAt; the 4a draft stayed a draft.
    const wall = readNotes(benReadsAnna.doc).notes;
    const posted = wall.filter((n) => n.text === first || n.text === second);
    expect(posted.map((n) => n.id).sort()).toEqual(annaDrafts.notes.slice(0, 2).map((n) => n.id).sort());
    for (const note of posted) {
      const original = annaDrafts.notes.find((d) => d.id === note.id)!;
      expect(note).toMatchObject({ questionId: '3a', createdAt: original.createdAt, aboutActorId: null });
    }
    expect(wall.map((n) => n.text)).not.toContain(other);
    expect(noteTexts(annaDrafts.peer.doc)).toEqual([other]);

    // At free places: inside the area, clear of each other and of Aino's and Anna's notes.
    const ainoWall = readNotes(ainoOwn.doc).notes;
    const taken = [...ainoWall, ...wall.filter((n) => n.questionId === '3a' && !posted.includes(n))].map(box);
    expect(taken).toHaveLength(2);
    const bodyWidth = FLIPCHART_WIDTH - 2 * NOTE_GAP;
    for (const [i, note] of posted.entries()) {
      expect(note.x).toBeGreaterThanOrEqual(0);
      expect(note.y).toBeGreaterThanOrEqual(0);
      expect(note.x + NOTE_WIDTH).toBeLessThanOrEqual(bodyWidth);
      for (const other of [...taken, ...posted.filter((_, j) => j !== i).map(box)]) expect(overlaps(box(note), other), `${note.text} clear of ${JSON.stringify(other)}`).toBe(false);
    }
    // Ben's draft, alone on the association's flipchart, takes the first cell.
    expect(readNotes(benOwnNotes.doc).notes).toEqual([expect.objectContaining({ text: benDraft, x: NOTE_GAP, y: NOTE_GAP })]);
    // Stored where it now lives, and the drafts' deletion stored too.
    expect(storedRowsContaining(fixture.server.dataDir, names.annaNotes, first)).toBeGreaterThan(0);

    // The same request again (a facilitator's device replays it) is not carried out again:
    // Anna's new 3a draft — written in a new round on 3a, so it is not a late draft of the old
    // one (late-drafts.test.ts) — stays a draft. A later request for 4a is the barrier: the
    // engine handles requests in order, so once 4a is on the wall the replay has been looked at.
    startRound(facilitator.doc, '3a', 10 * 60_000, await serverNow(), LOCAL_ORIGIN);
    const late = marker('anna-3a-late');
    await writeDrafts(names.annaDrafts, anna.token, [['3a', late]]);
    const request = readRoom(facilitator.doc).session.postRequest!;
    facilitator.doc.transact(() => facilitator.doc.getMap('session').set('postRequest', { ...request }), LOCAL_ORIGIN);
    requestPost(facilitator.doc, '4a', await serverNow(), LOCAL_ORIGIN);
    await benReadsAnna.waitFor(carries(other), 'the 4a draft on the wall');
    await waitFor(annaDrafts.peer.doc, () => noteTexts(annaDrafts.peer.doc).includes(late) && !noteTexts(annaDrafts.peer.doc).includes(other), "Anna's drafts after the 4a post");
    expect(noteTexts(annaDrafts.peer.doc)).toEqual([late]);
    expect(everReceived(benReadsAnna, late)).toBe(false);
    expect(readNotes(benReadsAnna.doc).notes.filter((n) => n.text === first)).toHaveLength(1);
    await waitFor(facilitator.doc, () => postedIds(facilitator.doc).length === 2, 'two requests handled');
    expect(postedIds(facilitator.doc)[0]).toBe(requestId);
  });

  it('the clock ends a round by itself: drafts are posted without the facilitator, not before the time is up', async () => {
    const { facilitator, anna, ben, names } = await workshop();
    const text = marker('anna-timed');
    const annaDrafts = await writeDrafts(names.annaDrafts, anna.token, [['1b', text]]);
    const benReadsAnna = await rawSynced(names.annaNotes, ben.token);

    const round = startRound(facilitator.doc, '1b', 1500, await serverNow(), LOCAL_ORIGIN);
    await benReadsAnna.waitFor(carries(text), 'the timed-out draft on the wall', 1500 + 5000);
    const arrivedAt = Date.now();
    // Not early: the server and this test share one clock.
    expect(arrivedAt).toBeGreaterThanOrEqual(round.startedAt + 1500);

    await waitFor(facilitator.doc, () => readRoom(facilitator.doc).session.round?.endedAt != null, 'the round ended at the facilitator');
    const session = readRoom(facilitator.doc).session;
    // Ended at the moment it ran out, and the post was requested for its question.
    expect(session.round).toEqual({ ...round, endedAt: round.startedAt + 1500 });
    expect(session.postRequest).toMatchObject({ questionId: '1b', at: round.startedAt + 1500 });
    await waitFor(annaDrafts.peer.doc, () => noteTexts(annaDrafts.peer.doc).length === 0, "Anna's drafts emptied");
    expect(readNotes(benReadsAnna.doc).notes).toEqual([expect.objectContaining({ text, x: NOTE_GAP, y: NOTE_GAP })]);
  });

  it('a paused round does not run out; resumed and extended, it ends at its new expiry', async () => {
    const { facilitator, anna, ben, names } = await workshop();
    const text = marker('anna-paused');
    await writeDrafts(names.annaDrafts, anna.token, [['2b', text]]);
    const benReadsAnna = await rawSynced(names.annaNotes, ben.token);
    const benRoom = await rawSynced(names.room, ben.token);

    const started = startRound(facilitator.doc, '2b', 1000, await serverNow(), LOCAL_ORIGIN);
    updateRound(facilitator.doc, (r) => paused(r, started.startedAt + 100), LOCAL_ORIGIN);
    await benRoom.waitFor(() => readRoom(benRoom.doc).session.round?.pausedAt != null, 'the pause at the server');
    // A bounded wait on purpose: the claim is that nothing happens past the original expiry
    // while paused, and an absence has no event to await.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await benRoom.roundTrip();
    expect(readRoom(benRoom.doc).session.round?.endedAt).toBeNull();
    expect(everReceived(benReadsAnna, text)).toBe(false);

    const resumedRound = updateRound(facilitator.doc, (r) => extended(resumed(r, Date.now()), 500), LOCAL_ORIGIN);
    const expiry = expiresAt(resumedRound)!;
    expect(expiry).toBe(started.startedAt + resumedRound.pausedTotalMs + 1500);
    await benReadsAnna.waitFor(carries(text), 'the draft after the extended round ran out', 1500 + 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(expiry);
    await waitFor(facilitator.doc, () => readRoom(facilitator.doc).session.round?.endedAt != null, 'the round ended');
    expect(readRoom(facilitator.doc).session.round).toEqual({ ...resumedRound, endedAt: expiry });
  });

  it('a round that ran out while its room was unloaded is ended when the room loads again', async () => {
    const { created, facilitator, anna, names } = await workshop();
    const text = marker('anna-unloaded');
    const annaDrafts = await writeDrafts(names.annaDrafts, anna.token, [['3b', text]]);
    annaDrafts.peer.provider.destroy();
    const round = startRound(facilitator.doc, '3b', 1500, await serverNow(), LOCAL_ORIGIN);
    const witness = await rawSynced(names.room, created.facilitatorToken);
    await witness.waitFor(() => readRoom(witness.doc).session.round?.startedAt === round.startedAt, 'the round at the server');
    // Everyone leaves before the round runs out; the rooms unload (the engine drops its timer).
    destroyAll();
    witness.close();
    await metricReaches('arvo_rooms_loaded', (v) => v === 0);
    // Unloaded before the round ran out, so no timer of a loaded room can have ended it.
    expect(Date.now()).toBeLessThan(round.startedAt + 1500);
    // Wait until past the expiry (a bounded wait: nothing is loaded that could send an event).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, round.startedAt + 1500 - Date.now() + 50)));

    const again = await synced(names.room, created.facilitatorToken);
    await waitFor(again.doc, () => readRoom(again.doc).session.round?.endedAt != null, 'the round ended on load');
    expect(readRoom(again.doc).session.round).toEqual({ ...round, endedAt: round.startedAt + 1500 });
    const notes = await synced(names.annaNotes, anna.token);
    await waitFor(notes.doc, () => noteTexts(notes.doc).includes(text), 'the draft posted on load');
  });
});

describe('only facilitators drive rounds', () => {
  it("a participant's write to session.round or session.postRequest is refused, not relayed, and moves nothing", async () => {
    const { facilitator, anna, ben, names } = await workshop();
    const text = marker('anna-stays-draft');
    const annaDrafts = await writeDrafts(names.annaDrafts, anna.token, [['4b', text]]);
    const annaRoom = await rawSynced(names.room, anna.token);
    const benRoom = await rawSynced(names.room, ben.token);
    const benReadsAnna = await rawSynced(names.annaNotes, ben.token);

    const forged = marker('forged');
    annaRoom.edit((doc) => {
      const session = doc.getMap('session');
      session.set('round', { questionId: '4b', startedAt: Date.now(), durationMs: 1000, pausedAt: null, pausedTotalMs: 0, endedAt: null, note: forged });
      session.set('postRequest', { id: 'Forged0000000001', questionId: '4b', at: Date.now(), note: forged });
    });
    expect(await annaRoom.waitFor((m) => m.type === 'permission-denied', 'the refusal')).toEqual({ type: 'permission-denied', reason: DenyReason.readOnly });

    // The facilitator's real request for another question is the barrier: handled in order.
    const barrier = marker('barrier');
    await writeDrafts(names.annaDrafts, anna.token, [['4a', barrier]]);
    requestPost(facilitator.doc, '4a', await serverNow(), LOCAL_ORIGIN);
    await benReadsAnna.waitFor(carries(barrier), 'the 4a post at Ben');
    await benRoom.waitFor(() => postedIds(benRoom.doc).length === 1, 'the 4a request handled');
    expect(everReceived(benRoom, forged)).toBe(false);
    expect(readRoom(benRoom.doc).session.round).toBeNull();
    expect(postedIds(benRoom.doc)).not.toContain('Forged0000000001');
    expect(everReceived(benReadsAnna, text)).toBe(false);
    await waitFor(annaDrafts.peer.doc, () => !noteTexts(annaDrafts.peer.doc).includes(barrier), 'the 4a draft gone from the drafts');
    expect(noteTexts(annaDrafts.peer.doc)).toEqual([text]);
    expect(storedRowsContaining(fixture.server.dataDir, names.room, forged)).toBe(0);
  });
});

async function metricReaches(name: string, ok: (value: number) => boolean, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await (await fetch(`${fixture.server.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    const value = line ? Number(line.split(' ')[1]) : NaN;
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${name} stayed at ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
