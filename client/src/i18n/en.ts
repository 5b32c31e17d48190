/**
 * English UI strings. Every user-visible string lives here and in fi.ts (same keys; the type
 * check fails if Finnish misses one). `{name}` placeholders are filled by `t(key, { name })`.
 */
export const en = {
  'app.name': 'Arvo',
  'app.tagline': 'Live board for value-network workshops',
  'language.label': 'Language',
  'language.fi': 'Suomi',
  'language.en': 'English',
  'status.connecting': 'Connecting…',
  'status.live': 'Live',
  'status.offline': 'Offline — your edits are kept and sent when you are back',
  'status.denied': 'Access refused: {reason}',
  'common.cancel': 'Cancel',
  'common.save': 'Save',
  'common.delete': 'Delete',
  'common.edit': 'Edit',
  'common.close': 'Close',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'error.generic': 'Something went wrong: {message}',
  'notFound.title': 'This page does not exist',
  'notFound.home': 'Go to the start page',
  'facilitate.invalid': 'This facilitator link is not valid or has expired',
  'board.notJoined': 'You have not joined this workshop in this browser',
  'board.notJoinedHelp': 'Open the join link or QR code the facilitator shared, or the facilitator link on another device.',
  'board.views': 'Views',
  'view.wall': 'Wall',
  'view.list': 'List',
  'view.phone': 'Phone',
  'view.screen': 'Room screen',
  'share.open': 'Invite',
} as const;

export type MessageKey = keyof typeof en;
