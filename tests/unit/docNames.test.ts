import { describe, expect, it } from 'vitest';
import {
  docKindOf,
  docName,
  draftsDocName,
  notesDocName,
  parseDocName,
  roomDocName,
  type DocRef,
} from '../../shared/protocol/docNames';
import { newId } from '../../shared/schema/ids';
import { ID } from './helpers';

describe('docName / parseDocName', () => {
  const refs: DocRef[] = [
    { kind: 'room', workshopId: ID.workshop },
    { kind: 'notes', workshopId: ID.workshop, participantId: ID.me },
    { kind: 'drafts', workshopId: ID.workshop, participantId: ID.me },
  ];

  it('formats each kind as documented', () => {
    expect(docName(refs[0]!)).toBe('Workshop00000001');
    expect(docName(refs[1]!)).toBe('Workshop00000001/p/Participant00001');
    expect(docName(refs[2]!)).toBe('Workshop00000001/drafts/Participant00001');
    expect(roomDocName(ID.workshop)).toBe('Workshop00000001');
    expect(notesDocName(ID.workshop, ID.me)).toBe('Workshop00000001/p/Participant00001');
    expect(draftsDocName(ID.workshop, ID.me)).toBe('Workshop00000001/drafts/Participant00001');
  });

  it.each(refs)('round-trips %o', (ref) => {
    const name = docName(ref);
    expect(parseDocName(name)).toEqual(ref);
    expect(docKindOf(parseDocName(name)!)).toBe(ref.kind);
  });

  it('round-trips freshly generated ids', () => {
    for (let i = 0; i < 50; i++) {
      const ref: DocRef = { kind: 'notes', workshopId: newId(), participantId: newId() };
      expect(parseDocName(docName(ref))).toEqual(ref);
    }
  });

  it.each([
    ['empty', ''],
    ['short workshop id', 'Workshop0000001'],
    ['long workshop id', 'Workshop000000001'],
    ['short participant id', 'Workshop00000001/p/Participant0001'],
    ['long participant id', 'Workshop00000001/p/Participant000001'],
    ['path traversal', '../Workshop00000001'],
    ['path traversal in segment', 'Workshop00000001/p/../../etc/passwd'],
    ['dot-dot as participant', 'Workshop00000001/p/..'],
    ['absolute path', '/Workshop00000001'],
    ['trailing slash', 'Workshop00000001/'],
    ['extra segment', 'Workshop00000001/p/Participant00001/x'],
    ['extra segment with id', 'Workshop00000001/p/Participant00001/p/Participant00002'],
    ['unknown segment', 'Workshop00000001/notes/Participant00001'],
    ['segment without id', 'Workshop00000001/p'],
    ['upper-case segment', 'Workshop00000001/P/Participant00001'],
    ['url-encoded slash', 'Workshop00000001%2Fp%2FParticipant00001'],
    ['backslash', 'Workshop00000001\\p\\Participant00001'],
    ['trailing newline', 'Workshop00000001\n'],
    ['whitespace', ' Workshop00000001'],
    ['query string', 'Workshop00000001?x=1'],
    ['bad character', 'Workshop0000000-'],
  ])('rejects %s', (_what, name) => {
    expect(parseDocName(name)).toBeNull();
  });
});
