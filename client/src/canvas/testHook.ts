import type { WallLayout } from '../model/layout';

/**
 * `window.__arvoWall`: what end-to-end tests read to find where things are drawn. Board
 * coordinates (the layout's units, absolute); `toScreen` turns a board point into the browser
 * viewport's CSS pixels (what Playwright's `page.mouse` takes; equal to page pixels when the
 * page is not scrolled, which the board never is).
 */
export interface WallHookNote {
  id: string;
  text: string;
  actorId: string | null;
  questionId: string;
  aboutActorId: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  mine: boolean;
  draft: boolean;
  /** Posted by the server after its round ended (the wall shows a "late" tag). */
  late: boolean;
  /** The author label the note draws ('' in anonymous mode). */
  author: string;
  /** The paper colour the note is drawn in (its actor's). */
  color: string;
}

export interface WallHookArea {
  key: string;
  actorId: string;
  questionId: string;
  aboutActorId: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  body: { x: number; y: number; width: number; height: number };
}

export interface WallTestHook {
  notes: WallHookNote[];
  /** notes.length, without making the list (the client benchmark polls it every frame). */
  noteCount: number;
  flipcharts: Array<{ actorId: string; x: number; y: number; width: number; height: number }>;
  areas: WallHookArea[];
  scale: number;
  toScreen(x: number, y: number): { x: number; y: number };
}

declare global {
  interface Window {
    __arvoWall?: WallTestHook;
  }
}

/**
 * Publishes the hook for a layout. Its lists are made when first read (tests read them; a
 * participant's browser never does, and a copy of every note would be kept for nothing).
 */
export function publishWall(layout: WallLayout, view: () => { x: number; y: number; scale: number }, container: HTMLElement): void {
  if (typeof window === 'undefined') return;
  let notes: WallHookNote[] | null = null;
  let flipcharts: WallTestHook['flipcharts'] | null = null;
  let areas: WallHookArea[] | null = null;
  window.__arvoWall = {
    get notes() {
      return (notes ??= layout.notes.map(({ note, x, y, width, height, color }) => ({
        id: note.id, text: note.text, actorId: note.actorId, questionId: note.questionId, aboutActorId: note.aboutActorId ?? null,
        x, y, width, height, mine: note.mine, draft: note.draft, late: note.late === true, author: note.authorName, color,
      })));
    },
    get noteCount() {
      return layout.notes.length;
    },
    get flipcharts() {
      return (flipcharts ??= layout.flipcharts.map((f) => ({ actorId: f.actor.id, x: f.x, y: f.y, width: f.width, height: f.height })));
    },
    get areas() {
      return (areas ??= layout.flipcharts.flatMap((f) =>
        f.areas.map((a) => ({ key: a.key, actorId: a.actorId, questionId: a.question.id, aboutActorId: a.aboutActor?.id ?? null, x: a.x, y: a.y, width: a.width, height: a.height, body: { ...a.body } })),
      ));
    },
    get scale() {
      return view().scale;
    },
    toScreen(x: number, y: number) {
      const v = view();
      const box = container.getBoundingClientRect();
      return { x: box.left + v.x + x * v.scale, y: box.top + v.y + y * v.scale };
    },
  };
}

export function unpublishWall(): void {
  if (typeof window !== 'undefined') delete window.__arvoWall;
}
