import type { Question } from '../schema/question';
import type { TemplateId } from '../schema/meta';

/**
 * The method's questions (METHOD.md; the handbook's section 7.1 in Finnish). Order is the order
 * of the writing rounds. Kept in every UI language (fi, sv, en) so that the language switch changes
 * headings; the Swedish follows Finland-Swedish municipal usage (aktör, klient, ordna tjänster).
 */
const VALUE_NETWORK: Question[] = [
  {
    id: '1a', order: 1, kind: 'offer', perActor: true,
    text: {
      fi: 'Mitä voitte tarjota tällä hetkellä verkoston muille toimijoille?',
      en: 'What can you offer today to each of the other actors?',
      sv: 'Vad kan ni i dag erbjuda nätverkets övriga aktörer?',
    },
  },
  {
    id: '1b', order: 2, kind: 'offer', perActor: false,
    text: { fi: 'Mitä voitte tarjota tällä hetkellä asiakkaille/asukkaille?', en: 'What can you offer today to clients / residents?', sv: 'Vad kan ni i dag erbjuda klienterna/invånarna?' },
  },
  {
    id: '2a', order: 3, kind: 'benefit', perActor: true,
    text: { fi: 'Mitä hyötyä saatte verkoston muilta toimijoilta?', en: 'What benefit do you get from each of the other actors?', sv: 'Vilken nytta har ni av nätverkets övriga aktörer?' },
  },
  {
    id: '2b', order: 4, kind: 'benefit', perActor: false,
    text: { fi: 'Mitä hyötyä saatte asiakkailta/asukkailta?', en: 'What benefit do you get from clients / residents?', sv: 'Vilken nytta har ni av klienterna/invånarna?' },
  },
  {
    id: '3a', order: 5, kind: 'strength', perActor: false,
    text: { fi: 'Mitkä ovat teidän vahvuutenne yhteistyön näkökulmasta?', en: 'What are your strengths from the point of view of collaboration?', sv: 'Vilka är era styrkor med tanke på samarbetet?' },
  },
  {
    id: '3b', order: 6, kind: 'strength', perActor: false,
    text: {
      fi: 'Mitkä ovat teidän vahvuutenne palvelujen järjestämisen eli asiakkaiden näkökulmasta?',
      en: "What are your strengths in organising services (the clients' view)?",
      sv: 'Vilka är era styrkor när det gäller att ordna tjänster, alltså ur klienternas synvinkel?',
    },
  },
  {
    id: '4a', order: 7, kind: 'challenge', perActor: false,
    text: { fi: 'Mitä haasteita/ongelmia liittyy yhteistyöhön?', en: 'What challenges / problems are there in collaboration?', sv: 'Vilka utmaningar/problem finns det i samarbetet?' },
  },
  {
    id: '4b', order: 8, kind: 'challenge', perActor: false,
    text: { fi: 'Mitä haasteita/ongelmia liittyy palvelujen järjestämiseen?', en: 'What challenges / problems are there in organising services?', sv: 'Vilka utmaningar/problem finns det i att ordna tjänster?' },
  },
];

/**
 * Dialogic meeting (section 7.2): groups discuss strengths and resources first, then development
 * needs; the joint debrief is recorded per group. Agreements are workshop II actions without a theme.
 */
const DIALOGUE: Question[] = [
  {
    id: 'strengths', order: 1, kind: 'strength', perActor: false,
    text: { fi: 'Vahvuudet ja voimavarat', en: 'Strengths and resources', sv: 'Styrkor och resurser' },
  },
  {
    id: 'needs', order: 2, kind: 'challenge', perActor: false,
    text: { fi: 'Kehittämistarpeet', en: 'Development needs', sv: 'Utvecklingsbehov' },
  },
  {
    // The joint debrief: the group's presenter's points, recorded on the group's flipchart.
    id: 'debrief', order: 3, kind: 'discussion', perActor: false,
    text: { fi: 'Yhteinen purku: mitä ryhmä nosti esiin', en: 'Joint debrief: what the group brought up', sv: 'Gemensam genomgång: vad gruppen lyfte fram' },
  },
];

export function templateQuestions(template: TemplateId): Question[] {
  switch (template) {
    case 'value-network':
      return VALUE_NETWORK.map((q) => ({ ...q, text: { ...q.text } }));
    case 'dialogue':
      return DIALOGUE.map((q) => ({ ...q, text: { ...q.text } }));
    case 'blank':
      // One question to edit, not an empty room with nothing to start a round on (issue 9).
      return [{ id: 'q1', order: 1, kind: 'open', perActor: false, text: { fi: 'Kirjoita ensimmäinen kysymys tähän', sv: 'Skriv din första fråga här', en: 'Write your first question here' } }];
  }
}
