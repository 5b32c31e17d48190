import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { setWallLocked } from '../../shared/ops/session';
import { setVoting } from '../../shared/ops/votes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { DenyReason } from '../../shared/protocol/wire';
import { readRoom } from '../../shared/read/snapshot';
import { readVotes } from '../../shared/read/votes';
import { notesRoots } from '../../shared/schema/layout';
import { OVER_BUDGET } from '../../server/relay/votePolicy';
import { createWorkshop, join } from '../helpers/api';
import { RawClient, type ServerMessage } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * Dot-votes through the real server: a participant's votes live in their own notes document.
 * The content validator refuses counts that are not whole, in 0..100, on theme:/action: keys;
 * the notes write policy (server/relay/votePolicy.ts) refuses raising the total above the room's
 * `session.voting.votesPerPerson` or while voting is closed, and lets a pure vote through a
 * locked wall. Every refusal leaves the connection usable and reaches nobody else.
 */
let server: TestServer;
let raws: RawClient[] = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const raw of raws) raw.close();
  raws = [];
  await server.close();
  removeDir(server.dataDir);
});

async function rawSynced(docName: string, token: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, docName, token);
  raws.push(client);
  await client.sync();
  return client;
}

const T1 = 'theme:Theme00000000001';
const T2 = 'theme:Theme00000000002';
const denied = (m: ServerMessage) => m.type === 'permission-denied';

async function workshop() {
  const created = await createWorkshop(server.url);
  const facilitatorRoom = await rawSynced(roomDocName(created.id), created.facilitatorToken);
  const [municipality] = readRoom(facilitatorRoom.doc).actors;
  const anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', municipality!.id);
  const annaRoom = await rawSynced(roomDocName(created.id), anna.token);
  const annaNotes = notesDocName(created.id, anna.participantId);
  const facilitatorOnAnna = await rawSynced(annaNotes, created.facilitatorToken);
  /** The facilitator changes the session; resolves once Anna's view of the room shows it. */
  const facilitatorSets = async (change: (doc: Y.Doc) => void, shown: (s: ReturnType<typeof readRoom>['session']) => boolean) => {
    facilitatorRoom.edit(change);
    await annaRoom.waitFor(() => shown(readRoom(annaRoom.doc).session), 'the session change at Anna');
  };
  return { created, anna, annaNotes, facilitatorOnAnna, facilitatorSets };
}

type Workshop = Awaited<ReturnType<typeof workshop>>;

/** Anna's write from a fresh connection (a refused client keeps its edit locally, so each attempt starts clean). */
async function annaWrites(w: Workshop, change: (doc: Y.Doc) => void): Promise<{ writer: RawClient; refusal: ServerMessage | null }> {
  const writer = await rawSynced(w.annaNotes, w.anna.token);
  writer.edit(change);
  await writer.roundTrip();
  return { writer, refusal: writer.received.find(denied) ?? null };
}

/** What the facilitator's copy of Anna's notes shows after a barrier write of the facilitator's own. */
async function votesAtFacilitator(w: Workshop): Promise<Record<string, number>> {
  const marker = `barrier-${Math.random()}`;
  w.facilitatorOnAnna.edit((doc) => void addNote(doc, { questionId: '3a', text: marker, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
  await w.facilitatorOnAnna.roundTrip();
  return readVotes(w.facilitatorOnAnna.doc);
}

describe('dot-voting through the server', () => {
  it('honest votes within the budget are accepted and reach the facilitator; a vote over the budget is refused', async () => {
    const w = await workshop();
    await w.facilitatorSets((doc) => setVoting(doc, { open: true, votesPerPerson: 3 }, LOCAL_ORIGIN), (s) => s.voting?.open === true);

    const honest = await annaWrites(w, (doc) => {
      notesRoots(doc).votes.set(T1, 2);
      notesRoots(doc).votes.set(T2, 1);
    });
    expect(honest.refusal).toBeNull();
    await w.facilitatorOnAnna.waitFor(() => readVotes(w.facilitatorOnAnna.doc)[T2] === 1, 'the votes at the facilitator');

    const greedy = await annaWrites(w, (doc) => notesRoots(doc).votes.set(T2, 2));
    expect(greedy.refusal).toEqual({ type: 'permission-denied', reason: OVER_BUDGET.message });
    expect(greedy.writer.ws.readyState).toBe(greedy.writer.ws.OPEN);
    expect(await votesAtFacilitator(w)).toEqual({ [T1]: 2, [T2]: 1 });

    // Taking a vote back is always allowed, and then there is room for another.
    expect((await annaWrites(w, (doc) => notesRoots(doc).votes.set(T1, 1))).refusal).toBeNull();
    expect((await annaWrites(w, (doc) => notesRoots(doc).votes.set(T2, 2))).refusal).toBeNull();
    expect(await votesAtFacilitator(w)).toEqual({ [T1]: 1, [T2]: 2 });
  });

  it('the validator refuses a count above the hard maximum, a fraction, and a bad key', async () => {
    const w = await workshop();
    await w.facilitatorSets((doc) => setVoting(doc, { open: true, votesPerPerson: 100 }, LOCAL_ORIGIN), (s) => s.voting?.votesPerPerson === 100);
    for (const [key, value] of [[T1, 101], [T1, 0.5], ['note:Theme00000000001', 1]] as const) {
      const { refusal } = await annaWrites(w, (doc) => notesRoots(doc).votes.set(key, value));
      expect(refusal?.type).toBe('permission-denied');
      expect((refusal as { reason: string }).reason).toMatch(/^invalid-content: votes/);
    }
    expect(await votesAtFacilitator(w)).toEqual({});
  });

  it('no votes before voting opens or after it closes; taking back is allowed; a vote passes a locked wall, a note does not', async () => {
    const w = await workshop();
    expect((await annaWrites(w, (doc) => notesRoots(doc).votes.set(T1, 1))).refusal).toEqual({ type: 'permission-denied', reason: OVER_BUDGET.message });

    await w.facilitatorSets(
      (doc) => {
        setVoting(doc, { open: true, votesPerPerson: 2 }, LOCAL_ORIGIN);
        setWallLocked(doc, true, LOCAL_ORIGIN);
      },
      (s) => s.voting?.open === true && s.locked,
    );
    expect((await annaWrites(w, (doc) => notesRoots(doc).votes.set(T1, 2))).refusal).toBeNull();
    const note = await annaWrites(w, (doc) => void addNote(doc, { questionId: '3a', text: 'locked', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    expect(note.refusal).toEqual({ type: 'permission-denied', reason: DenyReason.wallLocked });

    await w.facilitatorSets((doc) => setVoting(doc, { open: false, votesPerPerson: 2 }, LOCAL_ORIGIN), (s) => s.voting?.open === false);
    expect((await annaWrites(w, (doc) => notesRoots(doc).votes.set(T2, 1))).refusal).toEqual({ type: 'permission-denied', reason: OVER_BUDGET.message });
    expect((await annaWrites(w, (doc) => notesRoots(doc).votes.delete(T1))).refusal).toBeNull();
    expect(await votesAtFacilitator(w)).toEqual({});
  });
});
