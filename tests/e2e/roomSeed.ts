import { addAction, addFlow, assignNote, createTheme, linkStrength, updateTheme } from '../../shared/ops/analysis';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import type { Actor } from '../../shared/schema/actor';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, waitFor, waitSynced, type Peer } from '../helpers/clients';

/**
 * A workshop for the room-screen tests, run through the documents with stock y-websocket
 * providers: 8 actors, one participant each (present in the room document's awareness, as an
 * open tab would be), 12 posted notes per actor under question 1b, strength and challenge notes
 * for the matrix, value flows and actions for workshop II.
 */
export const ACTORS = ['Municipality', 'Library', 'Youth association', 'School', 'Sports club', 'Parish', 'Local businesses', 'Residents’ association'];
const PEOPLE = ['Aino', 'Ben', 'Carla', 'Daniel', 'Eeva', 'Farid', 'Greta', 'Heikki'];

/** Short answers like those written in a real round (20–70 characters). */
const OFFERS = [
  'Premises for evening activities',
  'Free halls for clubs on weekdays',
  'Guidance on grants and funding',
  'A youth worker at the events',
  'Transport for older residents',
  'Digital help desk twice a week',
  'Summer jobs for young people',
  'Volunteers for events',
  'Local knowledge of families',
  'Reading circles and story hours',
  'A shared events calendar',
  'Sports equipment to borrow',
  'Meals for community events',
  'Contacts to local companies',
  'Open doors on Saturdays',
  'Help with permits and licences',
  'Outdoor areas and playing fields',
  'Cheap meeting rooms for groups',
  'Newsletter to every household',
  'Training for volunteers',
  'A café where people meet',
  'Help for newcomers to settle in',
  'Ideas from young people',
  'Afternoon clubs for pupils',
];

export interface Seeded {
  created: Created;
  workshopId: string;
  facilitator: Peer;
  actors: Actor[];
  people: Joined[];
  /** The posted notes of question 1b per actor, in the order written. */
  notes1b: Array<Array<{ participantId: string; id: string; text: string }>>;
  /** A note of exactly 500 characters (question 4a, the first actor's participant). */
  longNote: { participantId: string; id: string; text: string };
}

export const LONG_TEXT =
  'We have tried for years to bring the youth services, the library and the sports clubs to the same table, but every ' +
  'organisation plans its own calendar, applies for its own funding and reports to its own board, so the same families ' +
  'are invited to three events on one evening and to none for the rest of the month. Nobody owns the shared picture; ' +
  'information about premises, volunteers and grants travels by chance. A shared coordinator and one calendar for all ' +
  'of us would help every family a lot too.';

export async function seedWorkshop(baseUrl: string, wsUrl: string): Promise<Seeded> {
  const created = await createWorkshop(baseUrl, ACTORS);
  const W = created.id;
  const facilitator = connect(wsUrl, roomDocName(W), created.facilitatorToken);
  await waitSynced(facilitator);
  const actors = readRoom(facilitator.doc).actors;
  const people = await Promise.all(actors.map((actor, i) => join(baseUrl, W, created.participantJoinKey, PEOPLE[i]!, actor.id)));
  const notes1b: Seeded['notes1b'] = [];
  let clock = Date.now() - 60 * 60_000;
  let longNote: Seeded['longNote'] | null = null;
  const strengthRefs: string[] = [];
  const challengeRefs: string[] = [];
  for (const [i, person] of people.entries()) {
    const notes = connect(wsUrl, notesDocName(W, person.participantId), person.token);
    // In the room document's presence, as the participant's open tab would be.
    const room = connect(wsUrl, roomDocName(W), person.token);
    room.provider.awareness.setLocalState({ participantId: person.participantId, name: PEOPLE[i], cursor: null });
    await Promise.all([waitSynced(notes), waitSynced(room)]);
    const column: Seeded['notes1b'][number] = [];
    for (let k = 0; k < 12; k++) {
      const text = OFFERS[(i * 5 + k * 7) % OFFERS.length]!;
      const note = addNote(notes.doc, { questionId: '1b', text, x: 20 + (k % 2) * 200, y: 20 + Math.floor(k / 2) * 140 }, clock++, LOCAL_ORIGIN);
      column.push({ participantId: person.participantId, id: note.id, text });
    }
    notes1b.push(column);
    const strength = addNote(notes.doc, { questionId: '3a', text: ['Many volunteers', 'Premises in every village', 'Knows the families', 'Teachers who organise'][i % 4]!, x: 20, y: 20 }, clock++, LOCAL_ORIGIN);
    strengthRefs.push(`${person.participantId}/${strength.id}`);
    const challenge = addNote(notes.doc, { questionId: '4a', text: ['Calendars overlap', 'Funding is project by project', 'Information travels by chance', 'No shared coordinator'][i % 4]!, x: 20, y: 20 }, clock++, LOCAL_ORIGIN);
    challengeRefs.push(`${person.participantId}/${challenge.id}`);
    if (i === 0) {
      const long = addNote(notes.doc, { questionId: '4a', text: LONG_TEXT, x: 20, y: 200 }, clock++, LOCAL_ORIGIN);
      longNote = { participantId: person.participantId, id: long.id, text: LONG_TEXT };
    }
  }
  // The facilitator sees every note (the room screen reads them through the facilitator's token).
  const readers = people.map((p) => connect(wsUrl, notesDocName(W, p.participantId), created.facilitatorToken));
  await Promise.all(readers.map((r, i) => waitFor(r.doc, () => readNotes(r.doc).notes.length >= 14 + (i === 0 ? 1 : 0), `notes of ${PEOPLE[i]} at the facilitator`)));

  // Analysis: three challenge themes, two strength themes, links.
  const room = facilitator.doc;
  const themes = [
    createTheme(room, { name: 'Overlapping calendars', kind: 'challenge', need: 'One shared calendar and a coordinator' }, LOCAL_ORIGIN),
    createTheme(room, { name: 'Short-term funding', kind: 'challenge', need: 'Joint applications for longer funding' }, LOCAL_ORIGIN),
    createTheme(room, { name: 'Information by chance', kind: 'challenge' }, LOCAL_ORIGIN),
  ];
  updateTheme(room, themes[2]!.id, { need: 'A newsletter that reaches every household' }, LOCAL_ORIGIN);
  const strengthThemes = [createTheme(room, { name: 'Volunteers', kind: 'strength' }, LOCAL_ORIGIN), createTheme(room, { name: 'Premises', kind: 'strength' }, LOCAL_ORIGIN)];
  challengeRefs.forEach((ref, i) => assignNote(room, ref, themes[i % 3]!.id, LOCAL_ORIGIN));
  strengthRefs.forEach((ref, i) => assignNote(room, ref, strengthThemes[i % 2]!.id, LOCAL_ORIGIN));
  linkStrength(room, themes[0]!.id, `theme:${strengthThemes[0]!.id}`, Date.now(), LOCAL_ORIGIN);
  linkStrength(room, themes[0]!.id, `note:${strengthRefs[3]!}`, Date.now(), LOCAL_ORIGIN);
  linkStrength(room, themes[1]!.id, `theme:${strengthThemes[1]!.id}`, Date.now(), LOCAL_ORIGIN);

  // Workshop II: flows and actions.
  const id = (n: number) => actors[n]!.id;
  addFlow(room, { from: id(0), to: 'clients', layer: 'current', kind: 'tangible', label: 'Services' }, LOCAL_ORIGIN);
  addFlow(room, { from: id(1), to: id(3), layer: 'current', kind: 'intangible', label: 'Reading skills' }, LOCAL_ORIGIN);
  addFlow(room, { from: id(4), to: 'clients', layer: 'current', kind: 'tangible', label: 'Training' }, LOCAL_ORIGIN);
  addFlow(room, { from: id(2), to: id(5), layer: 'future', kind: 'intangible', label: 'Volunteers' }, LOCAL_ORIGIN);
  addFlow(room, { from: id(6), to: id(2), layer: 'future', kind: 'tangible', label: 'Summer jobs' }, LOCAL_ORIGIN);
  addFlow(room, { from: id(7), to: id(0), layer: 'future', kind: 'intangible', label: 'Local knowledge' }, LOCAL_ORIGIN);
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  addAction(room, { themeId: themes[0]!.id, what: 'One shared events calendar for every actor', ownerActorId: id(0), ownerName: 'Aino Virtanen', checkDate: day(30), status: 'in-progress' }, Date.now(), LOCAL_ORIGIN);
  addAction(room, { themeId: themes[1]!.id, what: 'A joint funding application in the spring', ownerActorId: id(2), ownerName: 'Carla Niemi', checkDate: day(60) }, Date.now(), LOCAL_ORIGIN);
  addAction(room, { themeId: themes[2]!.id, what: 'A monthly newsletter to every household', ownerActorId: id(7), ownerName: 'Heikki Laine', checkDate: day(45) }, Date.now(), LOCAL_ORIGIN);
  return { created, workshopId: W, facilitator, actors, people, notes1b, longNote: longNote! };
}

// Moved to harness.ts (startBrowserSuite's `open` uses it); re-exported for files that import it from here.
export { openBoard } from './harness';
