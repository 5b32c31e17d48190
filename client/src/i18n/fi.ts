import type { MessageKey } from './en';

/** Finnish UI strings; the handbook's own terms where it has them (toimija, fläppi, muistilappu). */
export const fi: Record<MessageKey, string> = {
  'app.name': 'Arvo',
  'app.tagline': 'Arvoverkkotyöpajojen yhteinen taulu',
  'language.label': 'Kieli',
  'language.fi': 'Suomi',
  'language.en': 'English',
  'status.connecting': 'Yhdistetään…',
  'status.live': 'Yhteydessä',
  'status.offline': 'Ei yhteyttä — muutoksesi säilyvät ja lähetetään, kun yhteys palaa',
  'status.denied': 'Pääsy estetty: {reason}',
  'common.cancel': 'Peruuta',
  'common.save': 'Tallenna',
  'common.delete': 'Poista',
  'common.edit': 'Muokkaa',
  'common.close': 'Sulje',
  'common.copy': 'Kopioi',
  'common.copied': 'Kopioitu',
  'error.generic': 'Jokin meni vikaan: {message}',

  'notFound.title': 'Sivua ei ole',
  'notFound.home': 'Siirry etusivulle',
  'facilitate.invalid': 'Vetäjän linkki ei kelpaa tai se on vanhentunut',

  'board.notJoined': 'Et ole liittynyt tähän työpajaan tällä selaimella',
  'board.notJoinedHelp': 'Avaa vetäjän jakama liittymislinkki tai QR-koodi, tai vetäjän oma linkki toisella laitteella.',
  'board.views': 'Näkymät',
  'view.wall': 'Seinä',
  'view.list': 'Lista',
  'view.phone': 'Puhelin',
  'view.screen': 'Valkokangas',
  'share.open': 'Kutsu',
};
