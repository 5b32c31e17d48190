import type { Action, ActionStatus } from '../../../shared/schema/action';
import type { Actor } from '../../../shared/schema/actor';
import type { Question } from '../../../shared/schema/question';
import type { Theme, ThemeKind } from '../../../shared/schema/theme';
import { refOf } from '../../../shared/derive/types';

/**
 * Pure helpers for the analysis and actions views: which notes are challenges or strengths,
 * theme ordering, the strength picker's choices, overdue actions and action sorting.
 */
export interface KindNote {
  id: string;
  participantId: string;
  actorId: string | null;
  authorName: string;
  questionId: string;
  text: string;
  createdAt: number;
  draft?: boolean;
}

export { refOf };

/** Posted notes answering a question of the kind (challenges: 4a/4b; strengths: 3a/3b), by actor then time. */
export function notesOfKind<N extends KindNote>(notes: readonly N[], questions: readonly Question[], actors: readonly Actor[], kind: ThemeKind): N[] {
  const ids = new Set(questions.filter((q) => q.kind === kind).map((q) => q.id));
  const actorOrder = new Map(actors.map((a) => [a.id, a.order]));
  const rank = (n: N) => (n.actorId !== null ? (actorOrder.get(n.actorId) ?? Infinity) : Infinity);
  return notes
    .filter((n) => !n.draft && ids.has(n.questionId) && n.text.trim() !== '')
    .sort((a, b) => rank(a) - rank(b) || a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export const themesOfKind = (themes: readonly Theme[], kind: ThemeKind) => themes.filter((t) => t.kind === kind);

/**
 * The order value that moves `list[index]` one step up (-1) or down (+1) in `list` (already
 * sorted by order): between its new neighbours, so a single write moves it. Null at the ends.
 */
export function movedOrder(list: readonly Pick<Theme, 'order'>[], index: number, direction: -1 | 1): number | null {
  const target = index + direction;
  const neighbour = list[target];
  if (!neighbour || !list[index]) return null;
  const beyond = list[target + direction];
  if (!beyond) return neighbour.order + direction;
  const mid = (neighbour.order + beyond.order) / 2;
  // Equal orders (concurrent creation) leave no room in between: step past the neighbour instead.
  return mid === neighbour.order ? neighbour.order + direction * 0.5 : mid;
}

/** A name for a theme started from one note: its first words. */
export function themeNameFrom(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}

export const snippet = (text: string, max = 40) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

// ——— the strength picker ———

export interface StrengthChoice {
  ref: string;
  label: string;
}
export interface StrengthChoices {
  themes: StrengthChoice[];
  byActor: Array<{ actorId: string | null; notes: StrengthChoice[] }>;
}

/** What can still be linked to a challenge theme: strength themes and single strength notes, by actor. */
export function strengthChoices<N extends KindNote>(strengthThemes: readonly Theme[], strengthNotes: readonly N[], linked: ReadonlySet<string>): StrengthChoices {
  const themes = strengthThemes.map((t) => ({ ref: `theme:${t.id}`, label: t.name })).filter((c) => !linked.has(c.ref));
  const groups = new Map<string | null, StrengthChoice[]>();
  for (const note of strengthNotes) {
    const ref = `note:${refOf(note)}`;
    if (linked.has(ref)) continue;
    const list = groups.get(note.actorId) ?? [];
    list.push({ ref, label: note.text });
    groups.set(note.actorId, list);
  }
  return { themes, byActor: [...groups.entries()].map(([actorId, notes]) => ({ actorId, notes })) };
}

// ——— actions ———

/** Today as YYYY-MM-DD in local time (what a date input shows). */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export const isOpen = (status: ActionStatus) => status === 'planned' || status === 'in-progress';

/** Its check date has passed and it is neither done nor dropped. */
export const isOverdue = (action: Pick<Action, 'checkDate' | 'status'>, today: string) => action.checkDate !== '' && action.checkDate < today && isOpen(action.status);

export const ACTION_SORTS = ['checkDate', 'status', 'owner'] as const;
export type ActionSort = (typeof ACTION_SORTS)[number];

const STATUS_RANK: Record<ActionStatus, number> = { 'in-progress': 0, planned: 1, done: 2, dropped: 3 };

/**
 * Actions sorted for the follow-up table. By check date: earliest first, undated last. By
 * status: in progress, planned, done, dropped. By owner: the actors' order (no owner last), then
 * the person (unnamed last). Ties fall back to the check date, then creation.
 */
export function sortActions(actions: readonly Action[], by: ActionSort, actors: readonly Actor[]): Action[] {
  const actorRank = new Map(actors.map((a, i) => [a.id, i]));
  const owner = (a: Action) => (a.ownerActorId !== null ? (actorRank.get(a.ownerActorId) ?? actors.length) : actors.length + 1);
  const date = (a: Action, b: Action) => (a.checkDate || '9999-99-99').localeCompare(b.checkDate || '9999-99-99') || a.createdAt - b.createdAt;
  const compare: Record<ActionSort, (a: Action, b: Action) => number> = {
    checkDate: date,
    status: (a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || date(a, b),
    owner: (a, b) => owner(a) - owner(b) || Number(a.ownerName === '') - Number(b.ownerName === '') || a.ownerName.localeCompare(b.ownerName) || date(a, b),
  };
  return [...actions].sort(compare[by]);
}

// ——— grouping ———

/** The strength references linked to each challenge theme. */
export function linkedRefs(links: ReadonlyArray<{ challengeThemeId: string; strengthRef: string }>): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const link of links) map.set(link.challengeThemeId, (map.get(link.challengeThemeId) ?? new Set<string>()).add(link.strengthRef));
  return map;
}

/** Items grouped by the theme their ref belongs to (items in no theme are left out). */
export function groupByTheme<T extends { ref: string }>(items: readonly T[], themeOf: Readonly<Record<string, string>>): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const themeId = themeOf[item.ref];
    if (!themeId) continue;
    const list = map.get(themeId);
    if (list) list.push(item);
    else map.set(themeId, [item]);
  }
  return map;
}

/**
 * Builds whole records for updates. The room's validation fills every field missing from a patch
 * with its default, so an update must carry the whole record; and since snapshots arrive once a
 * frame, a second quick edit could otherwise send a record that lacks the first edit. What was
 * written in the last `windowMs` is laid over the snapshot's record.
 */
export class WholeRecordWriter<T extends object> {
  private recent = new Map<string, { fields: Partial<T>; at: number }>();
  constructor(private readonly windowMs = 2000) {}

  next(id: string, current: T, patch: Partial<T>, now = Date.now()): T {
    const written = this.recent.get(id);
    const pending = written && now - written.at < this.windowMs ? written.fields : {};
    this.recent.set(id, { fields: { ...pending, ...patch }, at: now });
    return { ...current, ...pending, ...patch };
  }
}
