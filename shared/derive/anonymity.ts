/**
 * Anonymous mode (`session.anonymous`): the one rule for author names on every screen and in
 * every export. With it on, a note's author is hidden from everyone — the facilitator too, since
 * the room screen and the exports are public; actor and colour stay. Off, the name is shown.
 */
export const ANONYMOUS_AUTHOR = '';

export function displayAuthor(authorName: string, session: { anonymous?: boolean | undefined }): string {
  return session.anonymous === true ? ANONYMOUS_AUTHOR : authorName;
}

export const isAnonymous = (session: { anonymous?: boolean | undefined }): boolean => session.anonymous === true;
