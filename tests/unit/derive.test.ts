import { describe, expect, it } from 'vitest';
import { deriveCurrentFlows, deriveFutureFlows, guessFlowKind } from '../../shared/derive/flows';
import { buildMatrix, type Matrix } from '../../shared/derive/matrix';
import { refOf, type WallNote } from '../../shared/derive/types';
import { memoInputFromDocs } from '../../shared/memo/input';
import { assignNote, createTheme, linkStrength } from '../../shared/ops/analysis';
import { LOCAL_ORIGIN } from '../../shared/origins';
import type { AnalysisSnapshot } from '../../shared/read/analysis';
import { templateQuestions } from '../../shared/templates/questions';
import * as Yjs from 'yjs';
import { ID_PATTERN } from '../../shared/schema/ids';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { readAnalysis } from '../../shared/read/analysis';
import { buildLinkkuWorkshop, linkkuDocUpdates, linkkuIds, linkkuMemoInput, linkkuNoteText, LINKKU_TIMES } from '../fixtures/linkku';
import { ID, NOW } from './helpers';

const ids = linkkuIds('en');
const A = ids.actors;

/** A matrix as plain words: what a facilitator would read off the table. */
function table(matrix: Matrix) {
  return matrix.rows.map((row) => ({
    theme: row.theme.name,
    challenges: row.challenges.map((n) => n.text),
    strengths: row.strengths.map((g) => [g.actor.name, g.items.map((i) => i.label)]),
    unsolved: row.unsolved,
  }));
}

function linkkuMatrix() {
  const { room, analysis, notes } = linkkuMemoInput('en');
  return buildMatrix(analysis, notes, room.actors);
}

describe('the LINKKU fixture', () => {
  it('is valid, complete and reproducible byte for byte', () => {
    const a = buildLinkkuWorkshop('en');
    const b = buildLinkkuWorkshop('en');
    expect(linkkuDocUpdates(a)).toEqual(linkkuDocUpdates(b));
    expect(linkkuDocUpdates(a).map((d) => d.name)).toEqual([ids.workshop, ...ids.writers.map((p) => `${ids.workshop}/p/${p}`)]);
    expect(readRoom(a.room).problems).toEqual([]);
    for (const doc of a.notesDocs.values()) expect(readNotes(doc).problems).toEqual([]);
    const everyId = [ids.workshop, ...Object.values(ids.actors), ...Object.values(ids.participants), ...Object.values(ids.themes), ...ids.flows, ...ids.actions, ...Object.values(ids.notes).map((n) => n.noteId)];
    expect(everyId.filter((id) => !ID_PATTERN.test(id))).toEqual([]);
    expect(new Set(everyId).size).toBe(everyId.length);
    // Replaying the updates into empty documents gives the same workshop.
    const copy = new Yjs.Doc();
    Yjs.applyUpdate(copy, linkkuDocUpdates(a)[0]!.update);
    expect(readAnalysis(copy)).toEqual(readAnalysis(a.room));
  });

  it('every actor answered every question, 1a and 2a about each other actor', () => {
    const { room, notes } = linkkuMemoInput('en');
    for (const actor of room.actors) {
      for (const question of room.questions) {
        const answers = notes.filter((n) => n.actorId === actor.id && n.questionId === question.id);
        if (!question.perActor) expect(answers.length, `${actor.name} ${question.id}`).toBeGreaterThan(0);
        else for (const other of room.actors.filter((o) => o.id !== actor.id)) expect(answers.some((n) => n.aboutActorId === other.id), `${actor.name} ${question.id} ${other.name}`).toBe(true);
      }
    }
    expect(room.participants.map((p) => [p.name, p.role])).toEqual([
      ['Aino Virtanen', 'participant'], ['Pekka Laine', 'participant'], ['Sanna Koskinen', 'participant'], ['Mikko Heikkinen', 'participant'],
      ['Laura Nieminen', 'participant'], ['Riikka Mäkelä', 'facilitator'], ['Jussi Salo', 'observer'],
    ]);
  });

  it('has the same ids in both languages except the workshop, and Finnish text in Finnish', () => {
    const fiIds = linkkuIds('fi');
    expect({ ...fiIds, workshop: ids.workshop }).toEqual(ids);
    expect(fiIds.workshop).not.toBe(ids.workshop);
    expect(linkkuNoteText('assoc.3b.reliability', 'fi')).toBe('Luotettavuus, pitkät perinteet toiminnassa');
    expect(buildLinkkuWorkshop('fi').room.getMap('meta').get('language')).toBe('fi');
  });
});

describe('buildMatrix on the LINKKU pilot', () => {
  it('gives exactly the three rows of METHOD.md, strengths grouped by whose they are', () => {
    expect(table(linkkuMatrix())).toEqual([
      {
        theme: 'Collaboration and its management',
        challenges: ['using experience and expertise', "using the network's know-how", 'getting the big public organisations involved'],
        strengths: [
          ['Associations', ['networks', 'willingness to collaborate', 'flexibility']],
          ['LINKKU', ['networks', 'offers learning environments']],
          ['Students', ['commitment to project-based learning', 'keen teachers', "the university's pedagogical policy"]],
        ],
        unsolved: false,
      },
      {
        theme: 'Attitudes',
        challenges: ['suspicion of the new', 'communication'],
        strengths: [['Associations', ['reliability and long traditions', 'easy to approach', 'communication']]],
        unsolved: false,
      },
      {
        theme: 'Availability of services',
        challenges: ['scheduling, routes etc.', 'reaching the target group'],
        strengths: [
          ['Associations', ['local knowledge']],
          ['LINKKU', ['can take expertise anywhere']],
        ],
        unsolved: false,
      },
    ]);
  });

  it('the Finnish pilot gives the handbook’s own rows (Kuvio 7)', () => {
    const { room, analysis, notes } = linkkuMemoInput('fi');
    const rows = table(buildMatrix(analysis, notes, room.actors));
    expect(rows.map((r) => r.theme)).toEqual(['Yhteistyö ja sen johtaminen', 'Asenteet', 'Palvelujen saatavuus']);
    expect(rows[1]!.strengths).toEqual([['Yhdistykset', ['Luotettavuus, pitkät perinteet toiminnassa', 'Helposti lähestyttävä', 'Tiedotus/viestintä']]]);
    expect(rows[2]!.strengths).toEqual([['Yhdistykset', ['Paikallistuntemus']], ['LINKKU', ['Mahdollisuus viedä osaamista minne vain']]]);
  });

  it('each strength item carries the note it stands for, with the right actor', () => {
    const matrix = linkkuMatrix();
    for (const row of matrix.rows) {
      for (const group of row.strengths) {
        for (const item of group.items) {
          expect(item.ref).toMatch(/^note:/);
          expect(item.notes).toHaveLength(1);
          expect(item.notes[0]!.actorId).toBe(group.actor.id);
          expect(item.ref).toBe(`note:${refOf(item.notes[0]!)}`);
        }
      }
    }
  });

  it('flags a challenge theme with no linked strength as unsolved', () => {
    const workshop = buildLinkkuWorkshop('en');
    const theme = createTheme(workshop.room, { name: 'Study timetables', kind: 'challenge' }, LOCAL_ORIGIN);
    assignNote(workshop.room, ids.notes['students.4b.studyTimetable'].ref, theme.id, LOCAL_ORIGIN);
    const { room, analysis, notes } = memoInputFromDocs(workshop.room, workshop.notesDocs, { generatedAt: LINKKU_TIMES.memo });
    const rows = table(buildMatrix(analysis, notes, room.actors));
    expect(rows.map((r) => [r.theme, r.unsolved])).toEqual([
      ['Collaboration and its management', false],
      ['Attitudes', false],
      ['Availability of services', false],
      ['Study timetables', true],
    ]);
    expect(rows[3]).toEqual({ theme: 'Study timetables', challenges: ['fitting the bus visits into the study timetable'], strengths: [], unsolved: true });
  });

  it('a linked strength theme counts for every actor with notes in it, once per actor', () => {
    const workshop = buildLinkkuWorkshop('en');
    linkStrength(workshop.room, ids.themes.availability, `theme:${ids.themes.localPresence}`, LINKKU_TIMES.workshopII, LOCAL_ORIGIN);
    const { room, analysis, notes } = memoInputFromDocs(workshop.room, workshop.notesDocs, { generatedAt: LINKKU_TIMES.memo });
    const row = buildMatrix(analysis, notes, room.actors).rows[2]!;
    const themeItem = (actorName: string) => row.strengths.find((g) => g.actor.name === actorName)!.items.find((i) => i.ref.startsWith('theme:'))!;
    expect(themeItem('Associations').label).toBe('Local presence');
    expect(themeItem('Associations').notes.map((n) => n.text)).toEqual(['flexibility', 'reliability and long traditions', 'easy to approach', 'local knowledge']);
    expect(themeItem('LINKKU').notes.map((n) => n.text)).toEqual(['can take expertise anywhere']);
    expect(row.strengths.map((g) => g.actor.name)).toEqual(['Associations', 'LINKKU']);
  });

  it('skips links to notes or themes that no longer exist, and themes of unknown actors', () => {
    const { room, analysis, notes } = linkkuMemoInput('en');
    const broken: AnalysisSnapshot = {
      ...analysis,
      matrix: [
        ...analysis.matrix,
        { challengeThemeId: ids.themes.attitudes, strengthRef: `note:${ID.me}/NoteGone00000001`, createdAt: NOW },
        { challengeThemeId: ids.themes.attitudes, strengthRef: 'theme:ThemeGone0000001', createdAt: NOW },
      ],
    };
    expect(table(buildMatrix(broken, notes, room.actors))).toEqual(table(buildMatrix(analysis, notes, room.actors)));
  });

  it('countsByActor: linked strength notes and themed challenge notes per actor', () => {
    expect(linkkuMatrix().countsByActor.map((c) => [c.actor.name, c.strengths, c.challenges])).toEqual([
      ['Associations', 7, 2],
      ['LINKKU', 3, 3],
      ['Students', 3, 2],
    ]);
  });
});

// ——— value flows ———

const QUESTIONS = templateQuestions('value-network');
let seq = 0;
function note(actorId: string | null, questionId: string, text: string, aboutActorId: string | null = null): WallNote {
  seq += 1;
  return { id: `Note${String(seq).padStart(12, '0')}`, participantId: ID.me, authorName: 'Aino', actorId, questionId, aboutActorId, text, createdAt: NOW + seq };
}
const X = ID.actorA;
const Y = ID.actorB;

describe('deriveCurrentFlows', () => {
  it('1a offers flow writer → about, 1b writer → clients, 2a about → writer, 2b clients → writer', () => {
    const notes = [note(X, '1a', 'tiloja', Y), note(X, '1b', 'toimintaa'), note(X, '2a', 'tietoa', Y), note(X, '2b', 'palautetta')];
    expect(deriveCurrentFlows(notes, QUESTIONS)).toEqual([
      { from: X, to: Y, noteRefs: [refOf(notes[0]!)], label: 'tiloja', kind: 'tangible' },
      { from: X, to: 'clients', noteRefs: [refOf(notes[1]!)], label: 'toimintaa', kind: 'intangible' },
      { from: Y, to: X, noteRefs: [refOf(notes[2]!)], label: 'tietoa', kind: 'intangible' },
      { from: 'clients', to: X, noteRefs: [refOf(notes[3]!)], label: 'palautetta', kind: 'intangible' },
    ]);
  });

  it('groups notes of the same direction into one flow, whichever side wrote them', () => {
    // X offers to Y (1a by X), and Y benefits from X (2a by Y): both are value flowing X → Y.
    const notes = [note(X, '1a', 'tiloja', Y), note(Y, '2a', 'tiloja iltaisin', X), note(X, '1a', 'vapaaehtoisia', Y)];
    expect(deriveCurrentFlows(notes, QUESTIONS)).toEqual([{ from: X, to: Y, noteRefs: notes.map(refOf), label: 'tiloja; tiloja iltaisin; vapaaehtoisia', kind: 'tangible' }]);
  });

  it('ignores strengths, challenges, notes without an actor, per-actor notes about nobody or about the writer', () => {
    const notes = [note(X, '3a', 'verkostot'), note(X, '4b', 'reitit'), note(null, '1b', 'vetäjän lappu'), note(X, '1a', 'kenelle?'), note(X, '2a', 'itseltä', X), note(X, 'zz', 'tuntematon')];
    expect(deriveCurrentFlows(notes, QUESTIONS)).toEqual([]);
  });

  it('shortens a long label to 120 characters', () => {
    const [flow] = deriveCurrentFlows([note(X, '1b', 'a'.repeat(100)), note(X, '1b', 'b'.repeat(100))], QUESTIONS);
    expect(flow!.label).toHaveLength(118);
    expect(flow!.label.endsWith('…')).toBe(true);
  });

  it('on the LINKKU pilot: one flow per ordered pair of actors, to and from the clients', () => {
    const { notes, room } = linkkuMemoInput('en');
    const flows = deriveCurrentFlows(notes, room.questions);
    const name = (node: string) => room.actors.find((a) => a.id === node)?.name ?? node;
    expect(flows.map((f) => `${name(f.from)} → ${name(f.to)}`).sort()).toEqual(
      [
        'Associations → LINKKU', 'Associations → Students', 'Associations → clients', 'clients → Associations',
        'LINKKU → Associations', 'LINKKU → Students', 'LINKKU → clients', 'clients → LINKKU',
        'Students → Associations', 'Students → LINKKU', 'Students → clients', 'clients → Students',
      ].sort(),
    );
    // Associations → LINKKU: the associations' two offers to LINKKU and LINKKU's benefit from them.
    const toLinkku = flows.find((f) => f.from === A.associations && f.to === A.linkku)!;
    expect(toLinkku.noteRefs).toEqual([ids.notes['assoc.1a.villageVolunteers'].ref, ids.notes['assoc.1a.meetingPlaces'].ref, ids.notes['linkku.2a.contacts'].ref]);
    expect(toLinkku.label).toBe('volunteers who know the villages; meeting places in the villages; contacts with residents');
  });
});

describe('deriveFutureFlows', () => {
  it('on the LINKKU pilot: each strength flows from its actor to the other actors who named the challenge', () => {
    const flows = deriveFutureFlows(linkkuMatrix());
    const name = (id: string) => Object.entries(A).find(([, v]) => v === id)?.[0] ?? id;
    // The label says what flows (the strengths), not which challenge themes they answer.
    expect(flows.map((f) => [name(f.from), name(f.to), f.label, f.kind])).toEqual([
      ['associations', 'students', 'networks; willingness to collaborate; flexibility; reliability and long traditions; easy to approach; communication', 'intangible'],
      ['associations', 'linkku', 'networks; willingness to collaborate; flexibility; reliability and long traditions; easy to approach; communication; …', 'intangible'],
      ['linkku', 'students', 'networks; offers learning environments', 'intangible'],
      ['linkku', 'associations', 'networks; offers learning environments; can take expertise anywhere', 'intangible'],
      ['students', 'linkku', "commitment to project-based learning; keen teachers; the university's pedagogical policy", 'intangible'],
      ['students', 'associations', "commitment to project-based learning; keen teachers; the university's pedagogical policy", 'intangible'],
    ]);
    for (const f of flows) expect(f.label).not.toMatch(/Collaboration and its management|Attitudes|Availability of services/);
    const n = ids.notes;
    const assocToLinkku = flows.find((f) => f.from === A.associations && f.to === A.linkku)!;
    expect(assocToLinkku.noteRefs).toEqual(
      (['assoc.3a.networks', 'assoc.3a.willingness', 'assoc.3a.flexibility', 'assoc.3b.reliability', 'assoc.3b.approachable', 'assoc.3a.communication', 'assoc.3b.localKnowledge'] as const).map((k) => n[k].ref),
    );
  });

  it('a challenge named only by the strength’s own actor flows to the clients; unsolved rows give nothing', () => {
    const theme = (id: string, name: string) => ({ id, name, kind: 'challenge' as const, order: 1, need: '' });
    const actor = { id: X, name: 'Kunta', color: '#77aadd', order: 1 };
    const own = note(X, '4b', 'jonot');
    const strength = note(X, '3b', 'ammattilaiset');
    const matrix: Matrix = {
      rows: [
        { theme: theme('ThemeOwn00000001', 'Jonot'), challenges: [own], strengths: [{ actor, items: [{ ref: `note:${refOf(strength)}`, label: 'ammattilaiset', notes: [strength] }] }], unsolved: false },
        { theme: theme('ThemeNone0000001', 'Ratkaisematon'), challenges: [note(Y, '4a', 'luottamus')], strengths: [], unsolved: true },
      ],
      countsByActor: [],
    };
    expect(deriveFutureFlows(matrix)).toEqual([{ from: X, to: 'clients', noteRefs: [refOf(strength)], label: 'ammattilaiset', kind: 'intangible' }]);
  });

  it('guesses tangible from the strength or from the need it meets', () => {
    const actor = { id: X, name: 'Kunta', color: '#77aadd', order: 1 };
    const strength = note(X, '3b', 'iso sali');
    const other = note(X, '3b', 'osaamista');
    const row = (name: string, need: string, s: WallNote, label: string) => ({
      theme: { id: `Theme${name}`.padEnd(16, '0').slice(0, 16), name, kind: 'challenge' as const, order: 1, need },
      challenges: [note(Y, '4a', 'x')],
      strengths: [{ actor, items: [{ ref: `note:${refOf(s)}`, label, notes: [s] }] }],
      unsolved: false,
    });
    expect(deriveFutureFlows({ rows: [row('Tilat', '', strength, 'iso sali')], countsByActor: [] })[0]).toMatchObject({ label: 'iso sali', kind: 'tangible' });
    expect(deriveFutureFlows({ rows: [row('Kyydit', 'kuljetukset kylistä', other, 'osaamista')], countsByActor: [] })[0]).toMatchObject({ label: 'osaamista', kind: 'tangible' });
    expect(deriveFutureFlows({ rows: [row('Luottamus', 'tutustuminen', other, 'osaamista')], countsByActor: [] })[0]).toMatchObject({ kind: 'intangible' });
  });
});

describe('guessFlowKind', () => {
  it.each([
    'rahaa', 'raha', 'rahoitus', 'rahoitusta hankkeelle', 'tilat', 'tiloja iltaisin', 'kokoustilat', 'kuljetus', 'kuljetukset', 'kuljetuksia kylille',
    'laitteet', 'laitteita', 'kyydit', 'avustuksia', 'ruokaa', 'money', 'funding', 'premises', 'meeting space', 'a room for the club', 'transport',
    'rides to town', 'equipment', 'computers', 'grants',
  ])('%s is tangible', (text) => expect(guessFlowKind(text)).toBe('tangible'));

  it.each([
    'tietoa', 'osaamista', 'vertaistuki', 'luottamus', 'yhteistyön tilanne', 'tilastotietoa', 'palautetta', 'verkostot', 'knowledge', 'expertise',
    'contacts with residents', 'trust', 'care and attention', 'autonomy', 'feedback', '',
  ])('%s is intangible', (text) => expect(guessFlowKind(text)).toBe('intangible'));
});

describe('deriveCurrentFlows kinds', () => {
  it('guesses the kind from the notes of the flow', () => {
    const notes = [note(X, '1a', 'tiloja', Y), note(X, '1b', 'toimintaa'), note(X, '2a', 'tietoa', Y)];
    expect(deriveCurrentFlows(notes, QUESTIONS).map((f) => f.kind)).toEqual(['tangible', 'intangible', 'intangible']);
  });
});
