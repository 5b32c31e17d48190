import * as Y from 'yjs';
import { readVotes, votesSpent } from '../../shared/read/votes';
import { readSession } from '../../shared/read/snapshot';
import { notesRoots, ROOT } from '../../shared/schema/layout';
import type { DecodedUpdate, WritePolicy, WriteRefusal } from './docRoom';
import { wallLockPolicy } from './wallLock';

export const OVER_BUDGET: WriteRefusal = { label: 'votes-over-budget', message: 'votes-over-budget: no votes left, or voting is closed' };

/** More structs or deleted ranges than this and an update is not "just a vote" (votes are a few map entries). */
const VOTE_UPDATE_MAX_PARTS = 200;

/**
 * The write policy of a public notes document: the wall lock (wallLock.ts) and the dot-vote
 * budget. A participant's update that changes their `votes` root is applied to a scratch copy of
 * the document first; it is refused when it raises their total above the room's
 * `session.voting.votesPerPerson`, or raises it at all while voting is closed or was never opened
 * (taking votes back is always allowed). An update that touches nothing but `votes` is a vote,
 * not a wall edit: the wall lock does not apply to it, so voting works with the wall locked.
 * Facilitators are not limited (they do not vote as themselves; their tools may repair).
 */
export function notesWritePolicy(roomDoc: Y.Doc, notesDoc: Y.Doc): WritePolicy {
  const wallLock = wallLockPolicy(roomDoc);
  return (session, update, decode) => {
    if (session.claims.role === 'facilitator') return null;
    const touch = votesTouch(notesDoc, update, decode);
    if (touch === 'none') return wallLock(session, update, decode);
    const budget = budgetRefusal(roomDoc, notesDoc, update);
    if (budget) return budget;
    return touch === 'only' ? null : wallLock(session, update, decode);
  };
}

function budgetRefusal(roomDoc: Y.Doc, notesDoc: Y.Doc, update: Uint8Array): WriteRefusal | null {
  const before = votesSpent(readVotes(notesDoc));
  const probe = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(probe, Y.encodeStateAsUpdate(notesDoc));
    Y.applyUpdate(probe, update);
  } catch {
    return null; // Garbage: the room's decoding and content check refuse it with the right reason.
  } finally {
    probe.destroy();
  }
  const after = votesSpent(readVotes(probe));
  if (after <= before) return null;
  const { session } = readSession(roomDoc);
  const voting = session.voting;
  return voting && voting.open && after <= voting.votesPerPerson ? null : OVER_BUDGET;
}

/**
 * Whether an update writes to the `votes` root: 'none', 'some' (votes and other things), or
 * 'only'. A struct counts as a vote when its parent is the root `votes`, or it continues an entry
 * already in (or earlier in this update in) `votes`; a deleted range when every item in it is in
 * `votes`. Whatever cannot be shown to be a vote counts as something else, so doubt keeps the lock.
 */
export function votesTouch(doc: Y.Doc, update: Uint8Array, decode: () => DecodedUpdate = () => Y.decodeUpdate(update)): 'none' | 'some' | 'only' {
  let decoded: DecodedUpdate;
  try {
    decoded = decode();
  } catch {
    return 'none';
  }
  const votesMap = notesRoots(doc).votes;
  // What this update's own structs are (vote or not), by client: [first clock, end clock, vote]
  // per struct, searched only when an origin points into the update itself. A key string per
  // character of every struct was most of this check's cost for an ordinary note.
  const inUpdate = new Map<number, Array<[number, number, boolean]>>();
  const inThisUpdate = (id: Y.ID): boolean | null => {
    const ranges = inUpdate.get(id.client);
    if (ranges) for (const [from, to, vote] of ranges) if (id.clock >= from && id.clock < to) return vote;
    return null;
  };
  const inVotes = (id: Y.ID | null): boolean | null => {
    if (!id) return null;
    if (id.clock < Y.getState(doc.store, id.client)) {
      const item = Y.getItem(doc.store, id) as Y.Item | Y.GC;
      return item instanceof Y.Item && item.parent === votesMap;
    }
    return inThisUpdate(id);
  };
  let some = false;
  let other = decoded.structs.length > VOTE_UPDATE_MAX_PARTS;
  const count = Math.min(decoded.structs.length, VOTE_UPDATE_MAX_PARTS);
  for (let index = 0; index < count; index++) {
    const struct = decoded.structs[index]!;
    if (!(struct instanceof Y.Item)) {
      if (!(struct instanceof Y.Skip)) other = true;
      continue;
    }
    let vote: boolean;
    if (typeof struct.parent === 'string') vote = struct.parent === ROOT.votes;
    else if (struct.parent) vote = false;
    else vote = (inVotes(struct.origin) ?? inVotes(struct.rightOrigin)) === true;
    let ranges = inUpdate.get(struct.id.client);
    if (!ranges) inUpdate.set(struct.id.client, (ranges = []));
    ranges.push([struct.id.clock, struct.id.clock + struct.length, vote]);
    if (vote) some = true;
    else other = true;
  }
  let parts = 0;
  for (const [client, ranges] of decoded.ds.clients) {
    for (const range of ranges) {
      let clock = range.clock;
      const end = range.clock + range.len;
      while (clock < end) {
        if (++parts > VOTE_UPDATE_MAX_PARTS || clock >= Y.getState(doc.store, client)) {
          other = true;
          break;
        }
        const item = Y.getItem(doc.store, Y.createID(client, clock)) as Y.Item | Y.GC;
        if (item instanceof Y.Item && item.parent === votesMap) some = true;
        else other = true;
        clock = item.id.clock + item.length;
      }
    }
  }
  return !some ? 'none' : other ? 'some' : 'only';
}
