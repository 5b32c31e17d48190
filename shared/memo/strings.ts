import type { Language } from '../schema/common';
import type { ActionStatus } from '../schema/action';
import type { Flow } from '../schema/flow';
import type { TemplateId } from '../schema/meta';
import type { Role } from '../schema/participant';

/**
 * The memo's own words in every workshop language. Kept here rather than in the client's
 * catalogue because the memo is rendered wherever it is needed (browser, server, tests) and
 * shared/ imports nothing from client/. Finnish follows the handbook's vocabulary (muistio,
 * toimija, fläppi, vetäjä, vastuutaho) and the client's (seuraaja for observers); Swedish uses
 * Finland-Swedish administrative usage (promemoria, aktör, åtgärd, lapp).
 */
export interface MemoStrings {
  memo: string;
  /** `{title}` is the workshop title. */
  memoTitle: string;
  template: Record<TemplateId, string>;
  workshopDate: string;
  memoDate: string;
  participants: string;
  noParticipants: string;
  /** Singular and plural. */
  role: Record<Exclude<Role, 'participant'>, readonly [string, string]>;
  otherParticipants: string;
  flipcharts: string;
  noAnswers: string;
  /** Per-actor questions: the other actor a group of answers is about, by question kind. */
  aboutTo: string;
  aboutFrom: string;
  about: string;
  aboutUnknown: string;
  notesWithoutActor: string;
  otherQuestion: string;
  themes: string;
  challengeThemes: string;
  strengthThemes: string;
  noThemes: string;
  withoutTheme: string;
  matrix: string;
  matrixIntro: string;
  challenges: string;
  need: string;
  strengthsByActor: string;
  unsolved: string;
  noMatrix: string;
  valueMap: string;
  mapAlt: string;
  layer: Record<Flow['layer'], string>;
  flowKind: Record<Flow['kind'], string>;
  noFlows: string;
  clients: string;
  actions: string;
  noActions: string;
  what: string;
  theme: string;
  ownerActor: string;
  ownerName: string;
  checkDate: string;
  notAgreed: string;
  status: string;
  actionNotes: string;
  statuses: Record<ActionStatus, string>;
  generalAgreement: string;
  months: readonly string[];
  csv: { actor: string; author: string; question: string; about: string; text: string; theme: string; created: string };
}

const fi: MemoStrings = {
  memo: 'Muistio',
  memoTitle: 'Muistio: {title}',
  template: { 'value-network': 'Arvoverkkotyöpaja', dialogue: 'Dialoginen tilaisuus', blank: 'Työpaja' },
  workshopDate: 'Työpaja',
  memoDate: 'Muistio laadittu',
  participants: 'Osallistujat',
  noParticipants: 'Osallistujia ei ole kirjattu.',
  role: { facilitator: ['Vetäjä', 'Vetäjät'], observer: ['Seuraaja', 'Seuraajat'] },
  otherParticipants: 'Muut osallistujat',
  flipcharts: 'Toimijoiden fläpit',
  noAnswers: 'Ei vastauksia.',
  aboutTo: 'Kenelle: {actor}',
  aboutFrom: 'Keneltä: {actor}',
  about: 'Koskee: {actor}',
  aboutUnknown: 'Toimijaa ei ole merkitty',
  notesWithoutActor: 'Muut muistilaput',
  otherQuestion: 'Muu kysymys ({id})',
  themes: 'Teemat',
  challengeThemes: 'Haasteteemat',
  strengthThemes: 'Vahvuusteemat',
  noThemes: 'Teemoja ei ole muodostettu.',
  withoutTheme: 'Ilman teemaa',
  matrix: 'Haasteet ja vahvuudet',
  matrixIntro: 'Jokaisesta haasteteemasta: sen haasteet, mitä ratkaisemiseen tarvitaan ja kenen vahvuuksilla haaste voidaan ratkaista.',
  challenges: 'Haasteet',
  need: 'Mitä tarvitaan',
  strengthsByActor: 'Vahvuudet, joilla haaste voidaan ratkaista (kenen vahvuus)',
  unsolved: 'Ratkaisematta: haasteeseen ei ole vielä liitetty yhtään vahvuutta.',
  noMatrix: 'Haasteteemoja ei ole muodostettu.',
  valueMap: 'Arvoverkkokartta',
  mapAlt: 'Arvoverkkokartta: toimijat ja arvovirrat niiden välillä',
  layer: { current: 'Nykyinen arvoverkko', future: 'Tuleva arvoverkko' },
  flowKind: { tangible: 'aineellinen', intangible: 'aineeton' },
  noFlows: 'Arvovirtoja ei ole piirretty.',
  clients: 'Asiakkaat/asukkaat',
  actions: 'Toimenpiteet',
  noActions: 'Toimenpiteistä ei ole sovittu.',
  what: 'Mitä tehdään',
  theme: 'Teema',
  ownerActor: 'Vastuutaho',
  ownerName: 'Vastuuhenkilö',
  checkDate: 'Tarkistuspäivä',
  notAgreed: 'ei sovittu',
  status: 'Tila',
  actionNotes: 'Seuranta',
  statuses: { planned: 'suunniteltu', 'in-progress': 'käynnissä', done: 'tehty', dropped: 'jätetty pois' },
  generalAgreement: 'Yleinen sopimus',
  months: ['tammikuuta', 'helmikuuta', 'maaliskuuta', 'huhtikuuta', 'toukokuuta', 'kesäkuuta', 'heinäkuuta', 'elokuuta', 'syyskuuta', 'lokakuuta', 'marraskuuta', 'joulukuuta'],
  csv: { actor: 'Toimija', author: 'Kirjoittaja', question: 'Kysymys', about: 'Kohdetoimija', text: 'Teksti', theme: 'Teema', created: 'Kirjoitettu' },
};

const sv: MemoStrings = {
  memo: 'Promemoria',
  memoTitle: 'Promemoria: {title}',
  template: { 'value-network': 'Arbetsmöte om värdenätverk', dialogue: 'Dialogiskt möte', blank: 'Arbetsmöte' },
  workshopDate: 'Arbetsmöte',
  memoDate: 'Promemorian uppgjord',
  participants: 'Deltagare',
  noParticipants: 'Inga deltagare har antecknats.',
  role: { facilitator: ['Facilitator', 'Facilitatorer'], observer: ['Observatör', 'Observatörer'] },
  otherParticipants: 'Övriga deltagare',
  flipcharts: 'Aktörernas blädderblock',
  noAnswers: 'Inga svar.',
  aboutTo: 'Till: {actor}',
  aboutFrom: 'Från: {actor}',
  about: 'Gäller: {actor}',
  aboutUnknown: 'Aktören inte angiven',
  notesWithoutActor: 'Övriga lappar',
  otherQuestion: 'Annan fråga ({id})',
  themes: 'Teman',
  challengeThemes: 'Utmaningsteman',
  strengthThemes: 'Styrketeman',
  noThemes: 'Inga teman har bildats.',
  withoutTheme: 'Utan tema',
  matrix: 'Utmaningar och styrkor',
  matrixIntro: 'För varje utmaningstema: dess utmaningar, vad som behövs för att lösa det och vems styrkor kan lösa det.',
  challenges: 'Utmaningar',
  need: 'Vad som behövs',
  strengthsByActor: 'Styrkor som kan lösa utmaningen (vems styrka)',
  unsolved: 'Olöst: ingen styrka har ännu kopplats till utmaningen.',
  noMatrix: 'Inga utmaningsteman har bildats.',
  valueMap: 'Karta över värdenätverket',
  mapAlt: 'Karta över värdenätverket: aktörerna och värdet som flödar mellan dem',
  layer: { current: 'Nuvarande värdenätverk', future: 'Framtida värdenätverk' },
  flowKind: { tangible: 'materiellt', intangible: 'immateriellt' },
  noFlows: 'Inga värdeflöden har ritats.',
  clients: 'Klienter / invånare',
  actions: 'Åtgärder',
  noActions: 'Inga åtgärder har överenskommits.',
  what: 'Vad görs',
  theme: 'Tema',
  ownerActor: 'Ansvarig aktör',
  ownerName: 'Ansvarsperson',
  checkDate: 'Uppföljningsdatum',
  notAgreed: 'inte överenskommet',
  status: 'Status',
  actionNotes: 'Uppföljning',
  statuses: { planned: 'planerad', 'in-progress': 'pågår', done: 'klar', dropped: 'slopad' },
  generalAgreement: 'Allmän överenskommelse',
  months: ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'],
  csv: { actor: 'Aktör', author: 'Skribent', question: 'Fråga', about: 'Gäller aktör', text: 'Text', theme: 'Tema', created: 'Skriven' },
};

const en: MemoStrings = {
  memo: 'Memo',
  memoTitle: 'Memo: {title}',
  template: { 'value-network': 'Value-network workshop', dialogue: 'Dialogic meeting', blank: 'Workshop' },
  workshopDate: 'Workshop',
  memoDate: 'Memo written',
  participants: 'Participants',
  noParticipants: 'No participants recorded.',
  role: { facilitator: ['Facilitator', 'Facilitators'], observer: ['Observer', 'Observers'] },
  otherParticipants: 'Other participants',
  flipcharts: "The actors' flipcharts",
  noAnswers: 'No answers.',
  aboutTo: 'To: {actor}',
  aboutFrom: 'From: {actor}',
  about: 'About: {actor}',
  aboutUnknown: 'Actor not marked',
  notesWithoutActor: 'Other notes',
  otherQuestion: 'Other question ({id})',
  themes: 'Themes',
  challengeThemes: 'Challenge themes',
  strengthThemes: 'Strength themes',
  noThemes: 'No themes have been formed.',
  withoutTheme: 'Not in any theme',
  matrix: 'Challenges and strengths',
  matrixIntro: 'For each challenge theme: its challenges, what is needed to solve it, and whose strengths can solve it.',
  challenges: 'Challenges',
  need: 'What is needed',
  strengthsByActor: 'Strengths that can solve it (whose strength)',
  unsolved: 'Unsolved: no strength has been linked to this challenge yet.',
  noMatrix: 'No challenge themes have been formed.',
  valueMap: 'Value network map',
  mapAlt: 'Value network map: the actors and the value flowing between them',
  layer: { current: 'Current value network', future: 'Future value network' },
  flowKind: { tangible: 'tangible', intangible: 'intangible' },
  noFlows: 'No value flows have been drawn.',
  clients: 'Clients / residents',
  actions: 'Actions',
  noActions: 'No actions have been agreed.',
  what: 'What is done',
  theme: 'Theme',
  ownerActor: 'Owner',
  ownerName: 'Person',
  checkDate: 'Check date',
  notAgreed: 'not agreed',
  status: 'Status',
  actionNotes: 'Follow-up',
  statuses: { planned: 'planned', 'in-progress': 'in progress', done: 'done', dropped: 'dropped' },
  generalAgreement: 'General agreement',
  months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  csv: { actor: 'Actor', author: 'Author', question: 'Question', about: 'About actor', text: 'Text', theme: 'Theme', created: 'Created' },
};

export const MEMO_STRINGS: Readonly<Record<Language, MemoStrings>> = { fi, sv, en };

/** Fills `{name}` placeholders. Values are inserted as they are: escape the result, not the template. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
