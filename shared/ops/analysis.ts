import type * as Y from 'yjs';
import { ArvoError } from '../errors';
import type { TransactionOrigin } from '../origins';
import { actionSchema, type Action } from '../schema/action';
import { flowSchema, mapViewSchema, type Flow, type MapView } from '../schema/flow';
import { newId } from '../schema/ids';
import { roomRoots, toYMap } from '../schema/layout';
import { matrixKey, strengthRefSchema } from '../schema/matrix';
import { themeSchema, type Theme, type ThemeKind } from '../schema/theme';
import { parseInput } from './validate';

/**
 * Note on patches: the schemas' `.default()`s fill absent fields even under `.partial()`, so
 * updates write only the keys the caller actually gave.
 *
 * The facilitator's analysis, all in the room document (written by facilitators only): themes
 * and their notes, the challenge × strength matrix, the value-network flows, workshop II actions.
 * Every operation is `(doc, input, origin)`; notes are referred to by noteRef (`pid/nid`).
 */

function maxOrder(map: Y.Map<Y.Map<unknown>>): number {
  let max = 0;
  for (const value of map.values()) max = Math.max(max, Number(value.get('order') ?? 0));
  return max;
}

export function createTheme(doc: Y.Doc, input: { name: string; kind: ThemeKind; need?: string }, origin: TransactionOrigin): Theme {
  const { themes } = roomRoots(doc);
  const theme = parseInput(themeSchema, { id: newId(), name: input.name, kind: input.kind, need: input.need ?? '', order: maxOrder(themes) + 1 }, 'theme');
  doc.transact(() => themes.set(theme.id, toYMap({ ...theme })), origin);
  return theme;
}

function theme(doc: Y.Doc, themeId: string): Y.Map<unknown> {
  const found = roomRoots(doc).themes.get(themeId);
  if (!found) throw new ArvoError('not-found', `no theme ${themeId}`);
  return found;
}

export function updateTheme(doc: Y.Doc, themeId: string, patch: { name?: string; need?: string; order?: number }, origin: TransactionOrigin): void {
  const target = theme(doc, themeId);
  const parsed = parseInput(themeSchema.pick({ name: true, need: true, order: true }).partial(), patch, 'theme change');
  doc.transact(() => {
    for (const [key, value] of Object.entries(parsed)) if (key in patch && value !== undefined) target.set(key, value);
  }, origin);
}

/** Puts a note in a theme (moving it out of any other); `themeId` null takes it out. */
export function assignNote(doc: Y.Doc, ref: string, themeId: string | null, origin: TransactionOrigin): void {
  const { themeNotes } = roomRoots(doc);
  if (themeId !== null) theme(doc, themeId);
  doc.transact(() => (themeId === null ? themeNotes.delete(ref) : themeNotes.set(ref, themeId)), origin);
}

/** Merges `sourceId` into `targetId`: its notes and matrix links move, the source disappears. */
export function mergeThemes(doc: Y.Doc, sourceId: string, targetId: string, origin: TransactionOrigin): void {
  if (sourceId === targetId) return;
  const source = theme(doc, sourceId);
  const target = theme(doc, targetId);
  if (source.get('kind') !== target.get('kind')) throw new ArvoError('invalid-input', 'only themes of the same kind can be merged');
  const { themes, themeNotes, matrix } = roomRoots(doc);
  doc.transact(() => {
    for (const [ref, themeId] of [...themeNotes.entries()]) if (themeId === sourceId) themeNotes.set(ref, targetId);
    for (const [key, link] of [...matrix.entries()]) {
      const challenge = String(link.get('challengeThemeId'));
      const strength = String(link.get('strengthRef'));
      const movedChallenge = challenge === sourceId ? targetId : challenge;
      const movedStrength = strength === `theme:${sourceId}` ? `theme:${targetId}` : strength;
      if (movedChallenge !== challenge || movedStrength !== strength) {
        // Read before deleting: a deleted Y.Map reads as empty.
        const createdAt = Number(link.get('createdAt') ?? 0);
        matrix.delete(key);
        matrix.set(matrixKey(movedChallenge, movedStrength), toYMap({ challengeThemeId: movedChallenge, strengthRef: movedStrength, createdAt }));
      }
    }
    const need = [target.get('need'), source.get('need')].filter(Boolean).join('\n');
    target.set('need', need);
    themes.delete(sourceId);
  }, origin);
}

export function deleteTheme(doc: Y.Doc, themeId: string, origin: TransactionOrigin): void {
  theme(doc, themeId);
  const { themes, themeNotes, matrix, actions } = roomRoots(doc);
  doc.transact(() => {
    for (const [ref, id] of [...themeNotes.entries()]) if (id === themeId) themeNotes.delete(ref);
    for (const [key, link] of [...matrix.entries()]) {
      if (link.get('challengeThemeId') === themeId || link.get('strengthRef') === `theme:${themeId}`) matrix.delete(key);
    }
    for (const action of actions.values()) if (action.get('themeId') === themeId) action.set('themeId', null);
    themes.delete(themeId);
  }, origin);
}

export function linkStrength(doc: Y.Doc, challengeThemeId: string, strengthRef: string, now: number, origin: TransactionOrigin): void {
  if (theme(doc, challengeThemeId).get('kind') !== 'challenge') throw new ArvoError('invalid-input', 'strengths link to challenge themes');
  parseInput(strengthRefSchema, strengthRef, 'strength reference');
  if (strengthRef.startsWith('theme:') && theme(doc, strengthRef.slice(6)).get('kind') !== 'strength') {
    throw new ArvoError('invalid-input', 'only strength themes can be linked as strengths');
  }
  const { matrix } = roomRoots(doc);
  const key = matrixKey(challengeThemeId, strengthRef);
  if (matrix.has(key)) return;
  doc.transact(() => matrix.set(key, toYMap({ challengeThemeId, strengthRef, createdAt: now })), origin);
}

export function unlinkStrength(doc: Y.Doc, challengeThemeId: string, strengthRef: string, origin: TransactionOrigin): void {
  doc.transact(() => roomRoots(doc).matrix.delete(matrixKey(challengeThemeId, strengthRef)), origin);
}

// ——— flows ———

export function addFlow(doc: Y.Doc, input: Omit<Flow, 'id' | 'kind' | 'label' | 'noteRefs'> & Partial<Pick<Flow, 'kind' | 'label' | 'noteRefs'>>, origin: TransactionOrigin): Flow {
  const flow = parseInput(flowSchema, { ...input, id: newId() }, 'flow');
  if (flow.from === flow.to) throw new ArvoError('invalid-input', 'a flow needs two different ends');
  doc.transact(() => roomRoots(doc).flows.set(flow.id, toYMap({ ...flow })), origin);
  return flow;
}

export function updateFlow(doc: Y.Doc, flowId: string, patch: Partial<Pick<Flow, 'kind' | 'label' | 'layer'>>, origin: TransactionOrigin): void {
  const flow = roomRoots(doc).flows.get(flowId);
  if (!flow) throw new ArvoError('not-found', `no flow ${flowId}`);
  const parsed = parseInput(flowSchema.pick({ kind: true, label: true, layer: true }).partial(), patch, 'flow change');
  doc.transact(() => {
    for (const [key, value] of Object.entries(parsed)) if (key in patch && value !== undefined) flow.set(key, value);
  }, origin);
}

/** Merges flows into the first: labels joined, notes united, the others removed. */
export function mergeFlows(doc: Y.Doc, flowIds: readonly string[], origin: TransactionOrigin): void {
  const { flows } = roomRoots(doc);
  const [keep, ...rest] = [...new Set(flowIds)].map((id) => {
    const flow = flows.get(id);
    if (!flow) throw new ArvoError('not-found', `no flow ${id}`);
    return flow;
  });
  if (!keep) return;
  doc.transact(() => {
    const refs = new Set<string>((keep.get('noteRefs') as string[] | undefined) ?? []);
    const labels = [String(keep.get('label') ?? '')];
    for (const flow of rest) {
      for (const ref of (flow.get('noteRefs') as string[] | undefined) ?? []) refs.add(ref);
      labels.push(String(flow.get('label') ?? ''));
      flows.delete(String(flow.get('id')));
    }
    keep.set('noteRefs', [...refs]);
    keep.set('label', labels.filter(Boolean).join('; ').slice(0, 200));
  }, origin);
}

export function deleteFlow(doc: Y.Doc, flowId: string, origin: TransactionOrigin): void {
  doc.transact(() => roomRoots(doc).flows.delete(flowId), origin);
}

/** The map view the memo shows (the room document's `session.memoMap`). */
export function setMemoMap(doc: Y.Doc, view: MapView, origin: TransactionOrigin): void {
  const parsed = parseInput(mapViewSchema, view, 'memo map');
  doc.transact(() => roomRoots(doc).session.set('memoMap', parsed), origin);
}

export function setMapPosition(doc: Y.Doc, nodeId: string, position: { x: number; y: number }, origin: TransactionOrigin): void {
  doc.transact(() => roomRoots(doc).mapLayout.set(nodeId, { x: Math.round(position.x), y: Math.round(position.y) }), origin);
}

/** Forgets every stored map position (one transaction): the map lays every node out automatically again. */
export function clearMapLayout(doc: Y.Doc, origin: TransactionOrigin): void {
  const { mapLayout } = roomRoots(doc);
  if (mapLayout.size === 0) return;
  doc.transact(() => {
    for (const node of [...mapLayout.keys()]) mapLayout.delete(node);
  }, origin);
}

// ——— actions (workshop II) ———

export function addAction(doc: Y.Doc, input: Omit<Action, 'id' | 'createdAt' | 'ownerActorId' | 'ownerName' | 'checkDate' | 'status' | 'notes'> & Partial<Action>, now: number, origin: TransactionOrigin): Action {
  const action = parseInput(actionSchema, { ...input, id: newId(), createdAt: now }, 'action');
  doc.transact(() => roomRoots(doc).actions.set(action.id, toYMap({ ...action })), origin);
  return action;
}

export function updateAction(doc: Y.Doc, actionId: string, patch: Partial<Omit<Action, 'id' | 'createdAt'>>, origin: TransactionOrigin): void {
  const action = roomRoots(doc).actions.get(actionId);
  if (!action) throw new ArvoError('not-found', `no action ${actionId}`);
  const parsed = parseInput(actionSchema.omit({ id: true, createdAt: true }).partial(), patch, 'action change');
  doc.transact(() => {
    for (const [key, value] of Object.entries(parsed)) if (key in patch && value !== undefined) action.set(key, value);
  }, origin);
}

export function deleteAction(doc: Y.Doc, actionId: string, origin: TransactionOrigin): void {
  doc.transact(() => roomRoots(doc).actions.delete(actionId), origin);
}
