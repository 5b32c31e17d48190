import type * as Y from 'yjs';
import { analysisPartReaders, type AnalysisSnapshot } from '../../../../shared/read/analysis';
import { ROOM_PARTS, roomPartReaders, type RoomSnapshot } from '../../../../shared/read/snapshot';
import { ROOT } from '../../../../shared/schema/layout';

type RoomPart = (typeof ROOM_PARTS)[number];
type AnalysisPart = keyof AnalysisSnapshot;
type Part = RoomPart | AnalysisPart;

/** Which snapshot part each root of the room document feeds (themes also decide which theme links count). */
const PARTS_OF_ROOT: Record<string, readonly Part[]> = {
  [ROOT.meta]: ['meta'],
  [ROOT.session]: ['session'],
  [ROOT.actors]: ['actors'],
  [ROOT.questions]: ['questions'],
  [ROOT.participants]: ['participants'],
  [ROOT.themes]: ['themes', 'themeOf'],
  [ROOT.themeNotes]: ['themeOf'],
  [ROOT.matrix]: ['matrix'],
  [ROOT.flows]: ['flows'],
  [ROOT.actions]: ['actions'],
  [ROOT.readMarks]: ['readMarks'],
  [ROOT.mapLayout]: ['mapLayout'],
};
const ALL_PARTS = [...new Set(Object.values(PARTS_OF_ROOT).flat())];

/**
 * The room document kept read, one part per root: a change to the session re-reads the session
 * only, a new theme the themes and their note links. The room and analysis snapshots are new
 * objects only when one of their parts changed, and an unchanged part keeps its value.
 */
export class RoomCache {
  private readonly dirty = new Set<Part>(ALL_PARTS);
  private readonly problems = new Map<RoomPart, string[]>();
  private roomValue: RoomSnapshot | null = null;
  private analysisValue: AnalysisSnapshot | null = null;
  private readonly unobserve: Array<() => void> = [];

  constructor(private readonly doc: Y.Doc) {
    for (const [root, parts] of Object.entries(PARTS_OF_ROOT)) {
      const type = doc.getMap(root);
      const observer = () => {
        for (const part of parts) this.dirty.add(part);
      };
      type.observeDeep(observer);
      this.unobserve.push(() => type.unobserveDeep(observer));
    }
  }

  get changed(): boolean {
    return this.dirty.size > 0;
  }

  room(): RoomSnapshot {
    const previous = this.roomValue;
    if (previous && !ROOM_PARTS.some((part) => this.dirty.has(part))) return previous;
    const next = { ...(previous ?? { meta: null, actors: [], questions: [], participants: [], session: null as never, problems: [] }) } as RoomSnapshot;
    for (const part of ROOM_PARTS) {
      if (previous && !this.dirty.has(part)) continue;
      this.dirty.delete(part);
      const read = roomPartReaders[part](this.doc);
      (next as unknown as Record<string, unknown>)[part] = read.value;
      this.problems.set(part, read.problems);
    }
    next.problems = ROOM_PARTS.flatMap((part) => this.problems.get(part) ?? []);
    this.roomValue = Object.freeze(next);
    return this.roomValue;
  }

  analysis(): AnalysisSnapshot {
    const previous = this.analysisValue;
    const parts: AnalysisPart[] = ['themes', 'themeOf', 'matrix', 'flows', 'actions', 'readMarks', 'mapLayout'];
    if (previous && !parts.some((part) => this.dirty.has(part))) return previous;
    const next: AnalysisSnapshot = previous ? { ...previous } : ({} as AnalysisSnapshot);
    const stale = (part: AnalysisPart) => {
      const is = !previous || this.dirty.has(part);
      this.dirty.delete(part);
      return is;
    };
    if (stale('themes')) next.themes = analysisPartReaders.themes(this.doc);
    if (stale('themeOf')) next.themeOf = analysisPartReaders.themeOf(this.doc, next.themes);
    if (stale('matrix')) next.matrix = analysisPartReaders.matrix(this.doc);
    if (stale('flows')) next.flows = analysisPartReaders.flows(this.doc);
    if (stale('actions')) next.actions = analysisPartReaders.actions(this.doc);
    if (stale('readMarks')) next.readMarks = analysisPartReaders.readMarks(this.doc);
    if (stale('mapLayout')) next.mapLayout = analysisPartReaders.mapLayout(this.doc);
    this.analysisValue = Object.freeze(next);
    return this.analysisValue;
  }

  destroy(): void {
    for (const off of this.unobserve) off();
  }
}
