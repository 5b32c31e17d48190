/**
 * The workshop memo (METHOD.md: "a memo of what was said and agreed is sent to every
 * participant") and the raw exports. Pure: plain input in, a string out; nothing reads the clock.
 */
export { renderMemoMarkdown } from './markdown';
export { renderMemoHtml } from './html';
export { renderNotesCsv } from './csv';
export { renderWorkshopJson, WORKSHOP_JSON_FORMAT, WORKSHOP_JSON_VERSION } from './json';
export { memoInputFromDocs, wallNotesOf } from './input';
export { buildMemoModel, memoLanguage, type MemoInput, type MemoModel } from './model';
export { MEMO_STRINGS, type MemoStrings } from './strings';
export { DEFAULT_TIME_ZONE } from './format';
