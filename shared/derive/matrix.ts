import type { Actor } from '../schema/actor';
import type { Question } from '../schema/question';
import type { Theme } from '../schema/theme';
import type { AnalysisSnapshot } from '../read/analysis';
import { refOf, type WallNote } from './types';

/**
 * The challenge × strength matrix (METHOD.md, Kuvio 7) derived from the analysis: one row per
 * challenge theme with its notes and the strengths linked to it, grouped by whose strength.
 */
export interface StrengthItem {
  /** The linked reference: `note:<ref>` or `theme:<id>`. */
  ref: string;
  label: string;
  /** For a linked theme: its notes. For a linked note: that note. */
  notes: WallNote[];
}

export interface StrengthGroup {
  actor: Actor;
  items: StrengthItem[];
}

export interface MatrixRow {
  theme: Theme;
  challenges: WallNote[];
  strengths: StrengthGroup[];
  /** True when no strength is linked: the analysis has not found who can solve it yet. */
  unsolved: boolean;
}

export interface Matrix {
  rows: MatrixRow[];
  /** Linked strength notes per actor across the matrix. */
  countsByActor: Array<{ actor: Actor; strengths: number; challenges: number }>;
}

export const questionIdsOfKind = (questions: readonly Question[], kind: Question['kind']) => new Set(questions.filter((q) => q.kind === kind).map((q) => q.id));

export function buildMatrix(analysis: AnalysisSnapshot, notes: readonly WallNote[], actors: readonly Actor[]): Matrix {
  const byRef = new Map(notes.map((n) => [refOf(n), n]));
  const themeById = new Map(analysis.themes.map((t) => [t.id, t]));
  const notesOfTheme = (themeId: string) => notes.filter((n) => analysis.themeOf[refOf(n)] === themeId);
  const actorById = new Map(actors.map((a) => [a.id, a]));
  const rows: MatrixRow[] = analysis.themes
    .filter((t) => t.kind === 'challenge')
    .map((theme) => {
      const groups = new Map<string, StrengthGroup>();
      const add = (actorId: string | null, item: StrengthItem) => {
        const actor = actorId ? actorById.get(actorId) : undefined;
        if (!actor) return;
        const group = groups.get(actor.id) ?? { actor, items: [] };
        if (!group.items.some((i) => i.ref === item.ref)) group.items.push(item);
        groups.set(actor.id, group);
      };
      for (const link of analysis.matrix.filter((l) => l.challengeThemeId === theme.id)) {
        if (link.strengthRef.startsWith('note:')) {
          const note = byRef.get(link.strengthRef.slice(5));
          if (note) add(note.actorId, { ref: link.strengthRef, label: note.text, notes: [note] });
        } else {
          const strengthTheme = themeById.get(link.strengthRef.slice(6));
          if (!strengthTheme) continue;
          const members = notesOfTheme(strengthTheme.id);
          // A strength theme counts for every actor whose notes are in it.
          const actorsInTheme = new Set(members.map((n) => n.actorId));
          for (const actorId of actorsInTheme) {
            add(actorId, { ref: link.strengthRef, label: strengthTheme.name, notes: members.filter((n) => n.actorId === actorId) });
          }
        }
      }
      const strengths = [...groups.values()].sort((a, b) => a.actor.order - b.actor.order);
      return { theme, challenges: notesOfTheme(theme.id), strengths, unsolved: strengths.length === 0 };
    });
  const countsByActor = actors.map((actor) => ({
    actor,
    strengths: rows.reduce((sum, row) => sum + (row.strengths.find((g) => g.actor.id === actor.id)?.items.reduce((s, i) => s + i.notes.length, 0) ?? 0), 0),
    challenges: rows.reduce((sum, row) => sum + row.challenges.filter((n) => n.actorId === actor.id).length, 0),
  }));
  return { rows, countsByActor };
}
