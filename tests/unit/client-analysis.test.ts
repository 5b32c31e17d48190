import { describe, expect, it } from 'vitest';
import type { Action } from '../../shared/schema/action';
import type { Actor } from '../../shared/schema/actor';
import type { Question } from '../../shared/schema/question';
import type { Theme } from '../../shared/schema/theme';
import { dice, jaccard, similarity, stem, suggestForTheme, suggestionsByTheme, themeSimilarity, tokens, words, SUGGESTION_THRESHOLD } from '../../client/src/analysis/similarity';
import {
  groupByTheme,
  isOverdue,
  isoDate,
  linkedRefs,
  movedOrder,
  notesOfKind,
  sortActions,
  strengthChoices,
  themeNameFrom,
  WholeRecordWriter,
  type KindNote,
} from '../../client/src/analysis/model';
import { formatDate } from '../../client/src/analysis/dates';

const id = (n: number) => `id${String(n).padStart(14, '0')}`;

describe('similarity: text → tokens', () => {
  it('lowercases, strips punctuation and splits on hyphens and spaces', () => {
    expect(words('Verkostot, yhteistyö-halukkuus & JOUSTAVUUS!')).toEqual(['verkostot', 'yhteistyö', 'halukkuus', 'joustavuus']);
    expect(words('  “Getting the big public organisations involved.” ')).toEqual(['getting', 'the', 'big', 'public', 'organisations', 'involved']);
  });

  it('drops stopwords per language and one-letter words', () => {
    expect([...tokens('Meillä on paljon verkostoja ja yhteistyötä', 'fi')]).not.toContain('ja');
    expect(tokens('ja on ei se että', 'fi').size).toBe(0);
    expect(tokens('the and of to a', 'en').size).toBe(0);
    // Stopwords are language-specific: "on" is a Finnish verb form but an English preposition.
    expect(tokens('on', 'fi').size).toBe(0);
    expect(tokens('on', 'en').size).toBe(0);
    expect(tokens('and', 'fi').size).toBe(1);
  });

  it('stems Finnish case endings so inflected forms meet', () => {
    expect(stem('yhdistyksillä', 'fi')).toBe(stem('yhdistys', 'fi'));
    expect(stem('palvelujen', 'fi')).toBe(stem('palvelu', 'fi'));
    expect(stem('palveluiden', 'fi')).toBe(stem('palvelut', 'fi'));
    expect(stem('viestinnän', 'fi')).toBe(stem('viestintä', 'fi'));
    expect(stem('kohderyhmään', 'fi')).toBe(stem('kohderyhmä', 'fi'));
    expect(stem('verkostoissa', 'fi')).toBe(stem('verkostot', 'fi'));
    // Short words keep their endings (nothing left to compare otherwise).
    expect(stem('työ', 'fi')).toBe('työ');
    // Consonant gradation and vowel length: doubled letters are collapsed.
    expect(stem('reittien', 'fi')).toBe(stem('reitit', 'fi'));
  });

  it('stems English inflections lightly', () => {
    expect(stem('organisations', 'en')).toBe(stem('organisation', 'en'));
    expect(stem('communities', 'en')).toBe(stem('community', 'en'));
    expect(stem('scheduling', 'en')).toBe(stem('schedule', 'en'));
    expect(stem('class', 'en')).toBe('class');
  });
});

describe('similarity: set measures', () => {
  it('Dice and Jaccard agree on the extremes and differ in between', () => {
    const a = new Set(['x', 'y']);
    expect(dice(a, a)).toBe(1);
    expect(jaccard(a, a)).toBe(1);
    expect(dice(a, new Set(['z']))).toBe(0);
    expect(dice(a, new Set())).toBe(0);
    expect(jaccard(new Set(), new Set())).toBe(0);
    expect(dice(a, new Set(['y', 'z']))).toBeCloseTo(0.5);
    expect(jaccard(a, new Set(['y', 'z']))).toBeCloseTo(1 / 3);
  });

  it('is symmetric and between 0 and 1', () => {
    const pairs: Array<[string, string]> = [
      ['Aikataulut ja reitit', 'Reittien aikataulut eivät sovi'],
      ['Suspicion of the new', 'Communication between organisations'],
    ];
    for (const [a, b] of pairs) {
      for (const language of ['fi', 'en'] as const) {
        const s = similarity(a, b, language);
        expect(s).toBe(similarity(b, a, language));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('similarity in Finnish (the LINKKU pilot)', () => {
  it('finds notes about the same thing despite inflection', () => {
    expect(similarity('Palvelujen saavutettavuus', 'Palveluiden saavutettavuus on huono', 'fi')).toBeGreaterThanOrEqual(SUGGESTION_THRESHOLD);
    expect(similarity('Kohderyhmän tavoittaminen', 'Miten tavoitamme kohderyhmän?', 'fi')).toBeGreaterThanOrEqual(SUGGESTION_THRESHOLD);
    expect(similarity('Yhteistyön johtaminen', 'Yhteistyötä ei johdeta kenenkään toimesta', 'fi')).toBeGreaterThanOrEqual(SUGGESTION_THRESHOLD);
  });

  it('keeps unrelated notes apart', () => {
    expect(similarity('Aikataulut ja reitit', 'Epäluulo uutta kohtaan', 'fi')).toBeLessThan(SUGGESTION_THRESHOLD);
    expect(similarity('Viestintä', 'Isojen julkisten organisaatioiden mukaan saaminen', 'fi')).toBe(0);
  });

  it('suggests the right notes for a theme, best first, by name or by its notes', () => {
    const candidates = [
      { id: 'a', text: 'Isojen julkisten organisaatioiden mukaan saaminen' },
      { id: 'b', text: 'Aikataulut eivät sovi yhteen' },
      { id: 'c', text: 'Viestintä toimijoiden välillä puuttuu' },
      { id: 'd', text: 'Reittien ja aikataulujen suunnittelu' },
    ];
    const found = suggestForTheme(candidates, 'Palvelujen saatavuus', ['Aikataulut, reitit yms.'], 'fi');
    expect(found.map((s) => s.note.id)).toEqual(['d', 'b']);
    expect(found[0]!.score).toBeGreaterThanOrEqual(found[1]!.score);
    expect(themeSimilarity('Viestintä on puutteellista', 'Asenteet', ['Viestintä'], 'fi')).toBe(1 * (2 / 3));
  });
});

describe('similarity in English', () => {
  it('matches inflected forms and ignores stopwords', () => {
    expect(similarity('Getting the big public organisations involved', 'Public organisation is hard to involve', 'en')).toBeGreaterThanOrEqual(SUGGESTION_THRESHOLD);
    expect(similarity('Scheduling and routes', 'Routes and schedules do not match', 'en')).toBeGreaterThanOrEqual(SUGGESTION_THRESHOLD);
    expect(similarity('Suspicion of the new', 'Reaching the target group', 'en')).toBe(0);
  });

  it('gives a suggestion map per theme, only above the threshold', () => {
    const themes = [
      { id: 't1', name: 'Attitudes' },
      { id: 't2', name: 'Availability of services' },
    ];
    const candidates = [
      { ref: 'p/1', text: 'Negative attitudes towards new things' },
      { ref: 'p/2', text: 'Services are not available in the evening' },
      { ref: 'p/3', text: 'Lack of money' },
    ];
    const map = suggestionsByTheme(themes, candidates, new Map([['t1', ['Suspicion of the new']]]), 'en');
    expect([...map.get('t1')!]).toEqual(['p/1']);
    expect([...map.get('t2')!]).toEqual(['p/2']);
  });
});

// ——— model helpers ———

const actors: Actor[] = [
  { id: id(1), name: 'Associations', color: '#77aadd', order: 1 },
  { id: id(2), name: 'LINKKU', color: '#ee8866', order: 2 },
  { id: id(3), name: 'Students', color: '#eedd88', order: 3 },
];
const questions: Question[] = [
  { id: '3a', order: 5, kind: 'strength', perActor: false, text: { fi: '', en: '' } },
  { id: '4a', order: 7, kind: 'challenge', perActor: false, text: { fi: '', en: '' } },
  { id: '4b', order: 8, kind: 'challenge', perActor: false, text: { fi: '', en: '' } },
];
const note = (n: number, actorId: string | null, questionId: string, text: string, extra: Partial<KindNote> = {}): KindNote => ({
  id: id(100 + n),
  participantId: id(200 + n),
  actorId,
  authorName: `Person ${n}`,
  questionId,
  text,
  createdAt: n,
  ...extra,
});

describe('notesOfKind', () => {
  it('keeps posted, non-empty notes of the kind, ordered by actor then time', () => {
    const notes = [
      note(1, id(3), '4a', 'Students challenge'),
      note(2, id(1), '4b', 'Association challenge'),
      note(3, id(1), '3a', 'A strength'),
      note(4, id(2), '4a', 'A draft', { draft: true }),
      note(5, id(2), '4a', '   '),
      note(6, null, '4a', 'Unknown actor'),
      note(0, id(3), '4b', 'Earlier students challenge'),
    ];
    expect(notesOfKind(notes, questions, actors, 'challenge').map((n) => n.text)).toEqual(['Association challenge', 'Earlier students challenge', 'Students challenge', 'Unknown actor']);
    expect(notesOfKind(notes, questions, actors, 'strength').map((n) => n.text)).toEqual(['A strength']);
  });
});

describe('movedOrder', () => {
  const list = [{ order: 1 }, { order: 2 }, { order: 3 }, { order: 4 }];
  it('puts the theme between its new neighbours', () => {
    expect(movedOrder(list, 2, -1)).toBe(1.5);
    expect(movedOrder(list, 1, 1)).toBe(3.5);
    expect(movedOrder(list, 1, -1)).toBe(0);
    expect(movedOrder(list, 2, 1)).toBe(5);
  });
  it('does nothing at the ends', () => {
    expect(movedOrder(list, 0, -1)).toBeNull();
    expect(movedOrder(list, 3, 1)).toBeNull();
  });
  it('still moves past a neighbour with an equal order', () => {
    const same = [{ order: 1 }, { order: 2 }, { order: 2 }];
    const order = movedOrder(same, 0, 1)!;
    expect(order).toBeGreaterThan(2);
  });
});

describe('themeNameFrom', () => {
  it('uses the note, cut at a word when long', () => {
    expect(themeNameFrom('  Communication\nbetween us ')).toBe('Communication between us');
    const name = themeNameFrom('Getting the big public organisations involved in the collaboration from the start', 40);
    expect(name.endsWith('…')).toBe(true);
    expect(name.length).toBeLessThanOrEqual(41);
    expect(name).not.toMatch(/ …$/);
  });
});

describe('strengthChoices, linkedRefs and groupByTheme', () => {
  const strengthTheme: Theme = { id: id(50), name: 'Networks', kind: 'strength', order: 1, need: '' };
  const strengths = [note(1, id(1), '3a', 'Networks'), note(2, id(2), '3a', 'Learning environments'), note(3, id(1), '3a', 'Flexibility')];

  it('offers unlinked strength themes and notes grouped by actor', () => {
    const linked = new Set([`note:${strengths[1]!.participantId}/${strengths[1]!.id}`]);
    const choices = strengthChoices([strengthTheme], strengths, linked);
    expect(choices.themes).toEqual([{ ref: `theme:${id(50)}`, label: 'Networks' }]);
    expect(choices.byActor).toEqual([{ actorId: id(1), notes: [expect.objectContaining({ label: 'Networks' }), expect.objectContaining({ label: 'Flexibility' })] }]);
    expect(strengthChoices([strengthTheme], [], new Set([`theme:${id(50)}`])).themes).toEqual([]);
  });

  it('collects the links per challenge theme and the members per theme', () => {
    const map = linkedRefs([
      { challengeThemeId: 'c1', strengthRef: 'theme:x' },
      { challengeThemeId: 'c1', strengthRef: 'note:p/n' },
      { challengeThemeId: 'c2', strengthRef: 'theme:x' },
    ]);
    expect([...map.get('c1')!]).toEqual(['theme:x', 'note:p/n']);
    expect(map.get('c3')).toBeUndefined();
    const groups = groupByTheme([{ ref: 'a' }, { ref: 'b' }, { ref: 'c' }], { a: 't1', c: 't1', b: 't2' });
    expect(groups.get('t1')!.map((x) => x.ref)).toEqual(['a', 'c']);
    expect(groups.get('t2')!.map((x) => x.ref)).toEqual(['b']);
  });
});

describe('actions: overdue and sorting', () => {
  const action = (n: number, patch: Partial<Action>): Action => ({
    id: id(300 + n),
    themeId: null,
    what: `Action ${n}`,
    ownerActorId: null,
    ownerName: '',
    checkDate: '',
    status: 'planned',
    notes: '',
    createdAt: n,
    ...patch,
  });

  it('is overdue only when the date has passed and it is still open', () => {
    const today = '2025-05-10';
    expect(isOverdue({ checkDate: '2025-05-09', status: 'planned' }, today)).toBe(true);
    expect(isOverdue({ checkDate: '2025-05-09', status: 'in-progress' }, today)).toBe(true);
    expect(isOverdue({ checkDate: '2025-05-10', status: 'planned' }, today)).toBe(false);
    expect(isOverdue({ checkDate: '2025-05-09', status: 'done' }, today)).toBe(false);
    expect(isOverdue({ checkDate: '2025-05-09', status: 'dropped' }, today)).toBe(false);
    expect(isOverdue({ checkDate: '', status: 'planned' }, today)).toBe(false);
  });

  it('formats today in local time as a date input does', () => {
    expect(isoDate(new Date(2025, 0, 3, 23, 59).getTime())).toBe('2025-01-03');
  });

  it('sorts by check date (undated last), status, or owner', () => {
    const list = [
      action(1, { checkDate: '2025-06-01', status: 'done', ownerActorId: id(2) }),
      action(2, { checkDate: '', status: 'in-progress', ownerActorId: null, ownerName: 'Zed' }),
      action(3, { checkDate: '2025-05-01', status: 'planned', ownerActorId: id(3) }),
      action(4, { checkDate: '2025-05-15', status: 'dropped', ownerActorId: id(1) }),
      action(5, { checkDate: '2025-05-20', status: 'planned', ownerActorId: id(2), ownerName: 'Anna' }),
    ];
    const ids = (sorted: Action[]) => sorted.map((a) => a.what.slice(-1));
    expect(ids(sortActions(list, 'checkDate', actors))).toEqual(['3', '4', '5', '1', '2']);
    expect(ids(sortActions(list, 'status', actors))).toEqual(['2', '3', '5', '1', '4']);
    expect(ids(sortActions(list, 'owner', actors))).toEqual(['4', '5', '1', '3', '2']);
  });
});

describe('formatDate', () => {
  it('writes dates the local way', () => {
    expect(formatDate('2025-05-03', 'fi')).toBe('3.5.2025');
    expect(formatDate('2025-05-03', 'en')).toBe('3 May 2025');
    expect(formatDate('', 'en')).toBe('');
  });
});

describe('WholeRecordWriter', () => {
  it('sends the whole record with recent writes laid over a stale snapshot', () => {
    const writer = new WholeRecordWriter<{ a: string; b: string; c: string }>(1000);
    const stale = { a: '1', b: '1', c: '1' };
    expect(writer.next('x', stale, { a: '2' }, 0)).toEqual({ a: '2', b: '1', c: '1' });
    // The snapshot has not caught up yet: the first edit is kept.
    expect(writer.next('x', stale, { b: '2' }, 10)).toEqual({ a: '2', b: '2', c: '1' });
    // Later the snapshot is the truth again.
    expect(writer.next('x', { a: '9', b: '9', c: '9' }, { c: '2' }, 5000)).toEqual({ a: '9', b: '9', c: '2' });
    // Records are kept apart.
    expect(writer.next('y', stale, { c: '3' }, 5001)).toEqual({ a: '1', b: '1', c: '3' });
  });
});
