import type * as Y from 'yjs';
import type { z } from 'zod';
import { actionSchema, type Action } from '../schema/action';
import { flowSchema, type Flow } from '../schema/flow';
import { fromYMap, roomRoots } from '../schema/layout';
import { matrixLinkSchema, type MatrixLink } from '../schema/matrix';
import { themeSchema, type Theme } from '../schema/theme';

/** The analysis part of the room document as plain, validated data (invalid records skipped). */
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

function records<T>(map: Y.Map<Y.Map<unknown>>, schema: z.ZodType<T>): T[] {
  const out: T[] = [];
  for (const value of map.values()) {
    const parsed = schema.safeParse(fromYMap(value));
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export function readAnalysis(doc: Y.Doc): AnalysisSnapshot {
  const roots = roomRoots(doc);
  const themes = records(roots.themes, themeSchema).sort((a, b) => a.order - b.order);
  const known = new Set(themes.map((t) => t.id));
  const themeOf: Record<string, string> = {};
  for (const [ref, themeId] of roots.themeNotes.entries()) if (typeof themeId === 'string' && known.has(themeId)) themeOf[ref] = themeId;
  const readMarks: Record<string, number> = {};
  for (const [ref, at] of roots.readMarks.entries()) if (typeof at === 'number') readMarks[ref] = at;
  const mapLayout: Record<string, { x: number; y: number }> = {};
  for (const [node, p] of roots.mapLayout.entries()) if (p && typeof p.x === 'number' && typeof p.y === 'number') mapLayout[node] = { x: p.x, y: p.y };
  return {
    themes,
    themeOf,
    matrix: records(roots.matrix, matrixLinkSchema).sort((a, b) => a.createdAt - b.createdAt),
    flows: records(roots.flows, flowSchema),
    actions: records(roots.actions, actionSchema).sort((a, b) => (a.checkDate || '9999').localeCompare(b.checkDate || '9999') || a.createdAt - b.createdAt),
    readMarks,
    mapLayout,
  };
}
