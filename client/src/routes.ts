/**
 * Client routes (the server answers every non-API path with index.html):
 *   /                                     start page: create a workshop
 *   /w/<id>/join?k=<joinKey>[&actor=<id>] join as participant or observer
 *   /w/<id>/facilitate#t=<token>&p=<key>&o=<key>   open the facilitator's access on another device
 *   /w/<id>/recover#r=<secret>            the facilitator's recovery link: access and invite links on any device
 *   /w/<id>[?view=wall|list|phone|screen|analysis|map|actions|memo|replay|review] the board
 */
export type Route =
  | { page: 'start' }
  | { page: 'join'; workshopId: string; joinKey: string; actorId: string | null }
  | { page: 'facilitate'; workshopId: string; token: string; participantKey: string | null; observerKey: string | null }
  | { page: 'recover'; workshopId: string; secret: string }
  | { page: 'board'; workshopId: string; view: BoardView | null }
  | { page: 'not-found' };

export const BOARD_VIEWS = ['wall', 'list', 'phone', 'screen', 'analysis', 'map', 'actions', 'memo', 'replay', 'review'] as const;
export type BoardView = (typeof BOARD_VIEWS)[number];

const ID = '([0-9A-Za-z]{16})';

export function parseRoute(location: { pathname: string; search: string; hash: string }): Route {
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  let match: RegExpExecArray | null;
  if (location.pathname === '/' || location.pathname === '') return { page: 'start' };
  if ((match = new RegExp(`^/w/${ID}/join/?$`).exec(location.pathname))) {
    return { page: 'join', workshopId: match[1]!, joinKey: params.get('k') ?? '', actorId: params.get('actor') };
  }
  if ((match = new RegExp(`^/w/${ID}/facilitate/?$`).exec(location.pathname))) {
    return { page: 'facilitate', workshopId: match[1]!, token: hash.get('t') ?? '', participantKey: hash.get('p'), observerKey: hash.get('o') };
  }
  if ((match = new RegExp(`^/w/${ID}/recover/?$`).exec(location.pathname))) {
    return { page: 'recover', workshopId: match[1]!, secret: hash.get('r') ?? '' };
  }
  if ((match = new RegExp(`^/w/${ID}/?$`).exec(location.pathname))) {
    const view = params.get('view');
    return { page: 'board', workshopId: match[1]!, view: (BOARD_VIEWS as readonly string[]).includes(view ?? '') ? (view as BoardView) : null };
  }
  return { page: 'not-found' };
}

export const boardPath = (workshopId: string, view?: BoardView) => `/w/${workshopId}${view ? `?view=${view}` : ''}`;
export const joinUrl = (origin: string, workshopId: string, joinKey: string, actorId?: string) =>
  `${origin}/w/${workshopId}/join?k=${encodeURIComponent(joinKey)}${actorId ? `&actor=${actorId}` : ''}`;
export const facilitatorUrl = (origin: string, workshopId: string, token: string, participantKey: string, observerKey: string) =>
  `${origin}/w/${workshopId}/facilitate#t=${encodeURIComponent(token)}&p=${encodeURIComponent(participantKey)}&o=${encodeURIComponent(observerKey)}`;

/** The secret rides in the fragment: browsers never send it to the server or into its logs. */
export const recoveryUrl = (origin: string, workshopId: string, secret: string) => `${origin}/w/${workshopId}/recover#r=${encodeURIComponent(secret)}`;

/** Navigation without a reload; App.svelte listens to popstate. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}
