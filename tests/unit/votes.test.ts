import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { displayAuthor } from '../../shared/derive/anonymity';
import { showsTotals, tallyVotes } from '../../shared/derive/votes';
import { castVote } from '../../shared/ops/votes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { readVotes } from '../../shared/read/votes';
import { notesRoots } from '../../shared/schema/layout';
import { expectArvoError } from './helpers';

const T1 = 'theme:Theme00000000001';
const T2 = 'theme:Theme00000000002';
const A1 = 'action:Action0000000001';
const GONE = 'theme:Deleted000000001';
const live = (target: string) => target !== GONE;
const voting = { open: true, votesPerPerson: 3 };

describe('tallyVotes: each participant counts at most the budget, in key order', () => {
  it('sums honest ballots per target', () => {
    const tally = tallyVotes(
      [
        { participantId: 'p1', votes: { [T1]: 2, [A1]: 1 } },
        { participantId: 'p2', votes: { [T1]: 1, [T2]: 2 } },
      ],
      voting,
      live,
    );
    expect(tally.counts).toEqual({ [T1]: 3, [T2]: 2, [A1]: 1 });
    expect(tally.voters).toBe(2);
    expect(tally.spent).toEqual({ p1: 3, p2: 3 });
  });

  it('a hostile ballot over the budget counts only the first N votes in key order', () => {
    // Keys sort: action:… < theme:…1 < theme:…2 — so the action and T1 take the 3 votes, T2 none.
    const tally = tallyVotes([{ participantId: 'evil', votes: { [T2]: 100, [T1]: 2, [A1]: 1 } }], voting, live);
    expect(tally.counts).toEqual({ [A1]: 1, [T1]: 2 });
    expect(tally.spent.evil).toBe(3);
  });

  it('the same participant twice counts once; junk counts are ignored', () => {
    const tally = tallyVotes(
      [
        { participantId: 'p1', votes: { [T1]: 1, [T2]: -4, [A1]: 1.5 } },
        { participantId: 'p1', votes: { [T1]: 3 } },
      ],
      voting,
      live,
    );
    expect(tally.counts).toEqual({ [T1]: 1 });
  });

  it('votes on a deleted target use budget but count for nothing', () => {
    const tally = tallyVotes([{ participantId: 'p1', votes: { [GONE]: 2, [T1]: 5 } }], voting, live);
    expect(tally.counts).toEqual({ [T1]: 1 });
  });

  it('no voting session: nothing is counted', () => {
    expect(tallyVotes([{ participantId: 'p1', votes: { [T1]: 1 } }], null, live).counts).toEqual({});
  });

  it('totals: the facilitator sees them live, participants once voting is closed', () => {
    expect(showsTotals(voting, 'facilitator')).toBe(true);
    expect(showsTotals(voting, 'participant')).toBe(false);
    expect(showsTotals({ ...voting, open: false }, 'participant')).toBe(true);
    expect(showsTotals(null, 'facilitator')).toBe(false);
  });
});

describe('castVote: a participant votes in their own notes document', () => {
  it('stays within the budget, drops votes on deleted targets, and takes votes back', () => {
    const doc = new Y.Doc();
    castVote(doc, T1, 1, 3, live, LOCAL_ORIGIN);
    castVote(doc, T1, 1, 3, live, LOCAL_ORIGIN);
    castVote(doc, A1, 1, 3, live, LOCAL_ORIGIN);
    expectArvoError(() => castVote(doc, T2, 1, 3, live, LOCAL_ORIGIN), 'invalid-input');
    castVote(doc, T1, -1, 3, live, LOCAL_ORIGIN);
    castVote(doc, T2, 1, 3, live, LOCAL_ORIGIN);
    expect(readVotes(doc)).toEqual({ [T1]: 1, [A1]: 1, [T2]: 1 });
    notesRoots(doc).votes.set(GONE, 3);
    castVote(doc, T2, -1, 3, live, LOCAL_ORIGIN);
    expect(notesRoots(doc).votes.has(GONE)).toBe(false);
  });

  it('a bad target is refused', () => {
    expectArvoError(() => castVote(new Y.Doc(), 'note:x', 1, 3, live, LOCAL_ORIGIN), 'invalid-input');
  });

  it('readVotes skips what a hostile tool wrote', () => {
    const doc = new Y.Doc();
    const votes = notesRoots(doc).votes;
    votes.set(T1, 2);
    votes.set('bogus', 1);
    votes.set(T2, 'many');
    votes.set(A1, 1e9);
    expect(readVotes(doc)).toEqual({ [T1]: 2 });
  });
});

describe('displayAuthor: anonymous mode hides the author, for everyone', () => {
  it('shows the name normally and hides it when anonymous', () => {
    expect(displayAuthor('Maija', {})).toBe('Maija');
    expect(displayAuthor('Maija', { anonymous: false })).toBe('Maija');
    expect(displayAuthor('Maija', { anonymous: true })).toBe('');
  });
});
