import type * as Y from 'yjs';
import { actionSchema, type Action } from '../schema/action';
import { flowSchema, type Flow } from '../schema/flow';
import { isId } from '../schema/ids';
import { parseNoteRef, roomRoots } from '../schema/layout';
import { matrixKey, matrixLinkSchema, type MatrixLink } from '../schema/matrix';
import { themeSchema, type Theme } from '../schema/theme';
import { CLIENTS_NODE } from '../schema/flow';
import { keyIsId, readEntries, readRecords, recordReader } from './records';

/** The analysis part of the room document as plain, validated data (invalid records skipped, see ./records.ts). */
export interface AnalysisSnapshot {
  themes: Theme[];
  /** noteRef → themeId */
  themeOf: Record<string, string>;
  matrix: MatrixLink[];
  flows: Flow[];
  actions: Action[];
  /** noteRef → when it was read aloud */
  readMarks: Record<string, number>;
  mapLayout: Record<string, { x: number; y: number }>;
}

const themeReader = recordReader(themeSchema, keyIsId);
const flowReader = recordReader(flowSchema, keyIsId);
const actionReader = recordReader(actionSchema, keyIsId);
const matrixReader = recordReader(matrixLinkSchema, (key, link) => key === matrixKey(link.challengeThemeId, link.strengthRef));

const isNoteRef = (key: string) => parseNoteRef(key) !== null && key.length <= 33;
const isMapNode = (key: string) => isId(key) || key === CLIENTS_NODE;
const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function point(value: unknown): { x: number; y: number } | null {
  // Plain JSON objects only: a Y type here (hostile) is never entered.
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return null;
  const { x, y } = value as { x?: unknown; y?: unknown };
  return finite(x) && finite(y) ? { x, y } : null;
}

/**
 * The analysis snapshot's parts, each from its own root (themeOf also needs the themes): the
 * incremental board model (client/src/sync/board) re-reads only the part whose root changed.
 * Problems are not reported for the analysis (its readers skip what is invalid).
 */
export const analysisPartReaders = {
  themes: (doc: Y.Doc): Theme[] => readRecords(roomRoots(doc).themes, themeReader, 'theme', []).sort((a, b) => a.order - b.order),
  themeOf(doc: Y.Doc, themes: readonly Theme[]): Record<string, string> {
    const known = new Set(themes.map((t) => t.id));
    const themeOf: Record<string, string> = {};
    for (const [ref, themeId] of readEntries(roomRoots(doc).themeNotes, [], 'themeNotes')) {
      if (isNoteRef(ref) && typeof themeId === 'string' && known.has(themeId)) themeOf[ref] = themeId;
    }
    return themeOf;
  },
  matrix: (doc: Y.Doc): MatrixLink[] => readRecords(roomRoots(doc).matrix, matrixReader, 'matrix link', []).sort((a, b) => a.createdAt - b.createdAt),
  // A note listed twice in a flow is one note (views key its list by ref).
  flows: (doc: Y.Doc): Flow[] => readRecords(roomRoots(doc).flows, flowReader, 'flow', []).map((f) => ({ ...f, noteRefs: [...new Set(f.noteRefs)] })),
  actions: (doc: Y.Doc): Action[] =>
    readRecords(roomRoots(doc).actions, actionReader, 'action', []).sort((a, b) => (a.checkDate || '9999').localeCompare(b.checkDate || '9999') || a.createdAt - b.createdAt),
  readMarks(doc: Y.Doc): Record<string, number> {
    const readMarks: Record<string, number> = {};
    for (const [ref, at] of readEntries(roomRoots(doc).readMarks, [], 'readMarks')) if (isNoteRef(ref) && finite(at)) readMarks[ref] = at;
    return readMarks;
  },
  mapLayout(doc: Y.Doc): Record<string, { x: number; y: number }> {
    const mapLayout: Record<string, { x: number; y: number }> = {};
    for (const [node, value] of readEntries(roomRoots(doc).mapLayout, [], 'mapLayout')) {
      const p = isMapNode(node) ? point(value) : null;
      if (p) mapLayout[node] = p;
    }
    return mapLayout;
  },
};

export function readAnalysis(doc: Y.Doc): AnalysisSnapshot {
  const themes = analysisPartReaders.themes(doc);
  return {
    themes,
    themeOf: analysisPartReaders.themeOf(doc, themes),
    matrix: analysisPartReaders.matrix(doc),
    flows: analysisPartReaders.flows(doc),
    actions: analysisPartReaders.actions(doc),
    readMarks: analysisPartReaders.readMarks(doc),
    mapLayout: analysisPartReaders.mapLayout(doc),
  };
}
