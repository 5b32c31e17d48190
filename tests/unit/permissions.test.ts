import { describe, expect, it } from 'vitest';
import type { DocRef } from '../../shared/protocol/docNames';
import { accessTo, canRead, canWrite, type Access, type Claims } from '../../shared/protocol/permissions';
import type { Role } from '../../shared/schema/participant';
import { ID } from './helpers';

const claims = (role: Role): Claims => ({ workshopId: ID.workshop, participantId: ID.me, role, actorId: role === 'participant' ? ID.actorA : null });

const DOCS = {
  room: { kind: 'room', workshopId: ID.workshop },
  ownNotes: { kind: 'notes', workshopId: ID.workshop, participantId: ID.me },
  otherNotes: { kind: 'notes', workshopId: ID.workshop, participantId: ID.other },
  ownDrafts: { kind: 'drafts', workshopId: ID.workshop, participantId: ID.me },
  otherDrafts: { kind: 'drafts', workshopId: ID.workshop, participantId: ID.other },
  foreignRoom: { kind: 'room', workshopId: ID.otherWorkshop },
  foreignNotes: { kind: 'notes', workshopId: ID.otherWorkshop, participantId: ID.me },
  foreignDrafts: { kind: 'drafts', workshopId: ID.otherWorkshop, participantId: ID.me },
} satisfies Record<string, DocRef>;

type DocKey = keyof typeof DOCS;

/** The whole matrix, written out: one row per role, one column per document. */
const MATRIX: Record<Role, Record<DocKey, Access>> = {
  facilitator: {
    room: 'write',
    ownNotes: 'write',
    otherNotes: 'write',
    ownDrafts: 'write',
    otherDrafts: 'none',
    foreignRoom: 'none',
    foreignNotes: 'none',
    foreignDrafts: 'none',
  },
  participant: {
    room: 'read',
    ownNotes: 'write',
    otherNotes: 'read',
    ownDrafts: 'write',
    otherDrafts: 'none',
    foreignRoom: 'none',
    foreignNotes: 'none',
    foreignDrafts: 'none',
  },
  observer: {
    room: 'read',
    ownNotes: 'read',
    otherNotes: 'read',
    ownDrafts: 'none',
    otherDrafts: 'none',
    foreignRoom: 'none',
    foreignNotes: 'none',
    foreignDrafts: 'none',
  },
};

const CASES = (Object.keys(MATRIX) as Role[]).flatMap((role) =>
  (Object.keys(DOCS) as DocKey[]).map((doc) => ({ role, doc, expected: MATRIX[role][doc] })),
);

describe('accessTo', () => {
  it('covers 3 roles × 8 documents', () => {
    expect(CASES).toHaveLength(24);
  });

  it.each(CASES)('$role → $doc: $expected', ({ role, doc, expected }) => {
    const c = claims(role);
    expect(accessTo(c, DOCS[doc])).toBe(expected);
    expect(canRead(c, DOCS[doc])).toBe(expected !== 'none');
    expect(canWrite(c, DOCS[doc])).toBe(expected === 'write');
  });

  it('does not depend on the actor claim', () => {
    for (const doc of Object.values(DOCS)) {
      expect(accessTo({ ...claims('participant'), actorId: null }, doc)).toBe(accessTo(claims('participant'), doc));
    }
  });

  it('gives a foreign-workshop token nothing even when the participant id matches', () => {
    const foreign: Claims = { workshopId: ID.otherWorkshop, participantId: ID.me, role: 'facilitator', actorId: null };
    expect(accessTo(foreign, DOCS.ownNotes)).toBe('none');
    expect(accessTo(foreign, DOCS.ownDrafts)).toBe('none');
    expect(accessTo(foreign, DOCS.room)).toBe('none');
  });
});
